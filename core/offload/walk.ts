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

export interface SourceFile extends DiskFile {
  abs: string;
}

export type SourceDirectory = DiskFolder;

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
  const tree = await walkTree(root, ignore);
  const files = tree.files.map((f) => ({ ...f, abs: join(root, f.path) }));
  return {
    files,
    directories: tree.directories,
    problems: tree.errors.map((e) => new RushesError(e.code, e.message, { path: join(root, e.path) })),
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
  };
}
