/**
 * The local copy an object is uploaded from (a verified destination copy, never the camera
 * card): its size and time, and what it means when its bytes are not the recorded ones.
 */
import { stat } from 'node:fs/promises';
import { errno, RushesError } from '../errors.ts';
import type { SyncFile } from './context.ts';

export interface LocalFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export async function statLocal(path: string): Promise<LocalFile> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new RushesError('SOURCE_MISSING', `${path} is not a file; only files are uploaded`, { path });
    return { path, size: s.size, mtimeMs: s.mtimeMs };
  } catch (e) {
    if (e instanceof RushesError) throw e;
    throw new RushesError('SOURCE_MISSING', `cannot read ${path} for upload: ${errno(e) ?? (e as Error).message}`, { path, cause: e });
  }
}

/** A local copy whose bytes hash to something else than the MHL says: not uploaded as if it were the same file. */
export function xxh64Mismatch(file: SyncFile, got: string): RushesError {
  return new RushesError('SOURCE_CHANGED', `${file.path} hashes to xxh64 ${got} but its record says ${file.xxh64}; it changed since it was verified, so it is not uploaded`, {
    path: file.path,
  });
}
