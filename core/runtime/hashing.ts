/**
 * Hashing in the worker-thread pool (tasks `hashFile`, `hashBytes`, `folderHashes` in
 * workers/tasks.ts): what the engine and the CLI pass wherever a primitive takes a
 * `Hashing`, so the main thread keeps the event loop, progress and the store, and does no
 * hashing.
 */
import type { HashFileOptions } from '../hash/hashing.ts';
import type { FileHashResult } from '../hash/medium.ts';
import type { HashFormat } from '../hash/types.ts';
import type { FolderHashes } from '../mhl/dirhash.ts';
import type { FolderHashInput, MhlHashing } from '../mhl/hashing.ts';
import { runTask } from './pool.ts';
import { fromWire, type WireError } from './wire.ts';

export interface HashFileTask {
  path: string;
  formats: HashFormat[];
  direct: boolean;
}

export interface HashFilesTask {
  paths: string[];
  formats: HashFormat[];
  direct: boolean;
}

/** Per path of a `hashFiles` task: its result, or why it could not be read (an error as data). */
export type HashFilesItem = { ok: true; value: FileHashResult } | { ok: false; error: WireError };

export interface HashBytesTask {
  format: HashFormat;
  data: Uint8Array;
}

/** Reads a file from the medium (O_DIRECT unless `direct` is false) in a pool worker and hashes it. */
export function hashFile(path: string, formats: readonly HashFormat[], options: HashFileOptions = {}): Promise<FileHashResult> {
  return runTask<HashFileTask, FileHashResult>('hashFile', { path, formats: [...formats], direct: options.direct ?? true }, options);
}

/**
 * Reads several small files from their media in one pool task, all at once: one hand-off to
 * a worker and back instead of one per file, which is what the read-back of 10,000 small
 * files to several destinations costs the main thread. Each file answers on its own (its
 * result or its error); progress comes in one count for all of them.
 */
export async function hashFiles(paths: readonly string[], formats: readonly HashFormat[], options: HashFileOptions = {}): Promise<(FileHashResult | Error)[]> {
  const items = await runTask<HashFilesTask, HashFilesItem[]>('hashFiles', { paths: [...paths], formats: [...formats], direct: options.direct ?? true }, options);
  return items.map((r) => (r.ok ? r.value : fromWire(r.error)));
}

export const pooledHashing: MhlHashing = {
  hashFile,
  hashBytes: (format, data) => runTask<HashBytesTask, string>('hashBytes', { format, data }),
  folderHashes: (input) => runTask<FolderHashInput, FolderHashes>('folderHashes', input),
};
