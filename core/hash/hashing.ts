/**
 * Where hashing runs is the caller's choice: primitives (core/mhl) take a `Hashing` and
 * default to this thread; the engine passes the worker pool's (core/runtime/hashing.ts), so
 * its main thread does no hashing, and the CLI's MHL commands one that reads small files in
 * their own thread and streams large ones in the pool (commandHashing, same module).
 */
import { hashFilesHere, type FileHashOutcome, type FileToHash } from './batch.ts';
import { hashBytes } from './index.ts';
import { hashFileHere, type FileHashResult } from './medium.ts';
import type { HashFormat } from './types.ts';

export interface HashFileOptions {
  /** Read from the medium (O_DIRECT), not the page cache; default true. */
  direct?: boolean;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

export interface Hashing {
  /** Reads a whole file once and returns its digests in every requested format. */
  hashFile(path: string, formats: readonly HashFormat[], options?: HashFileOptions): Promise<FileHashResult>;
  /**
   * Many (small) files in one call, each read whole once: the outcomes in the files' order,
   * a file that cannot be read as its own `{ error }`. Cancelling rejects the whole call.
   */
  hashFiles(files: readonly FileToHash[], options?: HashFileOptions): Promise<FileHashOutcome[]>;
  /** One digest of a buffer (a manifest's C4 ID, a card's fingerprint). */
  hashBytes(format: HashFormat, data: Uint8Array): Promise<string>;
}

/** Hashing in the calling thread: right for a worker, a process of its own (`rushes-fn`), and small tests. */
export const localHashing: Hashing = {
  hashFile: (path, formats, o = {}) => hashFileHere(path, formats, { direct: o.direct ?? true, onBytes: o.onBytes, signal: o.signal }),
  hashFiles: (files, o = {}) => hashFilesHere(files, { direct: o.direct ?? true, onBytes: o.onBytes, signal: o.signal }),
  hashBytes,
};
