/**
 * `rushes-fn [FILE]`: runs one function invocation (schemas/invocation.schema.json) read
 * from FILE or stdin, and exits, speaking the protocol of core/runtime/protocol.ts: progress
 * as JSON lines on stderr, the reply as one JSON object on stdout, the exit code of the
 * error policy. The same entrypoint runs on the host and as the worker image's ENTRYPOINT,
 * so a function behaves the same wherever it runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errno, RushesError } from '../core/errors.ts';
import { localHashing } from '../core/hash/hashing.ts';
import { invokeHere } from '../core/runtime/functions.ts';
import { failureReply, progressLine, replyLine } from '../core/runtime/protocol.ts';
import { lazyStorage, registerStorage } from '../core/runtime/storage.ts';
import './functions.ts';

/**
 * A function given s3:// places (in a cloud batch job) reads and writes them itself, at the
 * endpoint its environment names; a one-shot process keeps its upload records in memory.
 */
function registerS3(scratch: string): void {
  registerStorage(
    's3',
    // Loaded by an invocation that names s3://, so every other one starts without the S3 SDK.
    lazyStorage(async () => {
      const { endpointFromEnv, MemorySyncRecords, s3Storage } = await import('../core/sync/index.ts');
      const records = new MemorySyncRecords();
      return s3Storage({ endpoint: endpointFromEnv(), scratch, store: () => records });
    }),
  );
}

export async function fnMain(argv: string[], io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const controller = new AbortController();
  const onTerm = () => controller.abort(new Error('stopped by SIGTERM'));
  const onInt = () => controller.abort(new Error('stopped by SIGINT'));
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  const scratch = mkdtempSync(join(process.env.RUSHES_FN_SCRATCH ?? tmpdir(), 'rushes-fn-'));
  registerS3(scratch);
  try {
    const file = argv[0] && argv[0] !== '-' ? argv[0] : undefined;
    const text = file ? readInvocationFile(file) : await readAll(io.stdin);
    const timeoutMs = timeoutFromEnv(process.env.RUSHES_FN_TIMEOUT_MS);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new RushesError('USAGE', `${file ?? 'stdin'} is not JSON: ${(e as Error).message}`);
    }
    const result = await invokeHere(value, { signal: controller.signal, timeoutMs, onProgress: (p) => io.stderr.write(progressLine(p)), hashing: localHashing });
    io.stdout.write(replyLine({ ok: true, ...(result as object) }));
    return 0;
  } catch (e) {
    const { reply, exit } = failureReply(controller.signal.aborted ? controller.signal.reason : e, controller.signal.aborted);
    io.stdout.write(replyLine(reply));
    return exit;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
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

/** RUSHES_FN_TIMEOUT_MS: the deadline the caller (the docker backend) sets, in whole milliseconds. */
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
