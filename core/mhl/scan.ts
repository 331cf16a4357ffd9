/**
 * The common first half of verify, create and diff: load the history, take the ignore
 * patterns of its latest generation, list the disk, and pair what is on disk with what is
 * recorded — new files, missing paths, and for each known file what it should be. Given a
 * plan, the small files are hashed as their folders are listed (./sweep.ts), each as the
 * plan says for what the history expects of it.
 *
 * Names are matched exactly first; a name that differs only in Unicode normalisation (a
 * manifest written with NFC names, a disk that stores NFD) is matched by its NFC form.
 */
import { ignoreMatcher, type IgnoreMatcher } from '../fs/ignore.ts';
import { applyIgnore, type DiskFile, type DiskTree } from '../fs/walk.ts';
import { countHashed, withExtraPatterns, type StartedScan } from './scan-start.ts';
import type { FileHashOutcome } from '../hash/batch.ts';
import type { Digests, HashFormat } from '../hash/index.ts';
import { latestIgnorePatterns } from './history.ts';
import { localMhlHashing, type MhlHashing } from './hashing.ts';
import type { MhlHistory } from './model.ts';
import { baseName, joinRelative, parentOf } from './paths.ts';
import type { MhlProgressCounter } from './progress.ts';
import { expectationFor, indexHistory, type FileExpectation, type HistoryIndex } from './records.ts';
import { sweepTree, type HashedAsListed, type SweptTree } from './sweep.ts';
import type { FolderPlan } from './sweep-folder.ts';

