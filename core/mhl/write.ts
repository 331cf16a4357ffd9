/**
 * Appends a generation to the history at a root: computes folder and root hashes from the
 * entries, splits the entries between the root's history and any nested histories (each
 * nested one gets its own new generation, referenced from the enclosing manifest by C4 ID,
 * as the reference tool does), writes each manifest atomically and then extends its chain.
 *
 * Order of writes per history: manifest (temp, fsync, rename), then chain (same). A crash
 * in between leaves a complete manifest that the chain does not list yet; numbering skips
 * it, and verify reports it as unchained. Nested histories are written first, because the
 * enclosing manifest records their C4 IDs.
 */
import { promises as fsp } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { RushesError, destinationError } from '../errors.ts';
import { HASH_FORMATS, type Digests, type HashFormat } from '../hash/index.ts';
import { wholeSecond } from './datetime.ts';
import { folderHashInput } from './dirhash.ts';
import { localMhlHashing, type MhlHashing } from './hashing.ts';
import { serializeChain } from './chain.ts';
import { normalizeDigest } from './digest.ts';
import type { FolderHashes } from './dirhash.ts';
import { commitTemporary, fsyncFolder, temporaryPath, writeFileDurably, writeNewFileSynced } from '../fs/durable.ts';
import { allHistories, historiesFor, latestIgnorePatterns, loadHistory, nextGenerationNumber } from './history.ts';
import { ASCMHL_FOLDER, CHAIN_FILE, type DirectoryHash, type HashListReference, type MhlFileEntry, type MhlHistory, type NewGeneration } from './model.ts';
import { baseName, checkRelativePath, compareCodePoints, joinRelative, manifestFileName, parentOf, relativeTo } from './paths.ts';
import { serializeManifest, type EntryToWrite } from './xml-write.ts';

export interface WrittenManifest {
  /** Absolute root of the history this manifest belongs to. */
  root: string;
  manifestPath: string;
  chainPath: string;
  generation: number;
  c4: string;
}

export interface WrittenGeneration extends WrittenManifest {
  /** New generations of nested histories, written before the root's. */
  nested: WrittenManifest[];
}

const DEFAULT_FOLDER_FORMAT: HashFormat = 'xxh128'; // the reference tool's default format

function hasAscmhlSegment(path: string): boolean {
  return path.includes(ASCMHL_FOLDER) && path.split('/').includes(ASCMHL_FOLDER);
}

/** Checks the caller's entries: a bad one is a programming error, never written. */
function checkFiles(root: string, files: readonly MhlFileEntry[]): MhlFileEntry[] {
  const seen = new Set<string>();
  const out: MhlFileEntry[] = [];
  for (const f of files) {
    const path = checkRelativePath(f.path, root, 'file path');
    // A history never records itself: the ascmhl folders are outside what it describes.
    if (hasAscmhlSegment(path)) continue;
    const previousPath = f.previousPath === undefined ? undefined : checkRelativePath(f.previousPath, root, 'previous file path');
    if (seen.has(path)) throw new RushesError('INTERNAL', `${root}: ${path} is listed twice in the new generation`, { path });
    seen.add(path);
    if (!Number.isSafeInteger(f.size) || f.size < 0) throw new RushesError('INTERNAL', `${path}: invalid size ${f.size}`, { path });
    if (f.hashes.length === 0) throw new RushesError('INTERNAL', `${path}: no hash to record`, { path });
    const hashes = f.hashes.map((h) => {
      const digest = normalizeDigest(h.format, h.digest);
      if (digest === undefined) throw new RushesError('INTERNAL', `${path}: "${h.digest}" is not a ${h.format} digest`, { path });
      return digest === h.digest ? h : { ...h, digest };
    });
    // Copied only when something changed: this runs once per file.
    const same = path === f.path && previousPath === f.previousPath && hashes.every((h, i) => h === f.hashes[i]);
    out.push(same ? f : { ...f, path, hashes, previousPath });
  }
  return out;
}

function folderFormats(gen: NewGeneration, files: readonly MhlFileEntry[], top: MhlHistory): HashFormat[] {
  if (gen.directoryHashFormats && gen.directoryHashFormats.length > 0) return [...new Set(gen.directoryHashFormats)];
  if (files.length > 0) {
    return HASH_FORMATS.filter((format) => files.every((f) => f.hashes.some((h) => h.format === format)));
  }
  const previous = top.generations.at(-1)?.rootHashes.map((h) => h.format) ?? [];
  return previous.length > 0 ? previous : [DEFAULT_FOLDER_FORMAT];
}

