/**
 * Lists what is on disk under a root, minus ignored names: every regular file with size
 * and times, and every folder (so empty folders count). The one tree walk of the engine:
 * MHL create/verify/diff and the offload's source listing both use it.
 *
 * Symbolic links are followed as the reference tool follows them, with a guard against
 * links back into their own ancestry; a name that is not valid UTF-8 (it could not be
 * written in an MHL, nor opened again from its decoded form) is an error; whatever cannot
 * be read is listed as an error naming the file, and the walk goes on.
 */
import { lstatSync, promises as fsp, readdirSync, stat, statSync, type BigIntStats, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { ErrorCode } from '../errors.ts';
import { errno } from '../errors.ts';
import { loopTurnDue } from '../util/turns.ts';
import type { IgnoreMatcher } from './ignore.ts';
import { baseName, compareCodePoints, joinRelative, parentOf, underRoot } from './relative.ts';

export interface DiskFolder {
  path: string;
  mtimeMs: number;
  /**
   * Full-precision times, so copies keep nanoseconds where the filesystem does: listed with
   * exact times (`exactTimes`, the default). An MHL scan, which records whole seconds, lists
   * without them: Node's stat with nanoseconds makes ~1.2 KB of BigInts and Dates per file,
   * ~20 ms of a 10,000-file `mhl create`.
   */
  mtimeNs?: bigint;
  atimeNs?: bigint;
}

export interface DiskFile extends DiskFolder {
  size: number;
}

export interface WalkError {
  path: string;
  code: ErrorCode;
  message: string;
  /** About a folder (one that could not be listed, a loop), which ignore patterns match as a folder. */
  folder?: true;
}

export interface DiskTree {
  files: DiskFile[];
  /** Every folder below the root ('' not included). */
  directories: DiskFolder[];
  errors: WalkError[];
}

const STAT_BATCH = 64;

/** A stat() that failed, kept in line with the ones that worked. */
class StatFailure {
  constructor(readonly error: unknown) {}
}

type StatOutcome = BigIntStats | Stats | StatFailure;

/** The calls the walk makes: asynchronous for an event loop, blocking for a worker thread. */
interface WalkIo {
  /** A folder's names as Node decodes them: bytes that are not UTF-8 come back as U+FFFD. */
  readdir(path: string): Promise<string[]>;
  /** The same as bytes. */
  readdirRaw(path: string): Promise<Buffer[]>;
  /** stat() of each path (following links), or the error it gave, in order; with nanoseconds (BigIntStats) when `exact`. */
  statAll(paths: string[], exact: boolean): Promise<StatOutcome[]>;
  stat(path: string): Promise<BigIntStats>;
  isSymbolicLink(path: string): Promise<boolean>;
}

/** One stat() (following links), or the error it gave. The callback API: a third less CPU than fs.promises' per call. */
function statOne(path: string, exact: boolean): Promise<StatOutcome> {
  return new Promise((resolve) => stat(path, { bigint: exact }, (e, st) => resolve(e ? new StatFailure(e) : st)));
}

const asyncIo: WalkIo = {
  readdir: (path) => fsp.readdir(path),
  readdirRaw: (path) => fsp.readdir(path, { encoding: 'buffer' }),
  async statAll(paths, exact) {
    // The whole folder at once: on 10,000 small files the walk is otherwise bound by one syscall at a time.
    const out: StatOutcome[] = [];
    for (let i = 0; i < paths.length; i += STAT_BATCH) out.push(...(await Promise.all(paths.slice(i, i + STAT_BATCH).map((p) => statOne(p, exact)))));
    return out;
  },
  stat: (path) => fsp.stat(path, { bigint: true }),
  isSymbolicLink: (path) => fsp.lstat(path).then((s) => s.isSymbolicLink(), () => false),
};

function statHere(path: string, exact: boolean): StatOutcome {
  try {
    return statSync(path, { bigint: exact });
  } catch (e) {
    return new StatFailure(e);
  }
}

/**
 * Blocking calls, for a worker thread or a CLI command's (where blocking holds up no event
 * loop that serves anyone): each asynchronous stat() is a hand-off to libuv's thread pool and back, which cost
 * the main thread ~20 µs of CPU per file, 200 ms of a 10,000-file walk; a blocking one costs
 * ~5 µs. The price: other tasks the same worker runs meanwhile (a daemon's copies) wait for
 * the walk, ~0.1–0.2 s for 10,000 files; a walk of a slow mount holds them up longer.
 */
const blockingIo: WalkIo = {
  readdir: async (path) => {
    await loopTurnDue(); // once a folder at most: the thread's other work is held up for one folder's calls, not a whole tree's
    return readdirSync(path);
  },
  readdirRaw: async (path) => readdirSync(path, { encoding: 'buffer' }),
  statAll: async (paths, exact) => paths.map((p) => statHere(p, exact)),
  stat: async (path) => statSync(path, { bigint: true }),
  isSymbolicLink: async (path) => {
    try {
      return lstatSync(path).isSymbolicLink();
    } catch {
      return false;
    }
  },
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Folder entries as names, and the raw names that are not UTF-8 (as errors). */
async function readNames(io: WalkIo, root: string, rel: string, errors: WalkError[]): Promise<string[]> {
  const decoded = await io.readdir(join(root, rel));
  // Only a folder with a U+FFFD in a name is read again as bytes, to tell a name that is not UTF-8 from a real U+FFFD (decoding every name ourselves cost twice the listing).
  if (!decoded.some((name) => name.includes('\uFFFD'))) return decoded;
  const names: string[] = [];
  for (const raw of await io.readdirRaw(join(root, rel))) {
    try {
      names.push(strictUtf8.decode(raw));
    } catch {
      const shown = join(root, rel, raw.toString('utf8')); // lossy, for the message only
      errors.push({
        path: joinRelative(rel, raw.toString('utf8')),
        code: 'BAD_FILENAME',
        message: `file name is not valid UTF-8 and cannot be recorded in an ASC MHL: ${shown} (name bytes ${raw.toString('hex')})`,
      });
    }
  }
  return names;
}

function times(st: BigIntStats | Stats): Omit<DiskFolder, 'path'> {
  return 'mtimeNs' in st ? { mtimeMs: Number(st.mtimeNs) / 1e6, mtimeNs: st.mtimeNs, atimeNs: st.atimeNs } : { mtimeMs: st.mtimeMs };
}

/** A folder's identity (device:inode), exact: an inode number past 2^53 is asked again with BigInts. */
async function identity(io: WalkIo, path: string, st: BigIntStats | Stats): Promise<string> {
  const exact = typeof st.ino === 'bigint' || Number.isSafeInteger(st.ino) ? st : await io.stat(path);
  return `${exact.dev}:${exact.ino}`;
}

/** A folder to descend into, with its identity (device:inode) for the guard against symlink loops. */
export interface SubFolder extends DiskFolder {
  id: string;
}

/** What one folder holds (not what lies below its subfolders): files and subfolders each in name order. */
export interface FolderListing {
  files: DiskFile[];
  folders: SubFolder[];
  errors: WalkError[];
}

/**
 * Lists one folder. `ancestry` holds the identities of the folder and of every folder above
 * it: a subfolder that is one of them (a symlink back up) is an error, not descended into.
 */
async function listFolder(io: WalkIo, root: string, rel: string, ancestry: ReadonlySet<string>, ignore: IgnoreMatcher, exactTimes: boolean): Promise<FolderListing> {
  const out: FolderListing = { files: [], folders: [], errors: [] };
  let names: string[];
  try {
    names = await readNames(io, root, rel, out.errors);
  } catch (e) {
    out.errors.push({ path: rel, code: 'SOURCE_UNREADABLE', message: `cannot list folder ${join(root, rel)}: ${errno(e) ?? String(e)}`, folder: true });
    return out;
  }
  names.sort(compareCodePoints);
  const folder = join(root, rel);
  const stats = await io.statAll(names.map((name) => underRoot(folder, name)), exactTimes);
  for (let i = 0; i < names.length; i++) {
    const path = joinRelative(rel, names[i]);
    const st = stats[i];
    if (st instanceof StatFailure) {
      const link = await io.isSymbolicLink(join(root, path));
      if (!ignore.ignores(path, false)) {
        const why = errno(st.error) ?? String(st.error);
        const code = why === 'ELOOP' ? 'SYMLINK_LOOP' : 'SOURCE_UNREADABLE';
        out.errors.push({ path, code, message: `${link ? 'broken symbolic link' : 'cannot read'} ${join(root, path)}: ${why}` });
      }
      continue;
    }
    if (st.isDirectory()) {
      if (ignore.ignores(path, true)) continue;
      const id = await identity(io, join(root, path), st);
      if (ancestry.has(id)) {
        out.errors.push({ path, code: 'SYMLINK_LOOP', message: `symlink loop: ${join(root, path)} leads back to one of its own parent folders`, folder: true });
        continue;
      }
      out.folders.push({ path, ...times(st), id });
    } else if (st.isFile()) {
      if (ignore.ignores(path, false)) continue;
      out.files.push({ path, size: Number(st.size), ...times(st) });
    }
    // Sockets, FIFOs and devices are not media; they are neither hashed nor reported.
  }
  return out;
}

/** The identity the loop guard starts from: the root's own. */
async function rootAncestry(io: WalkIo, root: string): Promise<Set<string>> {
  return new Set([await identity(io, root, await io.stat(root))]);
}

/**
 * Adds one folder's listing to a tree in the walk's order — depth first, names in code point
 * order, a subfolder's contents right after it — descending with `below` into each subfolder.
 */
export async function addInWalkOrder(tree: DiskTree, listing: FolderListing, below: (sub: SubFolder) => Promise<void>): Promise<void> {
  tree.errors.push(...listing.errors);
  let next = 0;
  for (const sub of listing.folders) {
    const name = baseName(sub.path);
    while (next < listing.files.length && compareCodePoints(baseName(listing.files[next].path), name) < 0) tree.files.push(listing.files[next++]);
    tree.directories.push({ path: sub.path, mtimeMs: sub.mtimeMs, mtimeNs: sub.mtimeNs, atimeNs: sub.atimeNs });
    await below(sub);
  }
  while (next < listing.files.length) tree.files.push(listing.files[next++]);
}

export interface WalkOptions {
  /** List times to the nanosecond (mtimeNs, atimeNs), as copies keep them; default true. */
  exactTimes?: boolean;
  /** Stops the walk at its next folder. */
  signal?: AbortSignal;
}

export function walkTree(root: string, ignore: IgnoreMatcher, options: WalkOptions = {}): Promise<DiskTree> {
  return walk(asyncIo, root, ignore, options);
}

/**
 * What walkTree(root, ignore) lists, from a tree listed with no ignore patterns: so the walk
 * can start before the patterns are known for sure (core/mhl/scan.ts). A name that is not UTF-8 is
 * reported whatever the patterns say, as the walk does, unless a folder above it is ignored.
 */
export function applyIgnore(tree: DiskTree, ignore: IgnoreMatcher): DiskTree {
  const folders = new Map<string, boolean>([['', false]]);
  const folderIgnored = (path: string): boolean => {
    let out = folders.get(path);
    if (out === undefined) folders.set(path, (out = folderIgnored(parentOf(path)) || ignore.ignores(path, true)));
    return out;
  };
  return {
    files: tree.files.filter((f) => !folderIgnored(parentOf(f.path)) && !ignore.ignores(f.path, false)),
    directories: tree.directories.filter((d) => !folderIgnored(d.path)),
    errors: tree.errors.filter((e) => !folderIgnored(parentOf(e.path)) && (e.code === 'BAD_FILENAME' || !ignore.ignores(e.path, e.folder ?? false))),
  };
}

async function walk(io: WalkIo, root: string, ignore: IgnoreMatcher, { exactTimes = true, signal }: WalkOptions): Promise<DiskTree> {
  const tree: DiskTree = { files: [], directories: [], errors: [] };
  const visit = async (rel: string, ancestry: ReadonlySet<string>): Promise<void> => {
    signal?.throwIfAborted();
    await addInWalkOrder(tree, await listFolder(io, root, rel, ancestry, ignore, exactTimes), (sub) => visit(sub.path, new Set([...ancestry, sub.id])));
  };
  await visit('', await rootAncestry(io, root));
  return tree;
}

/** The same walk with blocking calls: for a thread whose event loop serves nothing else (a worker, a CLI command). */
export function walkTreeHere(root: string, ignore: IgnoreMatcher, options: WalkOptions = {}): Promise<DiskTree> {
  return walk(blockingIo, root, ignore, options);
}

/**
 * One folder's listing (core/mhl/sweep.ts lists a tree folder by folder): `blocking` calls
 * only in a thread whose event loop serves nothing else (a worker, a CLI command).
 */
export function listOneFolder(root: string, rel: string, ancestry: readonly string[], ignore: IgnoreMatcher, how: { blocking: boolean; exactTimes: boolean }): Promise<FolderListing> {
  return listFolder(how.blocking ? blockingIo : asyncIo, root, rel, new Set(ancestry), ignore, how.exactTimes);
}

/** The identities a walk of `root` starts its loop guard with (for listOneFolder of ''). */
export function rootIdentity(root: string): Promise<string[]> {
  return rootAncestry(asyncIo, root).then((ids) => [...ids]);
}
