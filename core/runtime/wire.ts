/**
 * What crosses between a worker-thread task and its caller besides the task's input and
 * result. Both sides import this module, so it imports nothing but the error type.
 *
 * - A channel: a few shared cells. The task adds the bytes it has done; the caller polls
 *   them for progress bars. The caller sets the cancel cell; the task checks it between
 *   chunks, so a cancelled task still closes its files (terminating the thread would not).
 * - Errors as plain data: structured cloning keeps an Error's message but drops `code` and
 *   `path`, and callers branch on exactly those (RushesError codes, errno codes).
 */
import type { MessagePort } from 'node:worker_threads';
import { RushesError, errno, type ErrorCode } from '../errors.ts';

const BYTES = 0;
const CANCEL = 1;

export type Channel = SharedArrayBuffer;

/** What the pool sends a worker: the task's name, its input, its channel, and a port for messages when the caller listens. */
export interface TaskMessage {
  task: string;
  input: unknown;
  channel: Channel;
  port?: MessagePort;
}

export function newChannel(): Channel {
  return new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT);
}

function cells(channel: Channel): BigInt64Array {
  return new BigInt64Array(channel);
}

/** The task's end: report bytes, post messages, honour cancellation (an AbortSignal look-alike for the I/O loops). */
export interface TaskEnd {
  onBytes: (n: number) => void;
  post: (m: unknown) => void;
  signal: Pick<AbortSignal, 'throwIfAborted' | 'aborted'>;
}

export function taskEnd(channel: Channel, port?: MessagePort): TaskEnd {
  const c = cells(channel);
  return {
    onBytes: (n) => void Atomics.add(c, BYTES, BigInt(n)),
    post: (m) => port?.postMessage(m),
    signal: {
      get aborted() {
        return Atomics.load(c, CANCEL) !== 0n;
      },
      throwIfAborted: () => {
        if (Atomics.load(c, CANCEL) !== 0n) throw new DOMException('the task was cancelled', 'AbortError');
      },
    },
  };
}

/** The caller's end: read the bytes done so far, ask the task to stop. */
export function callerEnd(channel: Channel): { bytes: () => number; cancel: () => void } {
  const c = cells(channel);
  return { bytes: () => Number(Atomics.load(c, BYTES)), cancel: () => void Atomics.store(c, CANCEL, 1n) };
}

export interface WireError {
  message: string;
  /** Set when the error was a RushesError. */
  rushes?: { code: ErrorCode; path?: string };
  /** The errno code of a Node system error ("ENOENT", …), which callers test with errno(). */
  errno?: string;
}

/** What a task answers: its value, or the error it threw as data. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError };

export function toWire(e: unknown): WireError {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof RushesError) return { message, rushes: { code: e.code, path: e.path }, errno: errno(e.cause) };
  return { message, errno: errno(e) };
}

/** Rebuilds the error on the caller's side: the same RushesError, or an Error carrying the same errno code. */
export function fromWire(w: WireError): Error {
  const cause = w.errno === undefined ? undefined : Object.assign(new Error(w.message), { code: w.errno });
  if (w.rushes) return new RushesError(w.rushes.code, w.message, { path: w.rushes.path, cause });
  return cause ?? new Error(w.message);
}