export interface ScannedFile extends DiskFile {
  /** The recorded path this file answers to (differs from `path` only by normalisation). */
  recordedPath: string;
  expectation?: FileExpectation;
  /** Its digests when it was hashed as listed, exactly as the plan says for its expectation. */
  hashed?: FileHashOutcome;
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

/** How the files are hashed as listed. */
export interface HashPlan {
  /** The formats for a file the history expects this of (undefined: a new file); none: not hashed. */
  formats(expectation: FileExpectation | undefined): HashFormat[];
  /** Read files the history knows from the medium (O_DIRECT). */
  knownDirect: boolean;
  /** Read new files from the medium too. */
  othersDirect: boolean;
}

export interface ScanOptions {
  /** Patterns added to the history's own. */
  ignore?: readonly string[];
  /** Hash small files as listed, as the plan made from the history's index says. Without one nothing is hashed. */
  plan?: (index: HistoryIndex) => HashPlan;
  /** Where the disk is listed and read (default: here, without blocking). */
  hashing?: MhlHashing;
  /** Counts the files hashed as listed, as they are (the totals grow with them). */
  progress?: MhlProgressCounter;
  signal?: AbortSignal;
  /** The listing begun while the history loaded (beginScan, ./scan-start.ts); without one it starts now. */
  started?: StartedScan;
}

/** True when the path or any folder above it matches an ignore pattern. */
export function isIgnored(ignore: IgnoreMatcher, path: string, isDirectory: boolean): boolean {
  if (ignore.ignores(path, isDirectory)) return true;
  for (let p = parentOf(path); p !== ''; p = parentOf(p)) if (ignore.ignores(p, true)) return true;
  return false;
}

const HASH_NOTHING: HashPlan = { formats: () => [], knownDirect: true, othersDirect: true };

export async function scan(history: MhlHistory, options: ScanOptions = {}): Promise<Scan> {
  const index = indexHistory(history);
  const patterns = withExtraPatterns(latestIgnorePatterns(history), options.ignore);
  const ignore = ignoreMatcher(patterns);
  const plan = options.plan?.(index) ?? HASH_NOTHING;

  const expectations = new Map<string, FileExpectation | undefined>();
  const expect = (path: string): FileExpectation | undefined => {
    if (!index.files.has(path)) return undefined; // a new file: most of them, on a first generation all
    if (!expectations.has(path)) expectations.set(path, expectationFor(index, path));
    return expectations.get(path);
  };
  let recordedIn: Map<string, string[]> | undefined;
  const namesRecordedIn = (folder: string): string[] => {
    if (!recordedIn) {
      recordedIn = new Map();
      for (const path of index.files.keys()) {
        const names = recordedIn.get(parentOf(path));
        if (names) names.push(baseName(path));
        else recordedIn.set(parentOf(path), [baseName(path)]);
      }
    }
    return recordedIn.get(folder) ?? [];
  };
  const folderPlan = (folder: string): FolderPlan => {
    const known: Record<string, HashFormat[]> = {};
    for (const name of namesRecordedIn(folder)) {
      const e = expect(joinRelative(folder, name));
      if (e) known[name] = plan.formats(e);
    }
    return { known, knownDirect: plan.knownDirect, others: plan.formats(undefined), othersDirect: plan.othersDirect };
  };

  // The listing begun before the history loaded is kept when it ignored nothing these patterns keep (they may ignore more).
  const begun = await options.started?.begun;
  let swept: SweptTree;
  if (begun && begun.patterns.every((p) => patterns.includes(p))) {
    swept = await begun.swept;
    if (patterns.length > begun.patterns.length) swept = { ...swept, tree: applyIgnore(swept.tree, ignore) };
  } else {
    options.started?.cancel();
    const progress = options.progress;
    swept = await sweepTree(history.root, { patterns, ignore, planFor: folderPlan, onHashed: progress && ((f, outcome) => countHashed(progress, f, outcome)) }, options.hashing ?? localMhlHashing, { signal: options.signal });
  }
  const { tree, hashed } = swept;

  const byNfc = new Map<string, string>();
  const recordedKey = (path: string): string => {
    if (index.recordedPaths.has(path) || index.recordedPaths.size === 0) return path;
    if (byNfc.size === 0) for (const k of index.recordedPaths) byNfc.set(k.normalize('NFC'), k);
    return byNfc.get(path.normalize('NFC')) ?? path;
  };

  const files: ScannedFile[] = [];
  const newFiles: ScannedFile[] = [];
  const present = new Set<string>();
  // What is on disk, kept only to tell what recorded path is missing (nothing, on a first generation).
  const recordsAny = index.recordedPaths.size > 0;
  for (const f of tree.files) {
    const key = recordedKey(f.path);
    if (recordsAny) present.add(key);
    const expectation = expect(key);
    // Spelled out: a spread copies 10,000 objects property by property.
    const scanned: ScannedFile = { path: f.path, size: f.size, mtimeMs: f.mtimeMs, mtimeNs: f.mtimeNs, atimeNs: f.atimeNs, recordedPath: key, expectation, hashed: asPlanned(hashed.get(f.path), plan, expectation) };
    files.push(scanned);
    if (!expectation) newFiles.push(scanned);
  }
  if (recordsAny) for (const d of tree.directories) present.add(recordedKey(d.path));
  const missing = [...index.recordedPaths]
    .filter((p) => !present.has(p) && !index.renamedAway.has(p) && !isIgnored(ignore, p, index.recordedFolders.has(p)))
    .sort();
  return { history, index, patterns, ignore, tree, files, newFiles, missing };
}

/**
 * A file's outcome as listed, kept when that read is the one its plan asks for — every
 * format it needs (and only those are kept), from the medium when it must be — else
 * undefined, and the file is read again. A read that failed stands, when the plan reads the file at all.
 */
function asPlanned(read: HashedAsListed | undefined, plan: HashPlan, expectation: FileExpectation | undefined): FileHashOutcome | undefined {
  if (!read) return undefined;
  const formats = plan.formats(expectation);
  if (formats.length === 0) return undefined;
  if ((expectation ? plan.knownDirect : plan.othersDirect) && !read.direct) return undefined;
  const r = read.outcome;
  if ('error' in r) return r;
  if (!formats.every((f) => r.digests[f] !== undefined)) return undefined;
  if (Object.keys(r.digests).length === formats.length) return r;
  const digests: Digests = {};
  for (const f of formats) digests[f] = r.digests[f];
  return { ...r, digests };
}
