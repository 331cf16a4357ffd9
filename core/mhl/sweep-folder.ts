/**
 * One folder of an MHL scan, listed and its small files hashed in the same task, in the
 * thread that reads them (a pool worker, or a CLI command's own; core/mhl/sweep.ts): on 10,000 small files,
 * listing the tree in one task and then handing the files back to be hashed in batches
 * cost more than the reads (every file crossed between threads twice, and was stat()ed
 * twice). Large files are only listed: they stream on their own (hashing.ts, hashMany).
 */
import { ignoreMatcher, type IgnoreMatcher } from '../fs/ignore.ts';
import { underRoot } from '../fs/relative.ts';
import { listOneFolder, type FolderListing } from '../fs/walk.ts';
import { hashFilesHere, type FileHashOutcome, type FileToHash } from '../hash/batch.ts';
import type { HashFormat } from '../hash/index.ts';
import type { ReadOptions } from '../hash/medium.ts';
import { baseName } from './paths.ts';

/** Files below this size are hashed as their folder is listed; larger ones are streamed on their own. */
export const SMALL_FILE = 1024 * 1024;
/**
 * At most this many files hashed in one folder's task; the rest of a bigger folder (a
 * flat sequence of 10,000 frames) goes out in batches (hashMany), to every worker when the
 * pool reads, so one folder does not keep one thread reading while the others wait.
 */
export const SWEEP_FILES = 512;

/** How a folder's small files are hashed as it is listed, from what the history knows of them. */
export interface FolderPlan {
  /** Files the history knows, by name: the formats to hash each in (none: not hashed). */
  known: Record<string, HashFormat[]>;
  /** Read the known ones from the medium (O_DIRECT). */
  knownDirect: boolean;
  /** Formats for every other file (none: not hashed). */
  others: HashFormat[];
  othersDirect: boolean;
}

export interface FolderSweep {
  root: string;
  /** The folder, relative to root ('' = root). */
  rel: string;
  /** Identities of the folder and those above it (the walk's loop guard). */
  ancestry: string[];
  ignore: string[];
  plan: FolderPlan;
}

export interface SweptFolder {
  listing: FolderListing;
  /** Per file of the listing, in its order: the outcome when it was hashed here, else null. */
  hashed: (FileHashOutcome | null)[];
}

/** The formats the plan names for a file, and how to read it. */
function planned(plan: FolderPlan, name: string): { formats: HashFormat[]; direct: boolean } {
  const known = Object.hasOwn(plan.known, name) ? plan.known[name] : undefined;
  return known ? { formats: known, direct: plan.knownDirect } : { formats: plan.others, direct: plan.othersDirect };
}

/** planned() for each file of a folder, by its path: one answer for all when the history knows none of them (a first generation). */
export function plannerFor(plan: FolderPlan): (path: string) => { formats: HashFormat[]; direct: boolean } {
  if (Object.keys(plan.known).length > 0) return (path) => planned(plan, baseName(path));
  const forAll = { formats: plan.others, direct: plan.othersDirect };
  return () => forAll;
}

/** A worker sweeps many folders with the same patterns: compiled once. */
let lastIgnore: { key: string; matcher: IgnoreMatcher } | undefined;
function matcherFor(patterns: readonly string[]): IgnoreMatcher {
  const key = JSON.stringify(patterns);
  if (lastIgnore?.key !== key) lastIgnore = { key, matcher: ignoreMatcher(patterns) };
  return lastIgnore.matcher;
}

/** Lists one folder and hashes its small files as the plan says; `blocking` listing calls only in a thread whose event loop serves nothing else. */
export async function sweepFolderHere(input: FolderSweep, options: ReadOptions, blocking: boolean): Promise<SweptFolder> {
  // Whole seconds are all a manifest records: no nanoseconds (see DiskFolder).
  const listing = await listOneFolder(input.root, input.rel, input.ancestry, matcherFor(input.ignore), { blocking, exactTimes: false });
  const picked: number[] = [];
  const toHash: FileToHash[] = [];
  const planFor = plannerFor(input.plan);
  listing.files.forEach((f, i) => {
    if (f.size >= SMALL_FILE || toHash.length >= SWEEP_FILES) return;
    const { formats, direct } = planFor(f.path);
    if (formats.length === 0) return;
    picked.push(i);
    toHash.push({ path: underRoot(input.root, f.path), formats, direct, size: f.size });
  });
  const outcomes = await hashFilesHere(toHash, options);
  const hashed: (FileHashOutcome | null)[] = listing.files.map(() => null);
  picked.forEach((fileIndex, k) => (hashed[fileIndex] = outcomes[k]));
  return { listing, hashed };
}
