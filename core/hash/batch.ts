/**
 * Many small files hashed in one call, in the calling thread. On 10,000 files of 4 KiB the
 * cost is per file, not per byte: a pool task each paid a message round trip per file and
 * took twice as long as the reads themselves (`npm run bench -- mhl`), so callers hand
 * over whole batches and the thread that reads keeps several of them in flight.
 */
import { forEachLimited } from '../util/limit.ts';
import { loopTurnDue } from '../util/turns.ts';
import { hashFileHere, hashSmallCachedFileNow, type FileHashResult, type ReadOptions } from './medium.ts';
import { digestFunction } from './index.ts';
import type { HashFormat } from './types.ts';

export interface FileToHash {
  path: string;
  formats: readonly HashFormat[];
  /** This file's read mode, when it differs from the batch's (`direct` of the options). */
  direct?: boolean;
  /** Its size as listed, when known (see ReadOptions.size). */
  size?: number;
}

/** A file's digests, or why it could not be read: one file's failure does not end its batch. */
export type FileHashOutcome = FileHashResult | { error: unknown };

/**
 * Reads at once within one batch. With mhl's 4 batches in flight that is 16 reads: as many
 * as the CLI's 16 libuv threads, which do the blocking reads, and no more than a worker keeps
 * aligned buffers for (medium.ts). 8 per batch measured at most ~10 % faster on 10,000
 * files, within this machine's noise, and would need twice the buffers.
 */
export const BATCH_LANES = 4;

/**
 * Hashes every file (O_DIRECT unless its or the batch's `direct` is false) and answers in the
 * files' order: first, one after another, the small ones the page cache answers for
 * (hashSmallCachedFileNow), then the rest `lanes` at a time. Cancelling (`signal`) rejects
 * the whole batch; any other error stays with its file.
 */
export async function hashFilesHere(files: readonly FileToHash[], options: ReadOptions & { lanes?: number } = {}): Promise<FileHashOutcome[]> {
  const out = new Array<FileHashOutcome>(files.length);
  // What the page cache answers for is hashed now, file after file (with the digest functions
  // loaded first, or the first batch would all wait for them); the rest with reads in flight.
  for (const format of new Set(files.flatMap((f) => f.formats))) await digestFunction(format).catch(() => undefined); // a format that cannot load fails with its files below
  const later: number[] = [];
  for (let i = 0; i < files.length; i++) {
    const turn = loopTurnDue();
    if (turn) await turn;
    options.signal?.throwIfAborted();
    try {
      const now = hashSmallCachedFileNow(files[i].path, files[i].formats, { direct: files[i].direct ?? options.direct, size: files[i].size, onBytes: options.onBytes });
      if (now) out[i] = now;
      else later.push(i);
    } catch (error) {
      out[i] = { error };
    }
  }
  await forEachLimited(later, options.lanes ?? BATCH_LANES, async (i) => {
    try {
      out[i] = await hashFileHere(files[i].path, files[i].formats, { ...options, direct: files[i].direct ?? options.direct, size: files[i].size });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      out[i] = { error };
    }
  });
  return out;
}
