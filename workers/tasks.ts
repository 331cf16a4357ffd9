/**
 * The tasks the worker-thread pool runs (core/runtime/pool.ts sends them by name;
 * bootstrap.cjs loads this module in each worker). Each takes plain, cloneable input and the
 * task's end of its channel (progress, messages, cancellation); errors travel back as data
 * (core/runtime/wire.ts). Workers import primitives and the functions they run.
 */
import type { Progress } from '../core/events/types.ts';
import { ignoreMatcher } from '../core/fs/ignore.ts';
import { walkTreeHere } from '../core/fs/walk.ts';
import { hashFilesHere } from '../core/hash/batch.ts';
import { localHashing } from '../core/hash/hashing.ts';
import { hashBytes } from '../core/hash/index.ts';
import { hashFileHere } from '../core/hash/medium.ts';
import { computeFolderHashes, type FolderHashInput } from '../core/mhl/dirhash.ts';
import { sweepFolderHere, type FolderSweep } from '../core/mhl/sweep-folder.ts';
import { copyFile, type CopyInput } from '../core/offload/copy-file.ts';
import type { InvokeTask } from '../core/runtime/executor.ts';
import type * as Functions from '../core/runtime/functions.ts';
import type { HashBytesTask, HashFilesTask, HashFileTask, WireFileHashOutcome, WalkTreeTask, WireSweptFolder } from '../core/runtime/hashing.ts';
import { taskEnd, toWire, type Reply, type TaskEnd, type TaskMessage } from '../core/runtime/wire.ts';

let functions: typeof Functions | undefined;

/**
 * The functions (render, inspect) with what they load (the invocation schema's validator,
 * ajv), registered with the first invocation: a worker that only hashes — all an
 * `rushes mhl create` or `verify` asks of it — starts ~0.1 s of CPU sooner, on a machine whose
 * cores the command's other threads are starting on too. `require`, not `import()`: workers
 * load this module as CommonJS (dist/worker.cjs, or the sources through bootstrap.cjs),
 * and tsx's CommonJS hook compiles a require of TypeScript, not a dynamic import of it.
 */
function loadFunctions(): typeof Functions {
  if (!functions) {
    require('./functions.ts');
    functions = require('../core/runtime/functions.ts') as typeof Functions;
  }
  return functions;
}

/** How often a running function looks whether its caller cancelled it. */
const CANCEL_POLL_MS = 100;

const TASKS: Record<string, (input: never, end: TaskEnd) => Promise<unknown>> = {
  /** Read a file from the medium (O_DIRECT unless `direct` is false) and hash it. */
  hashFile: (input: HashFileTask, end) => hashFileHere(input.path, input.formats, { direct: input.direct, ...end }),

  /** Read and hash a batch of (small) files: one round trip for all; a file's error stays with it. */
  hashFiles: async (input: HashFilesTask, end): Promise<WireFileHashOutcome[]> =>
    (await hashFilesHere(input.files, { direct: input.direct, ...end })).map((o) => ('error' in o ? { error: toWire(o.error) } : o)),

  /** Copy one file to N temporary files, hashing it in the same read. */
  copyFile: async (input: CopyInput, end) => {
    const r = await copyFile(input, end);
    return { ...r, targetErrors: r.targetErrors.map((e) => (e ? toWire(e) : undefined)) };
  },

  /** ASC MHL content and structure hashes of every folder. */
  folderHashes: (input: FolderHashInput) => computeFolderHashes(input),

  /** One folder listed, with blocking calls (no hand-off per file), and its small files hashed as the plan says. */
  sweepFolder: async (input: FolderSweep, end): Promise<WireSweptFolder> => {
    const swept = await sweepFolderHere(input, end, true);
    return { listing: swept.listing, hashed: swept.hashed.map((o) => (o && 'error' in o ? { error: toWire(o.error) } : o)) };
  },

  /** The files and folders under a root, with blocking calls (no hand-off per file). */
  walkTree: (input: WalkTreeTask) => walkTreeHere(input.root, ignoreMatcher(input.ignore), { exactTimes: false }), // an MHL scan's head start: whole seconds

  /** One digest of a buffer (the C4 ID of a manifest, a chain entry's hash). */
  hashBytes: (input: HashBytesTask) => hashBytes(input.format, input.data),

  /** One function invocation (render, inspect), run in this thread: the `thread` backend. */
  invoke: async (input: InvokeTask, end) => {
    // Functions take an AbortSignal (they kill their tools with it); the caller cancels through the channel.
    const controller = new AbortController();
    const poll = setInterval(() => end.signal.aborted && controller.abort(new Error('cancelled')), CANCEL_POLL_MS);
    try {
      return await loadFunctions().invokeHere(input.invocation, { signal: controller.signal, timeoutMs: input.timeoutMs, onProgress: (p: Progress) => end.post(p), hashing: localHashing });
    } finally {
      clearInterval(poll);
    }
  },
};

/** The one handler piscina calls: runs the named task and answers with its value or its error as data. */
export async function runTaskHere(message: TaskMessage): Promise<Reply<unknown>> {
  const task = TASKS[message.task];
  try {
    if (!task) throw new Error(`no task "${message.task}" in the worker pool`);
    return { ok: true, value: await task(message.input as never, taskEnd(message.channel, message.port)) };
  } catch (e) {
    return { ok: false, error: toWire(e) };
  } finally {
    message.port?.close();
  }
}
