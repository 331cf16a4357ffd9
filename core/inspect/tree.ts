/**
 * Inspecting a path without a store (`rushes inspect PATH`): a file is one clip (whatever
 * its format), a folder is walked and grouped into clips (clips.ts), and each clip is
 * probed in the worker pool, a few at a time, records reported as they finish.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve, sep } from 'node:path';
import { errno, RushesError } from '../errors.ts';
import { walkTree } from '../mhl/index.ts';
import { ignoreMatcher, type IgnoreMatcher } from '../fs/ignore.ts';
import { forEachLimited } from '../util/limit.ts';
import { VOLUME_JUNK } from '../fs/ignore.ts';
import { DEFAULT_IGNORE } from '../mhl/model.ts';
import { groupClips, type ClipUnit, type FileEntry } from './clips.ts';
import type { ClipRecord } from './types.ts';
import { inspectWith } from './function.ts';
import { threadExecutor, type Executor } from '../runtime/executor.ts';

/** Clips probed at once: two per pool worker on two cores, so one waits on its tool while another parses. */
const CLIPS_AT_ONCE = 4;

export interface InspectTreeOptions {
  timeoutMs?: number;
  /** Where clips are inspected (default: this process's worker threads). */
  executor?: Executor;
  signal?: AbortSignal;
  onClip?: (record: ClipRecord) => void;
}

export interface ClipSet {
  root: string;
  units: ClipUnit[];
  /** What the walk could not list or read (a folder without permission, a name that is not UTF-8): clips there are missing. */
  problems: RushesError[];
}

/**
 * The clips at a path. A folder is walked and its media files grouped (clips.ts). A file is
 * the clip it belongs to, found the same way among the files of its folder — so its
 * sidecars (M01.XML, .XML, .sidecar) ride along exactly as in a folder walk, and a frame is
 * its sequence, a segment its RED clip; a file no grouping claims (an unknown format) is
 * still one clip and gets a record.
 */
export async function findClips(path: string): Promise<ClipSet> {
  const abs = resolve(path);
  const st = await fsp.stat(abs).catch((e: unknown) => {
    throw new RushesError('SOURCE_MISSING', `${abs} cannot be read (${errno(e) ?? (e as Error).message})`, { path: abs, cause: e });
  });
  const ignore = ignoreMatcher([...DEFAULT_IGNORE, ...VOLUME_JUNK]);
  if (st.isDirectory()) {
    const tree = await walkTree(abs, ignore);
    const problems = tree.errors.map((e) => new RushesError(e.code, e.message, { path: join(abs, e.path) }));
    return { root: abs, units: groupClips(tree.files.map((f) => ({ path: f.path, size: f.size }))), problems };
  }
  // A RED segment's clip is its .RDC folder: its clip is grouped from the folder above.
  const folder = dirname(abs);
  const root = /\.rdc$/i.test(folder) ? dirname(folder) : folder;
  const rel = relative(root, abs).split(sep).join('/');
  const siblings = await listFolder(root, posix.dirname(rel), ignore);
  const unit = groupClips([...siblings.filter((f) => f.path !== rel), { path: rel, size: st.size }]).find((u) => u.files.includes(rel));
  return { root, units: [unit ?? { kind: 'file', name: basename(abs).replace(/\.[^.]*$/, ''), relativePath: rel, files: [rel], size: st.size, sidecars: [] }], problems: [] };
}

/** The files of one folder (not its subfolders), relative to `root`; what cannot be read is left out, as the clip itself was read. */
async function listFolder(root: string, relDir: string, ignore: IgnoreMatcher): Promise<FileEntry[]> {
  const dir = join(root, relDir);
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  const entries = await Promise.all(
    names.map(async (name) => {
      const path = relDir === '.' ? name : `${relDir}/${name}`;
      const st = await fsp.stat(join(dir, name)).catch(() => undefined);
      return st?.isFile() && !ignore.ignores(path, false) ? { path, size: st.size } : undefined;
    }),
  );
  return entries.filter((e): e is FileEntry => e !== undefined);
}

export async function inspectTree(set: ClipSet, o: InspectTreeOptions = {}): Promise<ClipRecord[]> {
  const records: ClipRecord[] = [];
  await forEachLimited(
    set.units,
    CLIPS_AT_ONCE,
    async (unit) => {
      // No roll is passed: the folder inspected (a mount point, XDROOT/Clip) is no roll; the record takes the camera's.
      const input = { root: set.root, unit, timeoutMs: o.timeoutMs };
      const record = await inspectWith(o.executor ?? threadExecutor, input, { signal: o.signal });
      records.push(record);
      o.onClip?.(record);
    },
    o.signal,
  );
  return records.sort((a, b) => (a.source.relativePath < b.source.relativePath ? -1 : 1));
}
