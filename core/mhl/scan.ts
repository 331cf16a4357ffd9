/**
 * The common first half of verify, create and diff: load the history, take the ignore
 * patterns of its latest generation, list the disk, and pair what is on disk with what is
 * recorded — new files, missing paths, and for each known file what it should be.
 *
 * Names are matched exactly first; a name that differs only in Unicode normalisation (a
 * manifest written with NFC names, a disk that stores NFD) is matched by its NFC form.
 */
import { ignoreMatcher, type IgnoreMatcher } from '../fs/ignore.ts';
import { latestIgnorePatterns } from './history.ts';
import type { MhlHistory } from './model.ts';
import { parentOf } from './paths.ts';
import { expectationFor, indexHistory, type FileExpectation, type HistoryIndex } from './records.ts';
import { applyIgnore, type DiskFile, type DiskTree } from '../fs/walk.ts';
import { localMhlHashing, type MhlHashing } from './hashing.ts';

export interface ScannedFile extends DiskFile {
  /** The recorded path this file answers to (differs from `path` only by normalisation). */
  recordedPath: string;
  expectation?: FileExpectation;
}

export interface Scan {
  history: MhlHistory;
  index: HistoryIndex;
  patterns: string[];
  ignore: IgnoreMatcher;
  tree: DiskTree;
  files: ScannedFile[];
  /** Files with no usable record in their history. */
  newFiles: ScannedFile[];
  /** Recorded paths (files and folders) that are not on disk, not ignored and not renamed since. */
  missing: string[];
}

/** True when the path or any folder above it matches an ignore pattern. */
export function isIgnored(ignore: IgnoreMatcher, path: string, isDirectory: boolean): boolean {
  if (ignore.ignores(path, isDirectory)) return true;
  for (let p = parentOf(path); p !== ''; p = parentOf(p)) if (ignore.ignores(p, true)) return true;
  return false;
}


/**
 * Lists everything under `root`, ignoring nothing yet, for `scan` to filter once the history
 * says what to ignore: started before the history is loaded, the walk (in a worker) runs
 * while this thread reads the manifests, rather than after.
 */
export function listEverything(root: string, hashing: MhlHashing = localMhlHashing): Promise<DiskTree> {
  const listing = hashing.walkTree(root, []);
  listing.catch(() => undefined); // awaited by scan, or never if the history cannot be loaded
  return listing;
}

/**
 * `hashing` says where the disk is listed (default: here, without blocking); `listing`, from
 * listEverything(history.root), is used instead of listing it now.
 */
export async function scan(history: MhlHistory, extraIgnore: readonly string[] = [], hashing: MhlHashing = localMhlHashing, listing?: Promise<DiskTree>): Promise<Scan> {
  const index = indexHistory(history);
  const patterns = [...latestIgnorePatterns(history)];
  for (const p of extraIgnore) if (!patterns.includes(p)) patterns.push(p);
  const ignore = ignoreMatcher(patterns);
  const tree = listing ? applyIgnore(await listing, ignore) : await hashing.walkTree(history.root, patterns);

  const byNfc = new Map<string, string>();
  const recordedKey = (path: string): string => {
    if (index.recordedPaths.has(path)) return path;
    if (byNfc.size === 0) for (const k of index.recordedPaths) byNfc.set(k.normalize('NFC'), k);
    return byNfc.get(path.normalize('NFC')) ?? path;
  };

  const files: ScannedFile[] = [];
  const newFiles: ScannedFile[] = [];
  const present = new Set<string>();
  for (const f of tree.files) {
    const key = recordedKey(f.path);
    present.add(key);
    const expectation = expectationFor(index, key);
    const scanned: ScannedFile = { ...f, recordedPath: key, expectation };
    files.push(scanned);
    if (!expectation) newFiles.push(scanned);
  }
  for (const d of tree.directories) present.add(recordedKey(d.path));
  const missing = [...index.recordedPaths]
    .filter((p) => !present.has(p) && !index.renamedAway.has(p) && !isIgnored(ignore, p, index.recordedFolders.has(p)))
    .sort();
  return { history, index, patterns, ignore, tree, files, newFiles, missing };
}
