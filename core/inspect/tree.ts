/**
 * Inspecting a path without a store (`rushes inspect PATH`): a file is one clip (whatever
 * its format), a folder is walked and grouped into clips (clips.ts), and each clip is
 * probed in the worker pool, a few at a time, records reported as they finish.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errno, RushesError } from '../errors.ts';
import { walkTree } from '../mhl/index.ts';
import { ignoreMatcher } from '../util/ignore.ts';
import { forEachLimited } from '../util/limit.ts';
import { CARD_IGNORE } from '../watch/scan.ts';
import { groupClips, type ClipUnit } from './clips.ts';
import type { ClipRecord } from './types.ts';
import { failedRecord, type InspectInput } from './inspect.ts';
import { runTask } from '../runtime/pool.ts';

/** Clips probed at once: two per pool worker on two cores, so one waits on its tool while another parses. */
const CLIPS_AT_ONCE = 4;

export interface InspectTreeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  onClip?: (record: ClipRecord) => void;
}

export interface ClipSet {
  root: string;
  units: ClipUnit[];
  /** What the walk could not list or read (a folder without permission, a name that is not UTF-8): clips there are missing. */
  problems: RushesError[];
}

/** The clips at a path: a file is always one clip (an unknown format still gets a record); a folder's media files grouped. */
export async function findClips(path: string): Promise<ClipSet> {
  const abs = resolve(path);
  const st = await fsp.stat(abs).catch((e: unknown) => {
    throw new RushesError('SOURCE_MISSING', `${abs} cannot be read (${errno(e) ?? (e as Error).message})`, { path: abs, cause: e });
  });
  if (!st.isDirectory()) {
    const entry = { path: basename(abs), size: st.size };
    const units = groupClips([entry]);
    return { root: dirname(abs), units: units.length ? units : [{ kind: 'file', name: basename(abs).replace(/\.[^.]*$/, ''), relativePath: entry.path, files: [entry.path], size: st.size, sidecars: [] }], problems: [] };
  }
  const tree = await walkTree(abs, ignoreMatcher(CARD_IGNORE));
  const problems = tree.errors.map((e) => new RushesError(e.code, e.message, { path: join(abs, e.path) }));
  return { root: abs, units: groupClips(tree.files.map((f) => ({ path: f.path, size: f.size }))), problems };
}

export async function inspectTree(set: ClipSet, o: InspectTreeOptions = {}): Promise<ClipRecord[]> {
  const records: ClipRecord[] = [];
  const roll = basename(set.root);
  await forEachLimited(
    set.units,
    CLIPS_AT_ONCE,
    async (unit) => {
      const input = { root: set.root, unit, roll, timeoutMs: o.timeoutMs };
      const record = await inspectInPool(input, { signal: o.signal });
      records.push(record);
      o.onClip?.(record);
    },
    o.signal,
  );
  return records.sort((a, b) => (a.source.relativePath < b.source.relativePath ? -1 : 1));
}

/**
 * Inspects a clip in the worker pool. Bad input never throws (it becomes a record); a
 * worker lost mid-clip (out of memory on a hostile file) does: with `recordLoss` the clip
 * gets a record that says so instead, so the other clips go on.
 */
export async function inspectInPool(input: InspectInput, o: { signal?: AbortSignal; recordLoss?: boolean } = {}): Promise<ClipRecord> {
  return runTask('inspectClip', input, { signal: o.signal }).catch((e: unknown) => {
    if (o.signal?.aborted || o.recordLoss === false) throw e;
    return failedRecord(input, `inspection of ${input.unit.relativePath} stopped: ${(e as Error).message}`);
  });
}
