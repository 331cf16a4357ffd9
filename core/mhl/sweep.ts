/**
 * Lists a tree for an MHL scan folder by folder, each folder in a task of its own
 * (MhlHashing.sweepFolder: in the worker pool, or a CLI command's thread), several at once,
 * with the small files of each hashed in the same task as the plan says (./sweep-folder.ts):
 * in the pool, reading folder N's files overlaps listing folder N+1, and no file crosses
 * between threads twice. The tree comes out in the walk's order (core/fs/walk.ts), whatever
 * order the folders finish in.
 *
 * With a history it starts once the history is loaded, since the plan and the ignore
 * patterns come from it; on a first generation, where they are known at once, it starts
 * while the (absent) history loads (./scan-start.ts).
 */
import type { IgnoreMatcher } from '../fs/ignore.ts';
import { addInWalkOrder, rootIdentity, type DiskFile, type DiskTree } from '../fs/walk.ts';
import type { FileHashOutcome } from '../hash/batch.ts';
import type { ReadOptions } from '../hash/medium.ts';
import { limiter } from '../util/limit.ts';
import type { MhlHashing } from './hashing.ts';
import { plannerFor, type FolderPlan, type SweptFolder } from './sweep-folder.ts';

/** Folders listed at once: 4 × the 4 reads each keeps in flight (core/hash/batch.ts) = the 16 the small-file batches use. */
const FOLDERS_AT_ONCE = 4;

export interface SweepSettings {
  /** The ignore patterns, and the same compiled. */
  patterns: string[];
  ignore: IgnoreMatcher;
  planFor(folder: string): FolderPlan;
  /**
   * Each file hashed as listed, as its folder comes back in walk order: progress counts it
   * then, found and done at once, with the bytes read (not as they are read: folders are read
   * ahead of the walk order, and bytes counted before their files are found ran past the total).
   */
  onHashed?(file: DiskFile, outcome: FileHashOutcome): void;
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
    const planFor = plannerFor(plan);
    swept.listing.files.forEach((f, i) => {
      const outcome = swept.hashed[i];
      if (!outcome) return;
      hashed.set(f.path, { outcome, direct: planFor(f.path).direct });
      settings.onHashed?.(f, outcome);
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
  return { tree, hashed };
}
