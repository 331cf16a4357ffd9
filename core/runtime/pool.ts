/**
 * The process's worker-thread pool for CPU work (hashing, the copy that hashes in-stream,
 * functions run on the thread backend): the main thread keeps the event loop, progress, the
 * store and the HTTP API responsive, and does no hashing. One pool per process, created on
 * first use, so commands that hash nothing start no threads.
 *
 * The pool runs tasks by name and knows none of them: workers/tasks.ts is the table each
 * worker loads (through workers/bootstrap.cjs), and callers name the task and its types.
 *
 * Inside a worker, calls that wait for a device (reads, fsync) are asynchronous, so each
 * worker runs several tasks at once: while one file waits for its fsync, another is hashed.
 * Calls that never wait are synchronous (see workers/copy-file.ts). Callers bound how many
 * files they have in flight; the pool only has to never be the limit.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { FROM_SOURCES, PACKAGE_ROOT } from '../util/package-root.ts';
import { callerEnd, fromWire, newChannel, type Reply, type TaskMessage } from './wire.ts';

/** What each worker loads: the compiled task table, or (running from the sources) a loader that compiles it. */
const WORKER_ENTRY = FROM_SOURCES ? join(PACKAGE_ROOT, 'workers', 'bootstrap.cjs') : join(PACKAGE_ROOT, 'dist', 'worker.cjs');
/** Above every caller's own limit (offload: 4 copies + 4 files × N read-backs; mhl: 16 lanes). */
const TASKS_PER_WORKER = 32;
/**
 * Each worker's young generation (V8's nursery, MB). By default it grows to tens of MB per
 * thread; an offload's tasks leave little alive, so a small one costs a few more quick
 * collections and keeps the process under its memory budget (300 MB for 10,000 small files,
 * `npm run bench -- offload`). Not a hard limit: survivors move on to the old generation.
 */
const WORKER_YOUNG_MB = 4;
/** How often running tasks' byte counts are passed on to their progress callbacks. */
const PROGRESS_INTERVAL_MS = 100;

/** Worker threads: one per core (at least 2, so one slow file never holds up the rest); RUSHES_WORKERS overrides. */
export function poolSize(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.RUSHES_WORKERS);
  if (env.RUSHES_WORKERS && Number.isInteger(asked) && asked >= 1) return asked;
  return Math.max(2, availableParallelism());
}

let pool: Piscina | undefined;

function getPool(): Piscina {
  if (!pool) {
    const size = poolSize();
    // Required with the first task, so a command that hashes nothing does not load piscina either.
    const { Piscina: Pool } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
    // Idle workers are unref'd by piscina, so a finished command exits without destroyPool().
    // A task may hand a descriptor it opened to another thread (the offload's copy leaves its
    // files open for the caller to fsync and close): Node's tracking of a worker's descriptors
    // would then warn when the number comes back, and close whatever holds it when the worker
    // exits, so it is off. Every task closes or hands over what it opens. The price: a worker
    // that crashes (not a cancel) leaves its in-flight tasks' files open until the process ends.
    pool = new Pool({ filename: WORKER_ENTRY, minThreads: size, maxThreads: size, concurrentTasksPerWorker: TASKS_PER_WORKER, trackUnmanagedFds: false, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
  }
  return pool;
}

/**
 * Starts the workers now. Each takes ~0.1 s of CPU to load: a command that will hash starts
 * them first, so that happens while it opens its store and lists the folder, not after.
 */
export function warmPool(): void {
  getPool();
}

/** Stops every worker (daemon shutdown, tests). The next task starts a new pool. */
export async function destroyPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}

/** Running tasks that report progress, polled on one timer rather than one message per chunk. */
const watched = new Set<() => void>();
let timer: NodeJS.Timeout | undefined;

function watch(pump: () => void): () => void {
  watched.add(pump);
  timer ??= setInterval(() => watched.forEach((p) => p()), PROGRESS_INTERVAL_MS).unref();
  return () => {
    watched.delete(pump);
    pump();
    if (watched.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/**
 * One abort listener per signal, however many tasks share it (an offload has dozens in
 * flight; a listener each would trip Node's leak warning at 11).
 */
const cancellers = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, cancel: () => void): () => void {
  let set = cancellers.get(signal);
  if (!set) {
    const tasks = new Set<() => void>();
    signal.addEventListener('abort', () => tasks.forEach((c) => c()), { once: true });
    cancellers.set(signal, tasks);
    set = tasks;
  }
  set.add(cancel);
  return () => set.delete(cancel);
}

/**
 * Runs the task named `task` in the pool. `onBytes` receives the task's progress as it goes
 * (every byte exactly once, the rest when it ends); `onMessage` whatever the task posts
 * (a function's progress); `signal` makes the task stop at its next chunk and this call
 * reject with the signal's reason. A task's error is rebuilt here as the same RushesError
 * (code, path, message) or errno-carrying Error it was in the worker. `release` receives
 * the value of a task that succeeded after all, as the cancel came, so what it handed over
 * (open descriptors) is not lost.
 */
export async function runTask<I, O>(
  task: string,
  input: I,
  options: { onBytes?: (n: number) => void; onMessage?: (m: unknown) => void; signal?: AbortSignal; release?: (value: O) => void } = {},
): Promise<O> {
  const { signal, onBytes, onMessage } = options;
  signal?.throwIfAborted();
  const channel = newChannel();
  const end = callerEnd(channel);
  let reported = 0;
  const unwatch = onBytes
    ? watch(() => {
        const now = end.bytes();
        if (now > reported) onBytes(now - reported);
        reported = now;
      })
    : undefined;
  const forget = signal ? onAbort(signal, end.cancel) : undefined;
  const messages = onMessage ? new MessageChannel() : undefined;
  messages?.port1.on('message', onMessage!);
  let reply: Reply<O>;
  try {
    const message: TaskMessage = { task, input, channel, port: messages?.port2 };
    reply = await getPool().run(message, messages ? { transferList: [messages.port2] } : undefined);
  } finally {
    forget?.();
    unwatch?.();
    messages?.port1.close();
  }
  if (signal?.aborted) {
    // A task that finished as the cancel came may have handed over what it opened: `release` lets it go.
    if (reply.ok) options.release?.(reply.value);
    signal.throwIfAborted();
  }
  if (!reply.ok) throw fromWire(reply.error);
  return reply.value;
}