function toDirectoryHashes(hashes: FolderHashes, path: string, hashDate: Date): DirectoryHash[] {
  return [...(hashes.get(path) ?? new Map())].map(([format, h]) => ({ format, content: h.content, structure: h.structure, hashDate }));
}

interface Plan {
  history: MhlHistory;
  entries: EntryToWrite[];
  rootHashes: DirectoryHash[];
  touched: boolean;
}

/**
 * Writes `ascmhl/NNNN_<folder>_<date>Z.mhl` under `root` (and under each nested history
 * with entries) and appends each manifest's C4 ID to its `ascmhl_chain.xml`. Numbering
 * continues after the existing generations; the existing chain is kept. An existing
 * history whose chain does not verify is not extended (RushesError MHL_VERIFY).
 */
export async function writeGeneration(root: string, gen: NewGeneration, hashing: MhlHashing = localMhlHashing): Promise<WrittenGeneration> {
  return writeGenerationTo(await loadHistory(resolve(root), { hashing }), gen, hashing);
}

/** writeGeneration for a history the caller has just loaded (strictly), saving a second parse. */
export async function writeGenerationTo(top: MhlHistory, gen: NewGeneration, hashing: MhlHashing = localMhlHashing): Promise<WrittenGeneration> {
  const absRoot = top.root;
  const files = checkFiles(absRoot, gen.files);
  const created = gen.creator.creationDate;

  const dirs = new Set<string>();
  for (const d of gen.directories) {
    if (d === '') continue;
    const path = checkRelativePath(d, absRoot, 'folder path');
    if (!hasAscmhlSegment(path)) dirs.add(path);
  }
  // Each file's folder once: its files, in the order they are to be written, and its ancestry as folders.
  const filesIn = new Map<string, MhlFileEntry[]>();
  for (const f of files) {
    const parent = parentOf(f.path);
    const list = filesIn.get(parent);
    if (list) {
      list.push(f);
      continue;
    }
    filesIn.set(parent, [f]);
    for (let p = parent; p !== ''; p = parentOf(p)) dirs.add(p);
  }

  const withHashes = gen.directoryHashes ?? true;
  const formats = withHashes ? folderFormats(gen, files, top) : [];
  const folderHashes: FolderHashes = withHashes
    ? await hashing.folderHashes(folderHashInput(files, (f, format) => f.hashes.find((h) => h.format === format)?.digest, [...dirs], formats))
    : new Map();

  const plans = new Map<MhlHistory, Plan>(allHistories(top).map((h) => [h, { history: h, entries: [], rootHashes: [], touched: false }]));
  plans.get(top)!.touched = true;
  const ownerOf = (path: string): Plan => (top.children.length === 0 ? plans.get(top)! : plans.get(historiesFor(top, path)[0])!);

  // Emit in the reference tool's order: folders post-order by name; in each, its files, then itself.
  const subfolders = new Map<string, string[]>();
  for (const d of dirs) {
    const list = subfolders.get(parentOf(d)) ?? [];
    list.push(d);
    subfolders.set(parentOf(d), list);
  }
  const mtimes = new Map<string, Date | undefined>();
  await Promise.all(
    [...dirs].map(async (d) => {
      const st = await fsp.stat(join(absRoot, d)).catch(() => undefined);
      mtimes.set(d, st ? wholeSecond(st.mtimeMs) : undefined);
    }),
  );
  const emit = (folder: string): void => {
    for (const sub of (subfolders.get(folder) ?? []).sort(compareCodePoints)) emit(sub);
    for (const f of byName(filesIn.get(folder) ?? [])) {
      const plan = ownerOf(f.path);
      plan.touched = true;
      const rel = plan.history.relativePath;
      // A <previousPath> is relative to the manifest's own root, so a rename cannot cross histories.
      if (f.previousPath !== undefined && ownerOf(f.previousPath) !== plan) {
        throw new RushesError('INTERNAL', `${absRoot}: ${f.path} was renamed from ${f.previousPath}, which another history records`, { path: f.path });
      }
      const previousPath = f.previousPath === undefined ? undefined : relativeTo(f.previousPath, rel);
      plan.entries.push({ kind: 'file', file: rel === '' && previousPath === f.previousPath ? f : { ...f, path: relativeTo(f.path, rel), previousPath } });
    }
    const hashes = toDirectoryHashes(folderHashes, folder, created);
    const owners = historiesFor(top, folder);
    const own = plans.get(owners[0])!;
    own.touched = true;
    if (own.history.relativePath === folder) {
      // The root of a history: its roothash, and (as the reference tool does) a folder entry one level up.
      own.rootHashes = hashes;
      const parent = owners[1] && plans.get(owners[1]);
      if (parent && hashes.length > 0) {
        parent.entries.push({ kind: 'directory', directory: { path: relativeTo(folder, parent.history.relativePath), lastModified: mtimes.get(folder), hashes } });
      }
    } else if (hashes.length > 0) {
      own.entries.push({ kind: 'directory', directory: { path: relativeTo(folder, own.history.relativePath), lastModified: mtimes.get(folder), hashes } });
    }
  };
  emit('');

  // Deepest histories first: an enclosing manifest records the C4 IDs of its children's new manifests.
  const order = [...plans.values()].filter((p) => p.touched).sort((a, b) => depth(b.history.relativePath) - depth(a.history.relativePath));
  const written = new Map<MhlHistory, WrittenManifest>();
  for (const plan of order) {
    const h = plan.history;
    const references: HashListReference[] = h.children
      .filter((c) => written.has(c))
      .map((c) => {
        const w = written.get(c)!;
        return { path: `${joinRelative(relativeTo(c.relativePath, h.relativePath), ASCMHL_FOLDER)}/${basename(w.manifestPath)}`, c4: w.c4 };
      });
    const ignore = h === top ? withAscmhl(gen.ignore) : withAscmhl(merge(latestIgnorePatterns(h), gen.ignore));
    written.set(h, await writeOne(h, gen, plan, ignore, references, hashing));
  }
  const result = written.get(top)!;
  return { ...result, nested: order.filter((p) => p.history !== top).map((p) => written.get(p.history)!) };
}

