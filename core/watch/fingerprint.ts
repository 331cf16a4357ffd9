/**
 * A card's content fingerprint: the same when the same card is inserted again, different
 * when any file's name, size or modification time differs, or when the bytes of sampled
 * blocks do. It hashes the file list (path, size, mtime to the second: FAT and exFAT keep
 * two-second times and copies may lose sub-second ones) and three blocks (start, middle,
 * end) of the largest files. Reading a few blocks keeps it fast on a card of terabytes.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { RushesError, errno } from '../errors.ts';
import { pooledHashing } from '../runtime/hashing.ts';
import type { CardFile, CardSnapshot } from './types.ts';

export interface FingerprintOptions {
  /** How many of the largest files have blocks read (default 16). */
  sampleFiles?: number;
  /** Bytes per block (default 64 KiB). */
  blockBytes?: number;
}

/** The largest files, ties broken by path, so the same card always samples the same files. */
function sampled(files: readonly CardFile[], n: number): CardFile[] {
  return [...files].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, n);
}

/** Start, middle and end of a file, without overlaps for small files. */
function blockOffsets(size: number, block: number): number[] {
  if (size <= 3 * block) return [0];
  return [0, Math.floor(size / 2 / block) * block, size - block];
}

async function readBlocks(root: string, f: CardFile, block: number): Promise<Buffer[]> {
  const path = join(root, f.path);
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(path, 'r');
    const out: Buffer[] = [];
    for (const offset of blockOffsets(f.size, block)) {
      const buf = Buffer.alloc(Math.min(f.size <= 3 * block ? f.size : block, f.size - offset));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      out.push(buf.subarray(0, bytesRead));
    }
    return out;
  } catch (e) {
    throw new RushesError('SOURCE_UNREADABLE', `cannot read ${path} to fingerprint the card: ${errno(e) ?? (e as Error).message}`, { path, cause: e });
  } finally {
    await fh?.close();
  }
}

export async function fingerprintCard(snapshot: CardSnapshot, o: FingerprintOptions = {}): Promise<string> {
  const block = o.blockBytes ?? 64 * 1024;
  const listing = snapshot.files.map((f) => `${f.path}\0${f.size}\0${Math.floor(f.mtimeMs / 1000)}\n`).join('');
  const parts: Buffer[] = [Buffer.from(`rushes-card-fingerprint-1\n${listing}\n`, 'utf8')];
  for (const f of sampled(snapshot.files, o.sampleFiles ?? 16)) {
    parts.push(Buffer.from(`${f.path}\n`, 'utf8'), ...(await readBlocks(snapshot.root, f, block)));
  }
  // Hashed in the worker pool: the main thread does no hashing.
  return `xxh128:${await pooledHashing.hashBytes('xxh128', Buffer.concat(parts))}`;
}
