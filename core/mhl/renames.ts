/**
 * Rename detection for `rushes mhl create --detect-renaming`, after the reference tool's
 * `create --detect_renaming`: a recorded file that is gone and a file the history does not
 * know, in the same history, with the same size and the same digest in every format both
 * have, are one file that was renamed or moved. Its new entry then records where it was
 * (<previousPath>), so later checks, ours and the reference tool's, stop reporting the old
 * path as missing.
 *
 * Unlike the reference tool, each gone file is matched to one new file at most (it would
 * mark every copy of a duplicated file as "renamed from" the same path), and folders are
 * not matched: a renamed folder's files are found, its old path stays missing.
 */
import type { Digests, HashFormat } from '../hash/index.ts';
import type { MhlHistory } from './model.ts';
import type { FileExpectation } from './records.ts';

/** A recorded file that is no longer on disk. */
export interface GoneFile {
  path: string;
  expectation: FileExpectation;
}

/** A file on disk that the history does not know, as just hashed. */
export interface NewFile {
  path: string;
  history: MhlHistory;
  size: number;
  digests: Digests;
}

/**
 * Formats a new file of `size` must also be hashed in, beyond those requested, so that it can
 * be compared with every gone file of that size (as the reference tool hashes the new file
 * in the gone file's format when the two share none).
 */
export function formatsToMatchGone(gone: readonly GoneFile[], size: number, requested: readonly HashFormat[]): HashFormat[] {
  if (gone.length === 0) return []; // most creates: asked of every new file
  const extra = new Set<HashFormat>();
  for (const g of gone) {
    if (g.expectation.size !== undefined && g.expectation.size !== size) continue;
    const recorded = [...g.expectation.digests.keys()];
    if (recorded.length > 0 && !recorded.some((f) => requested.includes(f))) extra.add(recorded[0]);
  }
  return [...extra];
}

function sameContent(gone: FileExpectation, file: NewFile): boolean {
  if (gone.history !== file.history || (gone.size !== undefined && gone.size !== file.size)) return false;
  let compared = false;
  for (const [format, digest] of gone.digests) {
    const actual = file.digests[format];
    if (actual === undefined) continue;
    if (actual !== digest) return false;
    compared = true;
  }
  return compared;
}

/** New path → the gone path it was renamed from. */
export function matchRenames(gone: readonly GoneFile[], files: readonly NewFile[]): Map<string, string> {
  const renames = new Map<string, string>();
  const taken = new Set<string>();
  for (const file of files) {
    const from = gone.find((g) => !taken.has(g.path) && sameContent(g.expectation, file));
    if (!from) continue;
    renames.set(file.path, from.path);
    taken.add(from.path);
  }
  return renames;
}
