/**
 * Where a history's hashing runs is the caller's: every operation takes an MhlHashing, by
 * default this thread's (the engine passes the worker pool's, the CLI's commands one that
 * keeps small files in their own thread: core/runtime/hashing.ts).
 *
 * `hashMany` reads many files (from the medium, O_DIRECT, unless the caller says a file may
 * come from the page cache) with as many in flight as helps:
 * small files are bound by per-file latency, so they go in batches (hashFiles: one hand-off
 * to a worker per batch, several reads in flight in each); large files are bound by the
 * device, where a few sequential streams beat many competing ones.
 */
import { join } from 'node:path';
import { localHashing, type Hashing } from '../hash/hashing.ts';
import type { HashFormat } from '../hash/index.ts';
import type { FileHashOutcome } from '../hash/batch.ts';
import type { ReadOptions } from '../hash/medium.ts';
import { forEachLimited } from '../util/limit.ts';
import { computeFolderHashes, type FolderHashes, type FolderHashInput } from './dirhash.ts';
import type { MhlProgressCounter } from './progress.ts';
import { SMALL_FILE, sweepFolderHere, type FolderSweep, type SweptFolder } from './sweep-folder.ts';
import { walkTree, type DiskTree } from '../fs/walk.ts';
import { ignoreMatcher } from '../fs/ignore.ts';

export interface MhlHashing extends Hashing {
  /** ASC MHL content and structure hashes of every folder. */
  folderHashes(input: FolderHashInput): Promise<FolderHashes>;
  /**
   * One folder of a scan, listed and its small files hashed as the plan says
   * (./sweep-folder.ts): where the files are read, since listing and reading many small
   * files is a few syscalls per file, and handing each file between threads cost more.
   */
  sweepFolder(input: FolderSweep, options?: ReadOptions): Promise<SweptFolder>;
  /**
   * The files and folders under a root, minus what the ignore patterns name (core/fs/walk.ts),
   * listed in one go where the files are read: for while the calling thread is busy (loading
   * a history), since a sweep folder by folder needs it to hand out each next folder.
   */
  walkTree(root: string, ignore: readonly string[], options?: Pick<ReadOptions, 'signal'>): Promise<DiskTree>;
}

export const localMhlHashing: MhlHashing = {
  ...localHashing,
  folderHashes: computeFolderHashes,
  sweepFolder: (input, options = {}) => sweepFolderHere(input, options, false),
  walkTree: (root, ignore) => walkTree(root, ignoreMatcher(ignore), { exactTimes: false }),
};
/** Small files per batch: enough to make one round trip to a worker negligible, few enough for smooth progress. */
const BATCH_FILES = 64;
/** Batches in flight: BATCH_LANES reads at once in each (core/hash/batch.ts), 16 in all. */
const SMALL_BATCHES = 4;
const LARGE_LANES = 4;

export interface HashJob {
  path: string;
  size: number;
}

/** Consecutive runs of at most `count` jobs, keeping their order (the walk's: files of a folder together). */
function batches<T>(jobs: readonly T[], count: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < jobs.length; i += count) out.push(jobs.slice(i, i + count));
  return out;
}

export async function hashMany<T extends HashJob>(
  root: string,
  jobs: readonly T[],
  formatsOf: (job: T) => HashFormat[],
  done: (job: T, result: FileHashOutcome) => void,
  options: { direct?: boolean | ((job: T) => boolean); concurrency?: number; signal?: AbortSignal; progress: MhlProgressCounter; hashing?: Hashing },
): Promise<void> {
  const hashing = options.hashing ?? localHashing;
  const direct = options.direct ?? true;
  const directOf = typeof direct === 'function' ? direct : () => direct;
  const read = { direct: true, onBytes: (n: number) => options.progress.bytes(n), signal: options.signal };
  const finish = (job: T, r: FileHashOutcome): void => {
    done(job, r);
    options.progress.fileDone(job.path);
  };
  // Small files are bound by per-file latency: many reads in flight, and one hand-off per batch rather than per file.
  const runBatch = async (batch: T[]): Promise<void> => {
    let outcomes: FileHashOutcome[];
    try {
      outcomes = await hashing.hashFiles(batch.map((job) => ({ path: join(root, job.path), formats: formatsOf(job), direct: directOf(job), size: job.size })), read);
    } catch (e) {
      // The whole task failed (a worker lost, say): each file of the batch fails alone, as in runLarge.
      if (options.signal?.aborted) throw e;
      outcomes = batch.map(() => ({ error: e }));
    }
    batch.forEach((job, i) => finish(job, outcomes[i]));
  };
  // Large files are bound by the device, where a few sequential streams beat many competing ones.
  const runLarge = async (job: T): Promise<void> => {
    let r: FileHashOutcome;
    try {
      r = await hashing.hashFile(join(root, job.path), formatsOf(job), { ...read, direct: directOf(job) });
    } catch (e) {
      if (options.signal?.aborted) throw e;
      r = { error: e };
    }
    finish(job, r);
  };
  const small = jobs.filter((j) => j.size < SMALL_FILE);
  const large = jobs.filter((j) => j.size >= SMALL_FILE);
  await forEachLimited(batches(small, BATCH_FILES), options.concurrency ?? SMALL_BATCHES, runBatch, options.signal);
  await forEachLimited(large, options.concurrency ?? LARGE_LANES, runLarge, options.signal);
}
