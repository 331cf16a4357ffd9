/**
 * What an offload will do, decided before it does anything: pure, no I/O. Its inputs are
 * gathered first (the source listing, the store's records of an earlier run, what each
 * destination holds — survey.ts); execute.ts then carries the plan out.
 *
 * Per file and destination the plan says one of four things:
 * - `done`: an earlier run of this offload verified it and it is still there: left alone;
 * - `write`: copy it under a temporary name, check it, and only then give it its name;
 * - `existing`: something of the same name and size is there already: read it back and
 *   prove it identical, or refuse it — it is never overwritten;
 * - `failed`: a different file or entry is there (or cannot be looked at): left untouched.
 */
import { join } from 'node:path';
import type { RushesError } from '../errors.ts';
import { temporaryPath } from '../fs/durable.ts';
import type { HashFormat } from '../hash/index.ts';
import type { FailureReport } from './events.ts';
import { failureReport } from './failure.ts';
import type { DestinationFileRecord, OffloadRecord, SourceFileRecord, VerifyMode } from './store.ts';
import type { SourceFile, SourceTree } from './walk.ts';

/** What an offload is: a later run resumes an earlier one only when all of this is the same. */
export interface OffloadIdentity {
  source: string;
  roll: string;
  /** Roll folders, one per destination. */
  roots: readonly string[];
  formats: readonly HashFormat[];
  verifyMode: VerifyMode;
}

/**
 * The earlier offload this run continues: the same identity, and not completed (a completed
 * one is history; offloading the card again is a new offload that reads back what is there).
 */
export function resumableOffload(latest: OffloadRecord | undefined, wanted: OffloadIdentity): OffloadRecord | undefined {
  if (!latest || latest.status === 'completed') return undefined;
  const same =
    latest.source === wanted.source &&
    latest.roll === wanted.roll &&
    [...latest.destinations].sort().join('\0') === [...wanted.roots].sort().join('\0') &&
    latest.verifyMode === wanted.verifyMode &&
    latest.formats.join() === wanted.formats.join();
  return same ? latest : undefined;
}

/** The copy's one read computes the requested formats and those the card's own history recorded, to check each file against it. */
export function formatsToHash(requested: readonly HashFormat[], cardHistory: readonly HashFormat[] = []): HashFormat[] {
  return [...new Set([...requested, ...cardHistory])];
}

/** What a destination holds at a file's final path, as the survey found it; absent paths have no entry. */
export type Holding =
  | { kind: 'file'; size: number }
  /** A folder, device or anything else that is not a regular file. */
  | { kind: 'other'; size: number }
  /** The path could not be looked at (permissions, I/O error): nothing is decided about it but that. */
  | { kind: 'unreadable'; error: RushesError };

/** Everything the plan needs to know about one destination. */
export interface DestinationFacts {
  /** The roll folder. */
  root: string;
  /** What the resumed run recorded here, by relative path (empty for a new offload). */
  records: ReadonlyMap<string, DestinationFileRecord>;
  /** What the destination held when it was surveyed, by relative path. */
  holdings: ReadonlyMap<string, Holding>;
  /** Set when the destination cannot be used at all (not writable, its lock not written): nothing is planned there. */
  failure?: FailureReport;
}

export type TargetAction =
  | { kind: 'done' }
  | { kind: 'write'; finalPath: string; tempPath: string; checkMode: VerifyMode }
  | { kind: 'existing'; finalPath: string; checkMode: VerifyMode }
  | { kind: 'failed'; failure: FailureReport };

export interface FilePlan {
  file: SourceFile;
  /** One per destination usable at the start, in the order the destinations were given. */
  targets: { destination: string; action: TargetAction }[];
}

export interface OffloadPlan {
  /**
   * One plan per listed file, in listing order, decided as it is read (each time it is
   * iterated) rather than held: plans of every file of a large card, kept for the whole
   * run, raised its peak memory by a fifth (5,000 files, two destinations: 60 MB, as V8
   * grows its heap with what stays live). Its inputs must not change meanwhile.
   */
  files: Iterable<FilePlan>;
  totals: { files: number; bytes: number };
  /** Files an earlier run already verified on every usable destination (the `resumedFiles` the run reports). */
  resumedFiles: number;
}

export interface PlanInput {
  tree: SourceTree;
  /** The source files the resumed run hashed, by relative path (empty for a new offload). */
  previous: ReadonlyMap<string, SourceFileRecord>;
  destinations: readonly DestinationFacts[];
  verifyMode: VerifyMode;
}

/** The earlier run's record of a source file, if it still describes the file as listed now (same size and time). */
function stillDescribes(previous: ReadonlyMap<string, SourceFileRecord>, file: SourceFile): boolean {
  const rec = previous.get(file.path);
  return !!rec && rec.size === file.size && Math.abs(rec.mtimeMs - file.mtimeMs) < 1;
}

/** A record that says the file was proven at this destination (read back, or checked as the verify mode allows). */
function recordedProven(rec: DestinationFileRecord | undefined): boolean {
  return rec?.status === 'verified' || rec?.status === 'written';
}

function planTarget(d: DestinationFacts, file: SourceFile, resumed: boolean, verifyMode: VerifyMode): TargetAction {
  const finalPath = join(d.root, file.path);
  const held = d.holdings.get(file.path);
  if (held?.kind === 'unreadable') return { kind: 'failed', failure: failureReport(held.error, finalPath, d.root) };
  if (resumed && recordedProven(d.records.get(file.path)) && held?.size === file.size) return { kind: 'done' };
  if (!held) return { kind: 'write', finalPath, tempPath: temporaryPath(finalPath), checkMode: verifyMode };
  if (held.kind !== 'file' || held.size !== file.size) {
    const what = held.kind === 'file' ? 'file' : 'entry';
    return {
      kind: 'failed',
      failure: {
        path: finalPath,
        destination: d.root,
        code: 'DEST_CONFLICT',
        message: `a different ${what} already exists at ${finalPath} (${held.size} bytes, source has ${file.size}); it was left untouched`,
      },
    };
  }
  // A file this run did not write is always read back in full: its size alone proves nothing.
  return { kind: 'existing', finalPath, checkMode: 'full' };
}

export function planOffload({ tree, previous, destinations, verifyMode }: PlanInput): OffloadPlan {
  const usable = destinations.filter((d) => !d.failure);
  const planFile = (file: SourceFile): FilePlan => {
    const resumed = stillDescribes(previous, file);
    return { file, targets: usable.map((d) => ({ destination: d.root, action: planTarget(d, file, resumed, verifyMode) })) };
  };
  // Counted from the records alone, as the run announces it before any file is touched.
  const resumedFiles = tree.files.filter((f) => stillDescribes(previous, f) && usable.every((d) => recordedProven(d.records.get(f.path)))).length;
  return {
    files: {
      *[Symbol.iterator]() {
        for (const file of tree.files) yield planFile(file);
      },
    },
    totals: { files: tree.files.length, bytes: tree.totalBytes },
    resumedFiles,
  };
}