async function writeOne(h: MhlHistory, gen: NewGeneration, plan: Plan, ignore: string[], references: HashListReference[], hashing: MhlHashing): Promise<WrittenManifest> {
  const number = nextGenerationNumber(h);
  const fileName = manifestFileName(number, basename(h.root), gen.creator.creationDate);
  const text = serializeManifest({ creator: gen.creator, process: gen.process, rootHashes: plan.rootHashes, ignore, entries: plan.entries, references });
  const bytes = Buffer.from(text, 'utf8');
  const c4 = await hashing.hashBytes('c4', bytes);
  const chain = serializeChain([...(h.chain ?? []), { sequence: number, path: fileName, format: 'c4', digest: c4 }]);
  const manifestPath = join(h.folder, fileName);
  const chainPath = join(h.folder, CHAIN_FILE);
  const isNew = await fsp.lstat(h.folder).then(
    () => false,
    () => true,
  );
  if (isNew) {
    // A new history appears whole: both files are written into a temporary folder that is
    // then renamed to ascmhl/, so a crash never leaves a manifest without its chain. Inside
    // it they need no temporary names of their own: each is fsynced, then the folder once
    // (3 fsyncs and 2 renames fewer than writing each durably), then it is renamed.
    const temp = temporaryPath(h.folder, { unique: true });
    try {
      await fsp.mkdir(temp);
      await Promise.all([writeNewFileSynced(join(temp, fileName), bytes), writeNewFileSynced(join(temp, CHAIN_FILE), chain)]);
      await fsyncFolder(temp);
      await commitTemporary(temp, h.folder);
    } catch (e) {
      await fsp.rm(temp, { recursive: true, force: true }).catch(() => undefined);
      if (e instanceof RushesError) throw e;
      throw destinationError(e, h.folder);
    }
  } else {
    await writeFileDurably(manifestPath, bytes, { exclusive: true });
    await writeFileDurably(chainPath, chain);
  }
  return { root: h.root, manifestPath, chainPath, generation: number, c4 };
}

/** A folder's files in name order (each name taken once, not at every comparison). */
function byName(files: readonly MhlFileEntry[]): MhlFileEntry[] {
  return files
    .map((f) => ({ name: baseName(f.path), f }))
    .sort((a, b) => compareCodePoints(a.name, b.name))
    .map((x) => x.f);
}

function merge(a: readonly string[], b: readonly string[]): string[] {
  return [...a, ...b.filter((p) => !a.includes(p))];
}

/** The history's own folder must stay ignored, or the next verify would find it as new files. */
function withAscmhl(patterns: readonly string[]): string[] {
  return merge(patterns, ['ascmhl', 'ascmhl/']);
}

function depth(path: string): number {
  return path === '' ? 0 : path.split('/').length;
}
