/**
 * The source listing of an offload: the engine's one tree walk (core/mhl/walk.ts) plus
 * what the copy needs — absolute paths, the total size — and each entry that cannot be
 * offloaded (bad name, symlink loop, unreadable) as an error naming it, so the rest of
 * the card still goes.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { RushesError, errno } from '../errors.ts';
import { walkTree, type DiskFile, type DiskFolder } from '../mhl/index.ts';
import type { IgnoreMatcher } from '../fs/ignore.ts';

/** Times to the nanosecond: a copy keeps them, and a change since listing is told by them. */
interface ExactTimes {
  mtimeNs: bigint;
  atimeNs: bigint;
}

export type SourceFile = DiskFile & ExactTimes & { abs: string };

export type SourceDirectory = DiskFolder & ExactTimes;

export interface SourceTree {
  files: SourceFile[];
  /** Every folder below the root, relative; '' (the root) is not listed. */
  directories: SourceDirectory[];
  problems: RushesError[];
  totalBytes: number;
}

export async function walkSource(root: string, ignore: IgnoreMatcher): Promise<SourceTree> {
  const st = await fsp.stat(root).catch((e) => {
    throw new RushesError('SOURCE_MISSING', `source ${root} cannot be read: ${errno(e) ?? (e as Error).message}`, { path: root, cause: e });
  });
  if (!st.isDirectory()) throw new RushesError('SOURCE_MISSING', `source ${root} is not a folder`, { path: root });
  const tree = await walkTree(root, ignore, { exactTimes: true });
  const files = tree.files.map((f) => ({ ...f, ...exactTimes(root, f), abs: join(root, f.path) }));
  return {
    files,
    directories: tree.directories.map((d) => ({ ...d, ...exactTimes(root, d) })),
    problems: tree.errors.map((e) => new RushesError(e.code, e.message, { path: join(root, e.path) })),
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
  };
}

function exactTimes(root: string, entry: DiskFolder): ExactTimes {
  if (entry.mtimeNs === undefined || entry.atimeNs === undefined) throw new RushesError('INTERNAL', `${join(root, entry.path)} was listed without its exact times`, { path: join(root, entry.path) });
  return { mtimeNs: entry.mtimeNs, atimeNs: entry.atimeNs };
}
