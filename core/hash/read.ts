/**
 * Hash a file as it is on the medium (O_DIRECT; see ./medium.ts). The reading and hashing
 * run in the worker-thread pool: the main thread keeps the event loop, progress and the
 * store, and does no hashing.
 */
import { runTask } from '../runtime/pool.ts';
import type { FileHashResult } from './medium.ts';
import type { HashFormat } from './types.ts';

export { READ_CHUNK, type FileHashResult, type ReadMode } from './medium.ts';

/**
 * Reads a whole file once and returns its digests in every requested format.
 * `onBytes` reports progress while the file is read; `signal` stops the read between chunks.
 */
export async function hashFile(
  path: string,
  formats: readonly HashFormat[],
  options: { direct?: boolean; onBytes?: (n: number) => void; signal?: AbortSignal } = {},
): Promise<FileHashResult> {
  return runTask('hashFile', { path, formats: [...formats], direct: options.direct ?? true }, options);
}
