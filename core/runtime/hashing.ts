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

export interface HashFileTask {
  path: string;
  formats: HashFormat[];
  direct: boolean;
}

export interface HashBytesTask {
  format: HashFormat;
  data: Uint8Array;
}

/** Reads a file from the medium (O_DIRECT unless `direct` is false) in a pool worker and hashes it. */
export function hashFile(path: string, formats: readonly HashFormat[], options: HashFileOptions = {}): Promise<FileHashResult> {
  return runTask<HashFileTask, FileHashResult>('hashFile', { path, formats: [...formats], direct: options.direct ?? true }, options);
}

export const pooledHashing: MhlHashing = {
  hashFile,
  hashBytes: (format, data) => runTask<HashBytesTask, string>('hashBytes', { format, data }),
  folderHashes: (input) => runTask<FolderHashInput, FolderHashes>('folderHashes', input),
};
