/**
 * Inspecting a path without a store (`rushes inspect PATH`): a file is one clip (whatever
 * its format), a folder is walked and grouped into clips (clips.ts), and each clip is
 * probed in the worker pool, a few at a time, records reported as they finish.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { errno, RushesError } from '../errors.ts';
import { walkTree } from '../mhl/index.ts';
import { runTask } from '../runtime/pool.ts';
import { ignoreMatcher } from '../util/ignore.ts';
import { forEachLimited } from '../util/limit.ts';
import { CARD_IGNORE } from '../watch/scan.ts';
import { groupClips, type ClipUnit } from './clips.ts';
import type { ClipRecord } from './types.ts';
import { failedRecord } from './inspect.ts';

export interface InspectTreeOptions {
  /** Clips probed at once (default 2 per pool worker: one waits on its tool while another parses). */
  concurrency?: number;
  timeoutMs?: number;
  roll?: string;
  signal?: AbortSignal;
  onClip?: (record: ClipRecord) => void;
}

export interface ClipSet {
  root: string;
  units: ClipUnit[];
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
    return { root: dirname(abs), units: units.length ? units : [{ kind: 'file', name: basename(abs).replace(/\.[^.]*$/, ''), relativePath: entry.path, files: [entry.path], size: st.size, sidecars: [] }] };
  }
  const tree = await walkTree(abs, ignoreMatcher(CARD_IGNORE));
  return { root: abs, units: groupClips(tree.files.map((f) => ({ path: f.path, size: f.size }))) };
}

export async function inspectTree(set: ClipSet, o: InspectTreeOptions = {}): Promise<ClipRecord[]> {
  const records: ClipRecord[] = [];
  const roll = o.roll ?? basename(set.root);
  await forEachLimited(
    set.units,
    o.concurrency ?? 4,
    async (unit) => {
      const input = { root: set.root, unit, roll, timeoutMs: o.timeoutMs };
      const record = await runTask('inspectClip', input, { signal: o.signal }).catch((e: unknown) => {
        if (o.signal?.aborted) throw e;
        // A worker lost mid-clip (out of memory on a hostile file): this clip says so, the others go on.
        return failedRecord(input, `inspection of ${unit.relativePath} stopped: ${(e as Error).message}`);
      });
      records.push(record);
      o.onClip?.(record);
    },
    o.signal,
  );
  return records.sort((a, b) => (a.source.relativePath < b.source.relativePath ? -1 : 1));
}
