/**
 * Lists what is on disk under a history root, minus ignored names: every regular file with
 * size and mtime, and every folder (so empty folders count). Symbolic links are followed
 * as the reference tool follows them, with a guard against links back into their own
 * ancestry; whatever cannot be read is listed as an error, and the walk goes on.
 */
import { Stats, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { ErrorCode } from '../errors.ts';
import { errno } from '../errors.ts';
import type { IgnoreMatcher } from '../util/ignore.ts';
import { compareCodePoints, joinRelative } from './paths.ts';

export interface DiskFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface DiskFolder {
  path: string;
  mtimeMs: number;
}

export interface WalkError {
  path: string;
  code: ErrorCode;
  message: string;
}

export interface DiskTree {
  files: DiskFile[];
  /** Every folder below the root ('' not included). */
  directories: DiskFolder[];
  errors: WalkError[];
}

const STAT_BATCH = 64;

/** stat() of each path (following links), or the error it gave, in order. */
async function statAll(paths: string[]): Promise<(Stats | unknown)[]> {
  const out: (Stats | unknown)[] = [];
  for (let i = 0; i < paths.length; i += STAT_BATCH) {
    out.push(...(await Promise.all(paths.slice(i, i + STAT_BATCH).map((p) => fsp.stat(p).catch((e: unknown) => e)))));
  }
  return out;
}

export async function walkTree(root: string, ignore: IgnoreMatcher): Promise<DiskTree> {
  const tree: DiskTree = { files: [], directories: [], errors: [] };
  const visit = async (rel: string, ancestry: Set<string>): Promise<void> => {
    let names: string[];
    try {
      names = await fsp.readdir(join(root, rel));
    } catch (e) {
      tree.errors.push({ path: rel, code: 'SOURCE_UNREADABLE', message: `cannot list folder ${rel || '.'}: ${errno(e) ?? String(e)}` });
      return;
    }
    names.sort(compareCodePoints);
    // stat() the whole folder at once: on 10,000 small files the walk is otherwise bound by one syscall at a time.
    const stats = await statAll(names.map((name) => join(root, rel, name)));
    for (let i = 0; i < names.length; i++) {
      const path = joinRelative(rel, names[i]);
      const st = stats[i];
      if (!(st instanceof Stats)) {
        const link = await fsp.lstat(join(root, path)).then((s) => s.isSymbolicLink(), () => false);
        if (!ignore.ignores(path, false)) {
          tree.errors.push({ path, code: 'SOURCE_UNREADABLE', message: `${link ? 'broken symbolic link' : 'cannot read'} ${path}: ${errno(st) ?? String(st)}` });
        }
        continue;
      }
      if (st.isDirectory()) {
        if (ignore.ignores(path, true)) continue;
        const id = `${st.dev}:${st.ino}`;
        if (ancestry.has(id)) {
          tree.errors.push({ path, code: 'SYMLINK_LOOP', message: `${path} links back into its own ancestry` });
          continue;
        }
        tree.directories.push({ path, mtimeMs: st.mtimeMs });
        await visit(path, new Set([...ancestry, id]));
      } else if (st.isFile()) {
        if (ignore.ignores(path, false)) continue;
        tree.files.push({ path, size: st.size, mtimeMs: st.mtimeMs });
      }
      // Sockets, FIFOs and devices are not media; they are neither hashed nor reported.
    }
  };
  const rootStat = await fsp.stat(root);
  await visit('', new Set([`${rootStat.dev}:${rootStat.ino}`]));
  return tree;
}
