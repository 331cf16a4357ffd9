/**
 * Where a history's hashing runs is the caller's: every operation takes an MhlHashing, by
 * default this thread's (the engine and the CLI pass the worker pool's, core/runtime).
 *
 * `hashMany` reads many files from the medium (hashFile, O_DIRECT) with as many in flight as helps:
 * small files are bound by per-file latency, so many lanes pay off (`npm run bench -- mhl`:
 * 16 lanes ≈ 20% faster than 8 on 10,000 4 KiB files); large files are bound by the device,
 * where a few sequential streams beat many competing ones (and 16 is the aligned-buffer pool).
 */
import { join } from 'node:path';
import { localHashing, type Hashing } from '../hash/hashing.ts';
import type { Digests, HashFormat } from '../hash/index.ts';
import type { FileHashResult } from '../hash/medium.ts';
import { forEachLimited } from '../util/limit.ts';
import { computeFolderHashes, type FolderHashes } from './dirhash.ts';
import type { MhlProgressCounter } from './progress.ts';

/** What folder hashes are computed from: every file's digests, and the folders to hash. */
export interface FolderHashInput {
  files: { path: string; digests: Digests }[];
  directories: string[];
  formats: HashFormat[];
}

export interface MhlHashing extends Hashing {
  /** ASC MHL content and structure hashes of every folder. */
  folderHashes(input: FolderHashInput): Promise<FolderHashes>;
}

export const localMhlHashing: MhlHashing = {
  ...localHashing,
  folderHashes: async (i) => computeFolderHashes(i.files, i.directories, i.formats),
};

const SMALL_FILE = 1024 * 1024;
const SMALL_LANES = 16;
const LARGE_LANES = 4;

export interface HashJob {
  path: string;
  size: number;
}

export async function hashMany<T extends HashJob>(
  root: string,
  jobs: readonly T[],
  formatsOf: (job: T) => HashFormat[],
  done: (job: T, result: FileHashResult | { error: unknown }) => void,
  options: { direct?: boolean; concurrency?: number; signal?: AbortSignal; progress: MhlProgressCounter; hashing?: Hashing },
): Promise<void> {
  const run = async (job: T): Promise<void> => {
    try {
      const r = await (options.hashing ?? localHashing).hashFile(join(root, job.path), formatsOf(job), { direct: options.direct ?? true, onBytes: (n) => options.progress.bytes(n), signal: options.signal });
      done(job, r);
    } catch (e) {
      if (options.signal?.aborted) throw e;
      done(job, { error: e });
    }
    options.progress.fileDone(job.path);
  };
  const small = jobs.filter((j) => j.size < SMALL_FILE);
  const large = jobs.filter((j) => j.size >= SMALL_FILE);
  await forEachLimited(small, options.concurrency ?? SMALL_LANES, run, options.signal);
  await forEachLimited(large, options.concurrency ?? LARGE_LANES, run, options.signal);
}
