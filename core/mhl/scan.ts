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
import type { FileHashOutcome } from '../hash/batch.ts';
import type { Digests, HashFormat } from '../hash/index.ts';
import { latestIgnorePatterns } from './history.ts';
import { localMhlHashing, type MhlHashing } from './hashing.ts';
import type { MhlHistory } from './model.ts';
import { baseName, joinRelative, parentOf } from './paths.ts';
import type { MhlProgressCounter } from './progress.ts';
import { expectationFor, indexHistory, type FileExpectation, type HistoryIndex } from './records.ts';
import { sweepTree, type HashedAsListed, type SweptTree } from './sweep.ts';
import { glimpseHistory, type Glimpse } from './glimpse.ts';
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
  /** The listing begun while the history loaded (beginScan); without one it starts now. */
  started?: StartedScan;
}

/** How the listing begun before the history loaded reads small files, from a glimpse of that history. */
export interface Guess {
  formats: HashFormat[];
  /** From the medium (O_DIRECT). */
  direct: boolean;
}

export interface StartedScan {
  /** The patterns it lists with, what it reads, and the tree it comes to; undefined when there was nothing to guess from. */
  begun: Promise<{ patterns: string[]; swept: Promise<SweptTree> } | undefined>;
  /** Stops it: the history could not be loaded, or there is nothing to check. */
  cancel(): void;
}

/**
 * Starts listing `root` now, and hashing its small files as `guess` says from a glimpse of
 * its history (glimpse.ts), while the history itself loads: on 10,000 files, loading the
 * manifest and reading the files each take ~0.3–0.5 s. scan() then keeps what the history
 * confirms: a listing made with patterns the history also has, and a file read in every
 * format and from where (medium or cache) its plan asks; anything else is done again.
 */
export function beginScan(root: string, guess: (g: Glimpse) => Guess, options: Pick<ScanOptions, 'ignore' | 'hashing' | 'progress' | 'signal'> = {}): StartedScan {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const progress = options.progress;
  progress?.announce();
  const begun = glimpseHistory(root).then((g) => {
    if (!g) return undefined;
    const patterns = merged(g.patterns, options.ignore);
    const how = guess(g);
    const plan: FolderPlan = { known: {}, knownDirect: how.direct, others: how.formats, othersDirect: how.direct };
    const hashing = options.hashing ?? localMhlHashing;
    const read = { signal, onBytes: progress && ((n: number) => progress.bytes(n)) };
    // With a history to load, this thread is busy reading it for a while: the tree goes out as one task.
    const swept = g.history
      ? hashing.sweepWholeTree({ root, patterns, plan }, read).then((s) => {
          // Files are counted as the task ends (its bytes as they are read).
          if (progress) for (const f of s.tree.files) if (s.hashed.has(f.path)) countHashed(progress, f);
          return s;
        })
      : sweepTree(root, { patterns, ignore: ignoreMatcher(patterns), planFor: () => plan, onHashed: progress && ((f) => countHashed(progress, f)) }, hashing, read);
    swept.catch(() => undefined); // scan() awaits it, or it was cancelled
    return { patterns, swept };
  });
  begun.catch(() => undefined);
  return { begun, cancel: () => stop.abort(new DOMException('the scan is no longer needed', 'AbortError')) };
}

function merged(patterns: readonly string[], extra: readonly string[] = []): string[] {
  return [...patterns, ...extra.filter((p) => !patterns.includes(p))];
}

/** A file hashed as listed, counted: the totals grow with what is found. */
function countHashed(progress: MhlProgressCounter, f: DiskFile): void {
  progress.grow(1, f.size);
  progress.fileDone(f.path);
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
  const patterns = merged(latestIgnorePatterns(history), options.ignore);
  const ignore = ignoreMatcher(patterns);
  const plan = options.plan?.(index) ?? HASH_NOTHING;

  const expectations = new Map<string, FileExpectation | undefined>();
  const expect = (path: string): FileExpectation | undefined => {
    if (!index.files.has(path)) return undefined; // a new file: most of them, on a first generation all
    if (!expectations.has(path)) expectations.set(path, expectationFor(index, path));
    return expectations.get(path);
  };
  const recordedIn = new Map<string, string[]>();
  for (const path of index.files.keys()) {
    const names = recordedIn.get(parentOf(path));
    if (names) names.push(baseName(path));
    else recordedIn.set(parentOf(path), [baseName(path)]);
  }
  const folderPlan = (folder: string): FolderPlan => {
    const known: Record<string, HashFormat[]> = {};
    for (const name of recordedIn.get(folder) ?? []) {
      const e = expect(joinRelative(folder, name));
      if (e) known[name] = plan.formats(e);
    }
    return { known, knownDirect: plan.knownDirect, others: plan.formats(undefined), othersDirect: plan.othersDirect };
  };

  // The listing begun on a glimpse is kept when it ignored nothing these patterns keep (they may ignore more).
  const begun = await options.started?.begun;
  let swept: SweptTree;
  if (begun && begun.patterns.every((p) => patterns.includes(p))) {
    swept = await begun.swept;
    if (patterns.length > begun.patterns.length) swept = { ...swept, tree: applyIgnore(swept.tree, ignore) };
  } else {
    options.started?.cancel();
    const progress = options.progress;
    swept = await sweepTree(history.root, { patterns, ignore, planFor: folderPlan, onHashed: progress && ((f) => countHashed(progress, f)) }, options.hashing ?? localMhlHashing, {
      signal: options.signal,
      onBytes: progress && ((n) => progress.bytes(n)),
    });
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
  for (const f of tree.files) {
    const key = recordedKey(f.path);
    present.add(key);
    const expectation = expect(key);
    const scanned: ScannedFile = { ...f, recordedPath: key, expectation, hashed: asPlanned(hashed.get(f.path), plan, expectation) };
    files.push(scanned);
    if (!expectation) newFiles.push(scanned);
  }
  for (const d of tree.directories) present.add(recordedKey(d.path));
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
