/**
 * Hashing in the worker-thread pool (tasks `hashFile`, `hashFiles`, `hashBytes`,
 * `folderHashes`, and `sweepFolder`, a folder listed and its small files hashed, in workers/tasks.ts): what
 * the engine passes wherever a primitive takes a `Hashing`, so the main thread keeps the
 * event loop, progress and the store, and does no hashing. A command that owns its thread
 * (the CLI's MHL commands) passes `commandHashing`: large files in the pool, the rest here.
 */
import type { FileHashOutcome, FileToHash } from '../hash/batch.ts';
import type { HashFileOptions } from '../hash/hashing.ts';
import type { FileHashResult } from '../hash/medium.ts';
import type { HashFormat } from '../hash/types.ts';
import type { FolderHashes, FolderHashInput } from '../mhl/dirhash.ts';
import { localMhlHashing, type MhlHashing } from '../mhl/hashing.ts';
import { sweepFolderHere, type FolderSweep, type SweptFolder } from '../mhl/sweep-folder.ts';
import { ignoreMatcher } from '../fs/ignore.ts';
import { walkTreeHere, type DiskTree } from '../fs/walk.ts';
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

/**
 * For a command whose thread serves nothing else (`rushes verify`, `rushes mhl …`): a scan
 * lists its folders and reads their small files right here, with blocking calls, and so do
 * the batches of small files, folder hashes and a manifest's C4 ID; only large files stream
 * in the pool, where hashing a file's bytes on several cores pays. Small files cost per
 * file, not per byte, and on this machine (2 cores, 10,000 files of 4 KiB,
 * docs/benchmarks.md, mhl) the pool cost more than it gave: its workers took ~0.1 s to
 * start before the first folder could be read, each of three isolates compiled the same hot
 * code, and every file crossed between threads; `mhl create` of cached files took 0.48 s
 * here against 0.57 s in the pool, `verify` 0.80 s against 0.86 s. The engine (daemon,
 * desktop app) keeps `pooledHashing`: its main thread serves the API and the queue.
 */
export const commandHashing: MhlHashing = {
  ...localMhlHashing,
  hashFile,
  walkTree: (root, ignore, options = {}) => walkTreeHere(root, ignoreMatcher(ignore), { exactTimes: false, signal: options.signal as AbortSignal | undefined }),
  sweepFolder: (input, options = {}) => sweepFolderHere(input, options, true),
};
