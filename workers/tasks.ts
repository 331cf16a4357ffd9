/**
 * The tasks the worker-thread pool runs (core/runtime/pool.ts sends them; bootstrap.cjs
 * loads this module in each worker). Each takes plain, cloneable input and the task's end
 * of its channel (progress, cancellation); errors travel back as data (core/runtime/wire.ts).
 * Workers import only primitives: hashing, MHL folder hashes, errors, and the clip probes
 * (whose tools are child processes; the parsing and normalising happen here, off the main thread).
 */
import { hashBytes, type HashFormat } from '../core/hash/index.ts';
import { hashFileHere } from '../core/hash/medium.ts';
import { computeFolderHashes } from '../core/mhl/dirhash.ts';
import { taskEnd, toWire, type Channel, type Reply } from '../core/runtime/wire.ts';
import { copyFile, type CopyInput } from './copy-file.ts';
import { inspectClip, type InspectInput } from '../core/inspect/inspect.ts';

type TaskEnd = ReturnType<typeof taskEnd>;

export const TASKS = {
  /** Read a file from the medium (O_DIRECT unless `direct` is false) and hash it. */
  hashFile: (input: { path: string; formats: HashFormat[]; direct: boolean }, end: TaskEnd) => hashFileHere(input.path, input.formats, { direct: input.direct, ...end }),

  /** Copy one file to N temporary files, hashing it in the same read. */
  copyFile: async (input: CopyInput, end: TaskEnd) => {
    const r = await copyFile(input, end);
    return { ...r, targetErrors: r.targetErrors.map((e) => (e ? toWire(e) : undefined)) };
  },

  /** ASC MHL content and structure hashes of every folder. */
  folderHashes: (input: { files: Parameters<typeof computeFolderHashes>[0]; directories: string[]; formats: HashFormat[] }) =>
    computeFolderHashes(input.files, input.directories, input.formats),

  /** One digest of a buffer (the C4 ID of a manifest, a chain entry's hash). */
  hashBytes: (input: { format: HashFormat; data: Uint8Array }) => hashBytes(input.format, input.data),

  /** Probe one clip and normalise it into a clip record; bad input gives a record with issues, not an error. */
  inspectClip: (input: InspectInput, end: TaskEnd) => inspectClip(input, end.signal),
};

export type Tasks = typeof TASKS;
export type TaskName = keyof Tasks;
export type TaskInput<K extends TaskName> = Parameters<Tasks[K]>[0];
export type TaskOutput<K extends TaskName> = Awaited<ReturnType<Tasks[K]>>;

export interface TaskMessage {
  task: TaskName;
  input: unknown;
  channel: Channel;
}

/** The one handler piscina calls: runs the named task and answers with its value or its error as data. */
export async function runTaskHere(message: TaskMessage): Promise<Reply<unknown>> {
  const task = TASKS[message.task] as (input: unknown, end: TaskEnd) => Promise<unknown>;
  try {
    return { ok: true, value: await task(message.input, taskEnd(message.channel)) };
  } catch (e) {
    return { ok: false, error: toWire(e) };
  }
}
