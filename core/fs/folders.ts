/**
 * One folder's sub-folders, for a person browsing the daemon's disks to pick a source or a
 * destination (the UI's folder browser), and how much a folder holds (to warn before an
 * offload that a destination lacks the space). Failures name the folder.
 */
import { promises as fsp } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { RushesError, errno } from '../errors.ts';
import { ignoreMatcher } from './ignore.ts';
import { walkTree } from './walk.ts';

export interface FolderEntry {
  name: string;
  path: string;
}

export interface FolderListing {
  path: string;
  /** Absent at the root. */
  parent?: string;
  folders: FolderEntry[];
  /** More folders than the limit: the first `limit` by name are listed. */
  truncated: boolean;
}

function folderError(e: unknown, path: string): RushesError {
  const code = errno(e);
  if (code === 'ENOENT') return new RushesError('NOT_FOUND', `no folder ${path}`, { path });
  if (code === 'ENOTDIR') return new RushesError('USAGE', `${path} is a file, not a folder`, { path });
  return new RushesError('USAGE', `cannot read the folder ${path} (${code ?? (e as Error).message})`, { path });
}

/** Sub-folders of `path` by name (hidden ones left out: volume junk, not footage), at most `limit`. */
export async function listFolders(path: string, o: { limit?: number } = {}): Promise<FolderListing> {
  if (!isAbsolute(path)) throw new RushesError('USAGE', `a folder to list must be an absolute path (got "${path}")`, { path });
  const dir = resolve(path);
  const limit = o.limit ?? 2000;
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
    throw folderError(e, dir);
  });
  const folders: FolderEntry[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    // A link to a folder is a folder to a person browsing (a RAID linked into the home folder).
    const isFolder = e.isDirectory() || (e.isSymbolicLink() && (await fsp.stat(join(dir, e.name)).then((s) => s.isDirectory(), () => false)));
    if (isFolder) folders.push({ name: e.name, path: join(dir, e.name) });
  }
  folders.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' }));
  return { path: dir, parent: dirname(dir) === dir ? undefined : dirname(dir), folders: folders.slice(0, limit), truncated: folders.length > limit };
}

/** Bytes and files under a folder, as an offload of it would count them (nothing ignored). */
export async function folderUsage(path: string): Promise<{ path: string; bytes: number; files: number }> {
  if (!isAbsolute(path)) throw new RushesError('USAGE', `a folder to measure must be an absolute path (got "${path}")`, { path });
  const dir = resolve(path);
  const st = await fsp.stat(dir).catch((e: unknown) => {
    throw folderError(e, dir);
  });
  if (!st.isDirectory()) throw folderError(Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }), dir);
  const tree = await walkTree(dir, ignoreMatcher([]));
  return { path: dir, bytes: tree.files.reduce((n, f) => n + f.size, 0), files: tree.files.length };
}
