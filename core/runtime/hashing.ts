/**
 * Hashing in the worker-thread pool (tasks `hashFile`, `hashFiles`, `hashBytes`,
 * `folderHashes`, and `sweepFolder`, a folder listed and its small files hashed, in workers/tasks.ts): what
 * the engine and the CLI pass wherever a primitive takes a `Hashing`, so the main thread
 * keeps the event loop, progress and the store, and does no hashing.
 */
import type { FileHashOutcome, FileToHash } from '../hash/batch.ts';
import type { HashFileOptions } from '../hash/hashing.ts';
import type { FileHashResult } from '../hash/medium.ts';
import type { HashFormat } from '../hash/types.ts';
import type { FolderHashes } from '../mhl/dirhash.ts';
import type { FolderHashInput, MhlHashing } from '../mhl/hashing.ts';
import type { FolderSweep, SweptFolder } from '../mhl/sweep-folder.ts';
import type { DiskTree } from '../fs/walk.ts';
import { runTask } from './pool.ts';
import { fromWire, type WireError } from './wire.ts';

export interface HashFileTask {
  path: string;
  formats: HashFormat[];
  direct: boolean;
}

export interface HashFilesTask {
  files: FileToHash[];
  direct: boolean;
}

/** A batch's outcomes as they cross the thread boundary: errors as data (wire.ts). */
export type WireFileHashOutcome = FileHashResult | { error: WireError };

export interface WalkTreeTask {
  root: string;
  ignore: string[];
}

/** A swept folder as it crosses the thread boundary: errors as data (wire.ts). */
export interface WireSweptFolder {
  listing: SweptFolder['listing'];
  hashed: (WireFileHashOutcome | null)[];
}

export interface HashBytesTask {
  format: HashFormat;
  data: Uint8Array;
}

/** Reads a file from the medium (O_DIRECT unless `direct` is false) in a pool worker and hashes it. */
export function hashFile(path: string, formats: readonly HashFormat[], options: HashFileOptions = {}): Promise<FileHashResult> {
  return runTask<HashFileTask, FileHashResult>('hashFile', { path, formats: [...formats], direct: options.direct ?? true }, options);
}

/** Hashes a batch of files in one pool task (one round trip for all of them); errors come back per file. */
export async function hashFiles(files: readonly FileToHash[], options: HashFileOptions = {}): Promise<FileHashOutcome[]> {
  const out = await runTask<HashFilesTask, WireFileHashOutcome[]>('hashFiles', { files: [...files], direct: options.direct ?? true }, options);
  return out.map((o) => ('error' in o ? { error: fromWire(o.error) } : o));
}

export const pooledHashing: MhlHashing = {
  hashFile,
  hashFiles,
  hashBytes: (format, data) => runTask<HashBytesTask, string>('hashBytes', { format, data }),
  folderHashes: (input) => runTask<FolderHashInput, FolderHashes>('folderHashes', input),
  walkTree: (root, ignore, options = {}) => runTask<WalkTreeTask, DiskTree>('walkTree', { root, ignore: [...ignore] }, { signal: options.signal as AbortSignal | undefined }),
  sweepFolder: async (input, options = {}) => {
    const out = await runTask<FolderSweep, WireSweptFolder>('sweepFolder', input, { onBytes: options.onBytes, signal: options.signal as AbortSignal | undefined });
    return { listing: out.listing, hashed: out.hashed.map((o) => (o && 'error' in o ? { error: fromWire(o.error) } : o)) };
  },
};
