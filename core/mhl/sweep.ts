/**
 * Lists a tree for an MHL scan folder by folder, each folder in a task of its own
 * (MhlHashing.sweepFolder, in the worker pool), several at once, with the small files of
 * each hashed in the same task as the plan says (./sweep-folder.ts): reading folder N's
 * files overlaps listing folder N+1, and no file crosses between threads twice. The tree
 * comes out in the walk's order (core/fs/walk.ts), whatever order the folders finish in.
 *
 * It starts once the history is loaded, since the plan and the ignore patterns come from
 * it. Listing before that (with no patterns, filtered afterwards) and hashing what was
 * listed meanwhile in a second pass measured no faster (docs/benchmarks.md, mhl).
 */
import { ignoreMatcher, type IgnoreMatcher } from '../fs/ignore.ts';
import { addInWalkOrder, listOneFolder, rootIdentity, type DiskFile, type DiskTree } from '../fs/walk.ts';
import { compareInWalkOrder } from '../fs/relative.ts';
import type { FileHashOutcome } from '../hash/batch.ts';
import type { ReadOptions } from '../hash/medium.ts';
import { limiter } from '../util/limit.ts';
import type { MhlHashing } from './hashing.ts';
import { planned, sweepFolderHere, type FolderPlan, type FolderSweep, type SweptFolder } from './sweep-folder.ts';
import { baseName } from './paths.ts';

/** Folders listed at once: 4 × the 4 reads each keeps in flight (core/hash/batch.ts) = the 16 the small-file batches use. */
const FOLDERS_AT_ONCE = 4;

export interface SweepSettings {
  /** The ignore patterns, and the same compiled. */
  patterns: string[];
  ignore: IgnoreMatcher;
  planFor(folder: string): FolderPlan;
  /** Each file hashed as listed, as its folder comes back. */
  onHashed?(file: DiskFile): void;
}

/** A file hashed as listed: its outcome, and whether it was asked to be read from the medium. */
export interface HashedAsListed {
  outcome: FileHashOutcome;
  direct: boolean;
}

export interface SweptTree {
  /** What is on disk, minus what the patterns ignore. */
  tree: DiskTree;
  /** What was hashed as listed, by path. */
  hashed: Map<string, HashedAsListed>;
}

export async function sweepTree(root: string, settings: SweepSettings, hashing: Pick<MhlHashing, 'sweepFolder'>, options: ReadOptions = {}): Promise<SweptTree> {
  const tree: DiskTree = { files: [], directories: [], errors: [] };
  const hashed = new Map<string, HashedAsListed>();
  const gate = limiter(FOLDERS_AT_ONCE);
  const start = (rel: string, ancestry: string[]): Promise<{ swept: SweptFolder; plan: FolderPlan }> => {
    const p = gate(async () => {
      options.signal?.throwIfAborted();
      const plan = settings.planFor(rel);
      return { swept: await hashing.sweepFolder({ root, rel, ancestry, ignore: settings.patterns, plan }, options), plan };
    });
    p.catch(() => undefined); // awaited in walk order below; one that fails first must not go unhandled meanwhile
    return p;
  };
  const visit = async (pending: Promise<{ swept: SweptFolder; plan: FolderPlan }>, ancestry: string[]): Promise<void> => {
    const { swept, plan } = await pending;
    swept.listing.files.forEach((f, i) => {
      const outcome = swept.hashed[i];
      if (!outcome) return;
      hashed.set(f.path, { outcome, direct: planned(plan, baseName(f.path)).direct });
      settings.onHashed?.(f);
    });
    // Every subfolder starts now (the gate bounds how many run); they are added in walk order as they come.
    const below = swept.listing.folders.map((sub) => {
      const trail = [...ancestry, sub.id];
      return { trail, pending: start(sub.path, trail) };
    });
    let next = 0;
    await addInWalkOrder(tree, swept.listing, () => {
      const sub = below[next++];
      return visit(sub.pending, sub.trail);
    });
  };
  const rootIds = await rootIdentity(root);
  await visit(start('', rootIds), rootIds);
  // By path, in walk order (the walk lists a folder's errors before its subfolders'): so shares merge to the same order.
  tree.errors.sort((a, b) => compareInWalkOrder(a.path, b.path));
  return { tree, hashed };
}

/**
 * A whole tree swept with one plan for every folder, as one task of `shares`: every task
 * lists every folder (to find the subfolders), but lists the files of, and hashes, only
 * the folders of its share (by a hash of the folder's path), so that several threads
 * share the reading without the calling thread handing out each folder (it is busy
 * loading the history meanwhile). mergeShares puts the shares back together.
 */
export interface WholeSweep {
  root: string;
  patterns: string[];
  plan: FolderPlan;
  share: number;
  shares: number;
}

/** Which share a folder belongs to (FNV-1a of its path): the same in every task. */
export function shareOf(folder: string, shares: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < folder.length; i++) h = Math.imul(h ^ folder.charCodeAt(i), 0x01000193) >>> 0;
  return h % shares;
}

/** One share of a whole sweep, folders listed with blocking calls: in a worker thread, as one task. */
export function sweepShareHere(input: WholeSweep, options: ReadOptions = {}): Promise<SweptTree> {
  const ignore = ignoreMatcher(input.patterns);
  const settings = { patterns: input.patterns, ignore, planFor: () => input.plan };
  const sweepFolder = async (i: FolderSweep, o: ReadOptions = {}): Promise<SweptFolder> => {
    if (shareOf(i.rel, input.shares) === input.share) return sweepFolderHere(i, o, true);
    // Another task's folder: only its subfolders, to go on down.
    const listing = await listOneFolder(i.root, i.rel, i.ancestry, ignore, true);
    return { listing: { files: [], folders: listing.folders, errors: [] }, hashed: [] };
  };
  return sweepTree(input.root, settings, { sweepFolder }, options);
}

/**
 * The shares of one tree as one tree, in walk order; undefined when the tasks found
 * different folders (the tree changed while they listed it): then it is to be swept again.
 */
export function mergeShares(shares: SweptTree[]): SweptTree | undefined {
  const folders = (s: SweptTree): string => s.tree.directories.map((d) => d.path).join('\0');
  const first = shares[0];
  if (shares.some((s) => folders(s) !== folders(first))) return undefined;
  const merge = <T extends { path: string }>(lists: T[][]): T[] => lists.reduce((a, b) => mergeInWalkOrder(a, b));
  return {
    tree: { files: merge(shares.map((s) => s.tree.files)), directories: first.tree.directories, errors: merge(shares.map((s) => s.tree.errors)) },
    hashed: new Map(shares.flatMap((s) => [...s.hashed])),
  };
}

/** Two lists each in walk order, as one. */
function mergeInWalkOrder<T extends { path: string }>(a: T[], b: T[]): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(compareInWalkOrder(a[i].path, b[j].path) <= 0 ? a[i++] : b[j++]);
  return out.concat(a.slice(i), b.slice(j));
}
