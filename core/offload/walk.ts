/**
 * Lists a source tree: every file with size and times, every folder (empty ones too),
 * and a problem for each entry that cannot be offloaded (bad name, symlink loop, unreadable
 * folder) so the rest of the card still goes.
 */
import { promises as fsp, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { RushesError, errno } from '../errors.ts';
import type { IgnoreMatcher } from '../util/ignore.ts';

export interface SourceFile {
  /** Relative to the source root, '/'-separated, exactly as on disk. */
  path: string;
  abs: string;
  size: number;
  mtimeMs: number;
  /** Full-precision times, so copies keep nanoseconds where the filesystem does. */
  mtimeNs: bigint;
  atimeNs: bigint;
}

export interface SourceDirectory {
  path: string;
  mtimeNs: bigint;
  atimeNs: bigint;
}

export interface SourceTree {
  files: SourceFile[];
  /** Every folder below the root, relative; '' (the root) is not listed. */
  directories: SourceDirectory[];
  problems: RushesError[];
  totalBytes: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(raw: Buffer): string | undefined {
  try {
    return strictUtf8.decode(raw);
  } catch {
    return undefined;
  }
}

export async function walkSource(root: string, ignore: IgnoreMatcher): Promise<SourceTree> {
  const tree: SourceTree = { files: [], directories: [], problems: [], totalBytes: 0 };
  const rootStat = await fsp.stat(root, { bigint: true }).catch((e) => {
    throw new RushesError('SOURCE_MISSING', `source ${root} cannot be read: ${errno(e) ?? (e as Error).message}`, { path: root, cause: e });
  });
  if (!rootStat.isDirectory()) throw new RushesError('SOURCE_MISSING', `source ${root} is not a folder`, { path: root });
  await walkDir(root, '', [`${rootStat.dev}:${rootStat.ino}`], ignore, tree);
  tree.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  tree.directories.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return tree;
}

async function walkDir(abs: string, rel: string, ancestors: string[], ignore: IgnoreMatcher, tree: SourceTree): Promise<void> {
  let entries;
  try {
    entries = await fsp.readdir(abs, { withFileTypes: true, encoding: 'buffer' });
  } catch (e) {
    tree.problems.push(new RushesError('SOURCE_UNREADABLE', `cannot list folder ${abs}: ${errno(e) ?? (e as Error).message}`, { path: abs, cause: e }));
    return;
  }
  for (const entry of entries) {
    const raw = entry.name as unknown as Buffer;
    const name = decodeName(raw);
    if (name === undefined) {
      const shown = join(abs, raw.toString('utf8')); // lossy, for the message only
      tree.problems.push(
        new RushesError('BAD_FILENAME', `file name is not valid UTF-8 and cannot be recorded in an ASC MHL: ${shown} (name bytes ${raw.toString('hex')})`, { path: shown }),
      );
      continue;
    }
    const childRel = rel ? `${rel}/${name}` : name;
    const absPath = join(abs, name);
    let st: BigIntStats;
    try {
      // stat follows symlinks: a link on a card is offloaded as the file it points to.
      st = await fsp.stat(absPath, { bigint: true });
    } catch (e) {
      const code = errno(e);
      if (code === 'ELOOP') tree.problems.push(new RushesError('SYMLINK_LOOP', `symlink loop at ${absPath}`, { path: absPath, cause: e }));
      else tree.problems.push(new RushesError('SOURCE_UNREADABLE', `cannot read ${absPath}: ${code ?? (e as Error).message}`, { path: absPath, cause: e }));
      continue;
    }
    if (st.isDirectory()) {
      if (ignore.ignores(childRel, true)) continue;
      const id = `${st.dev}:${st.ino}`;
      if (ancestors.includes(id)) {
        tree.problems.push(new RushesError('SYMLINK_LOOP', `symlink loop: ${absPath} leads back to one of its own parent folders`, { path: absPath }));
        continue;
      }
      tree.directories.push({ path: childRel, mtimeNs: st.mtimeNs, atimeNs: st.atimeNs });
      await walkDir(absPath, childRel, [...ancestors, id], ignore, tree);
    } else if (st.isFile()) {
      if (ignore.ignores(childRel, false)) continue;
      tree.files.push({ path: childRel, abs: absPath, size: Number(st.size), mtimeMs: Number(st.mtimeNs) / 1e6, mtimeNs: st.mtimeNs, atimeNs: st.atimeNs });
      tree.totalBytes += Number(st.size);
    }
    // Sockets, FIFOs and devices are not footage; they are skipped silently.
  }
}
