/**
 * The function protocol, one definition for every place a function runs (a worker thread,
 * a `rushes-fn` process, a container, a cloud batch job):
 *
 * - the invocation: JSON validated against schemas/invocation.schema.json, carrying
 *   everything the function needs;
 * - progress: one JSON line per update on stderr, `{"type":"progress", …Progress}`;
 * - the reply: one JSON object on stdout, `{"ok":true, …result}` or
 *   `{"ok":false,"error":{code,message,path}}`;
 * - the exit code: ERROR_POLICY's `fnExit` of the error (0 when done, 130 when cancelled),
 *   which is all that survives when a process dies before it can reply.
 */
import { codeForFnExit, ERROR_POLICY, errorRecord, isErrorCode, RushesError, type ErrorRecord } from '../errors.ts';
import type { Progress } from '../events/types.ts';
import { compileSchema, describeErrors } from '../util/schema.ts';

/** One unit of work. Each function narrows `params` (render/invocation.ts, inspect/function.ts). */
export interface Invocation {
  fn: string;
  /** Names the work; temporary outputs carry it. */
  id: string;
  input: { uri: string; [extra: string]: unknown };
  /** Where outputs are committed (render functions); absent for a function that only answers (inspect). */
  output?: { uri: string };
  params: object;
}

export type Reply<R> = ({ ok: true } & R) | { ok: false; error: ErrorRecord };

const validate = compileSchema<Invocation>('invocation.schema.json');

/** Checks an invocation against the schema; the error names each bad field. */
export function parseInvocation(value: unknown, source = 'the invocation'): Invocation {
  if (!validate(value)) throw new RushesError('USAGE', `${source} is not a valid invocation: ${describeErrors(validate.errors)}`);
  return value;
}

export function progressLine(p: Progress): string {
  return JSON.stringify({ type: 'progress', ...p }) + '\n';
}

/** A progress line's Progress, or undefined for any other line (ffmpeg's, a tool's). */
export function readProgressLine(line: string): Progress | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(line) as Progress & { type?: string };
    if (o.type !== 'progress') return undefined;
    const { type: _t, ...p } = o;
    return p;
  } catch {
    return undefined;
  }
}

export function replyLine<R>(reply: Reply<R>): string {
  return JSON.stringify(reply) + '\n';
}

/** The reply among a process's stdout lines: the last one that is a JSON object. */
export function readReply<R>(lines: readonly string[]): Reply<R> | undefined {
  for (const line of [...lines].reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as Reply<R>;
    } catch {
      /* not the reply */
    }
  }
  return undefined;
}

/** A reply's result, without the protocol's `ok`. */
export function withoutOk<R>(reply: { ok: true } & R): R {
  const { ok: _ok, ...result } = reply;
  return result as R;
}

/** The reply of an error, and the exit code that goes with it. */
export function failureReply(e: unknown, cancelled: boolean): { reply: Reply<never>; exit: number } {
  if (cancelled) return { reply: { ok: false, error: { code: 'CANCELLED', message: e instanceof Error ? e.message : String(e) } }, exit: ERROR_POLICY.CANCELLED.fnExit };
  const error = errorRecord(e);
  const code = isErrorCode(error.code) && error.code !== 'ERROR' ? error.code : 'INTERNAL';
  return { reply: { ok: false, error: { ...error, code } }, exit: ERROR_POLICY[code].fnExit };
}

/**
 * The error a function that ended without success stands for, on the caller's side: the
 * reply's when there is one, else what its exit code says, in `fallback`'s words.
 */
export function errorFromReply(exit: number, reply: Reply<unknown> | undefined, fallback: string, path?: string): RushesError {
  const err = reply && !reply.ok ? reply.error : undefined;
  const code = err && isErrorCode(err.code) ? err.code : codeForFnExit(exit);
  // A function that was cancelled from outside is reported by the caller, which knows why.
  return new RushesError(code === 'CANCELLED' ? 'ERROR' : code, err?.message ?? fallback, { path: err?.path ?? path });
}

/**
 * Every string in a reply that names a place under one of `places` (a folder the function saw,
 * and where that folder really is: the container's /out on the host, a stage in a bucket), as
 * the real one.
 */
export function rewritePlaces(value: unknown, places: readonly [seen: string, real: string][]): unknown {
  if (typeof value === 'string') return places.reduce((s, [seen, real]) => (s === seen ? real : s.split(`${seen}/`).join(`${real}/`)), value);
  if (Array.isArray(value)) return value.map((v) => rewritePlaces(v, places));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewritePlaces(v, places)]));
  return value;
}
