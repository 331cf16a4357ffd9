/**
 * `rushes-fn [FILE]`: runs one function invocation (schemas/invocation.schema.json) read
 * from FILE or stdin, and exits. Progress goes to stderr as JSON lines; the result (or the
 * error) is one JSON object on stdout. The same entrypoint runs on the host and as the
 * worker image's ENTRYPOINT, so a function behaves the same wherever it runs.
 *
 * Exit codes: 0 done · 2 invalid invocation · 3 input missing or undecodable · 4 output
 * not writable · 5 render failed · 6 timed out · 130 cancelled (SIGTERM / SIGINT).
 */
import { readFileSync } from 'node:fs';
import { ERROR_POLICY, errno, isRushesError, RushesError } from '../core/errors.ts';
import { runInvocation } from '../core/render/run.ts';

export async function fnMain(argv: string[], io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const controller = new AbortController();
  const onTerm = () => controller.abort(new Error('stopped by SIGTERM'));
  const onInt = () => controller.abort(new Error('stopped by SIGINT'));
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  const reply = (o: unknown) => io.stdout.write(JSON.stringify(o) + '\n');
  try {
    const file = argv[0] && argv[0] !== '-' ? argv[0] : undefined;
    const text = file ? readInvocationFile(file) : await readAll(io.stdin);
    const timeoutMs = timeoutFromEnv(process.env.RUSHES_FN_TIMEOUT_MS);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      reply({ ok: false, error: { code: 'USAGE', message: `${file ?? 'stdin'} is not JSON: ${(e as Error).message}` } });
      return ERROR_POLICY.USAGE.fnExit;
    }
    const result = await runInvocation(value, {
      signal: controller.signal,
      timeoutMs,
      onProgress: (p) => io.stderr.write(JSON.stringify({ type: 'progress', ...p }) + '\n'),
    });
    reply(result);
    return 0;
  } catch (e) {
    if (controller.signal.aborted) {
      reply({ ok: false, error: { code: 'CANCELLED', message: (controller.signal.reason as Error).message } });
      return ERROR_POLICY.CANCELLED.fnExit;
    }
    if (isRushesError(e)) {
      reply({ ok: false, error: { code: e.code, message: e.message, path: e.path } });
      return ERROR_POLICY[e.code].fnExit;
    }
    reply({ ok: false, error: { code: 'INTERNAL', message: (e as Error).stack ?? String(e) } });
    return ERROR_POLICY.INTERNAL.fnExit;
  } finally {
    process.removeListener('SIGTERM', onTerm);
    process.removeListener('SIGINT', onInt);
  }
}

function readInvocationFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new RushesError('USAGE', `the invocation ${file} cannot be read (${errno(e) ?? (e as Error).message})`, { path: file });
  }
}

/** RUSHES_FN_TIMEOUT_MS: the deadline the caller (the docker runtime) sets, in whole milliseconds. */
function timeoutFromEnv(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RushesError('USAGE', `RUSHES_FN_TIMEOUT_MS must be a whole number of milliseconds (got "${v}")`);
  return n;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
