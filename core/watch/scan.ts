/**
 * Lists a card the way detection needs it: relative paths, sizes and modification times,
 * through the engine's one tree walk, leaving out what operating systems drop on volumes
 * (Spotlight indexes, trash folders, AppleDouble files) and the ascmhl history.
 */
import { promises as fsp } from 'node:fs';
import { DEFAULT_IGNORE, walkTree } from '../mhl/index.ts';
import { RushesError, errno } from '../errors.ts';
import { ignoreMatcher, VOLUME_JUNK, type IgnoreMatcher } from '../fs/ignore.ts';
import type { CardSnapshot } from './types.ts';

/** What card detection and auto-ingest leave out by default: ASC MHL's defaults and volume junk. */
export const CARD_IGNORE: readonly string[] = [...DEFAULT_IGNORE, ...VOLUME_JUNK];

export async function scanCard(root: string, ignore: IgnoreMatcher = ignoreMatcher(CARD_IGNORE)): Promise<CardSnapshot> {
  const st = await fsp.stat(root).catch((e: unknown) => {
    throw new RushesError('SOURCE_MISSING', `card ${root} cannot be read: ${errno(e) ?? (e as Error).message}`, { path: root, cause: e });
  });
  if (!st.isDirectory()) throw new RushesError('SOURCE_MISSING', `card ${root} is not a folder`, { path: root });
  const tree = await walkTree(root, ignore);
  const files = tree.files.map((f) => ({ path: f.path, size: f.size, mtimeMs: f.mtimeMs })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, files, bytes: files.reduce((sum, f) => sum + f.size, 0) };
}
