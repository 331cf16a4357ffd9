/**
 * Directory hashes as ASC MHL defines them (and the reference tool computes them):
 *
 * - content hash of a folder = hash over the binary digests of its children (files' content
 *   digests, subfolders' content hashes), concatenated in lexicographic order of their text;
 * - structure hash = the same over, per child, hash(UTF-8 name + binary digest), where the
 *   digest is a file's content digest or a subfolder's *structure* hash;
 * - an empty folder hashes the empty input.
 *
 * So the content hash ignores names and layout (same files anywhere → same hash) and the
 * structure hash pins every name and nesting. Ignored entries are simply not children.
 */
import { endianness } from 'node:os';
import { digestFunction, type HashFormat } from '../hash/index.ts';
import { RushesError } from '../errors.ts';
import { digestBytes, HEX_LENGTH } from './digest.ts';
import { baseName, parentOf } from './paths.ts';

export interface FolderHash {
  content: string;
  structure: string;
}

/** Folder ('' = root) → format → hashes. A format is missing where some file below lacks it. */
export type FolderHashes = Map<string, Map<HashFormat, FolderHash>>;

/**
 * What folder hashes are computed from: every file's path and, per format, its digest (same
 * order; none where the file has none), and the folders to hash. Columns rather than an
 * object per file: 10,000 files cross to a worker as a few arrays of strings, and nothing
 * per file is made to compute them.
 */
export interface FolderHashInput {
  paths: string[];
  digests: Partial<Record<HashFormat, (string | undefined)[]>>;
  directories: string[];
  formats: HashFormat[];
}

/** The input for these files, each with the digest `digestOf` gives it in each format. */
export function folderHashInput<T extends { path: string }>(files: readonly T[], digestOf: (f: T, format: HashFormat) => string | undefined, directories: string[], formats: HashFormat[]): FolderHashInput {
  return { paths: files.map((f) => f.path), digests: Object.fromEntries(formats.map((format) => [format, files.map((f) => digestOf(f, format))])), directories, formats };
}

interface Folder {
  /** Its files, as indices into the input's columns. */
  files: number[];
  dirs: string[];
}

type Digest = (data: Uint8Array) => string;

/** Writes a digest's bytes into `buf` at `at`; returns how many. */
function putDigest(format: HashFormat, buf: Buffer, at: number, digest: string): number {
  if (format !== 'c4') return buf.write(digest, at, 'hex');
  buf.set(digestBytes(format, digest), at);
  return 64;
}

/** The longest digest in bytes (a C4 ID's SHA-512). */
const MAX_DIGEST_BYTES = 64;

const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The hash of `digests`' bytes, concatenated in the order of their text. Hex digests of one
 * width sort as their bytes do, so they are decoded in one call and, 8 bytes wide (xxh64,
 * xxh3), sorted as numbers: a folder of 10,000 files sorted as text and decoded one by one
 * took ~6 ms, and twice (content and structure) per folder hash.
 */
function hashOfSorted(format: HashFormat, digest: Digest, digests: string[]): string {
  if (format === 'c4') {
    digests.sort();
    const buf = Buffer.allocUnsafe(digests.length * MAX_DIGEST_BYTES);
    let n = 0;
    for (const d of digests) n += putDigest(format, buf, n, d);
    return digest(buf.subarray(0, n));
  }
  const hexLength = HEX_LENGTH[format];
  const width = hexLength / 2;
  const notADigest = (d: string) => new RushesError('INTERNAL', `a ${format} folder hash was given "${d}", not ${width} bytes of hex`);
  for (const d of digests) if (d.length !== hexLength) throw notADigest(d);
  if (width !== 8) digests.sort();
  // Its own memory, at offset 0: a view of 64-bit words must start on a multiple of 8.
  const bytes = Buffer.allocUnsafeSlow(digests.length * width);
  if (bytes.write(digests.join(''), 'hex') !== bytes.length) throw notADigest(digests.find((d) => !/^[0-9a-fA-F]*$/.test(d)) ?? '');
  if (width === 8) {
    // Big-endian words read as numbers sort as their bytes: swapped to this machine's order, sorted, swapped back.
    if (LITTLE_ENDIAN) bytes.swap64();
    new BigUint64Array(bytes.buffer, 0, digests.length).sort();
    if (LITTLE_ENDIAN) bytes.swap64();
  }
  return digest(bytes);
}

/**
 * Hash of one child's name followed by its digest: the element a structure hash is built
 * from. Assembled in one reused buffer and hashed through a view of it kept per length: a
 * folder of 10,000 files is 10,000 of these, and a buffer or view made for each cost more
 * than hashing them.
 */
function structureElement(format: HashFormat, digest: Digest, name: string, childDigest: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: the exact length is asked only of a name that might not fit.
  if (3 * name.length + MAX_DIGEST_BYTES > scratch.length && Buffer.byteLength(name, 'utf8') + MAX_DIGEST_BYTES > scratch.length) {
    scratch = Buffer.allocUnsafe(2 * (Buffer.byteLength(name, 'utf8') + MAX_DIGEST_BYTES));
    scratchViews = [];
  }
  const n = scratch.write(name, 0, 'utf8');
  const length = n + putDigest(format, scratch, n, childDigest);
  return digest((scratchViews[length] ??= scratch.subarray(0, length)));
}
let scratch = Buffer.allocUnsafe(4096);
/** Views of `scratch` from its start, by length. */
let scratchViews: Buffer[] = [];

/**
 * Computes content and structure hashes of every folder. Paths are relative posix paths;
 * folders that only appear as a file's parent are added.
 */
export async function computeFolderHashes(input: FolderHashInput): Promise<FolderHashes> {
  const { paths, formats } = input;
  const folders = new Map<string, Folder>();
  const folder = (path: string): Folder => {
    let f = folders.get(path);
    if (!f) {
      f = { files: [], dirs: [] };
      folders.set(path, f);
      if (path !== '') folder(parentOf(path)).dirs.push(path);
    }
    return f;
  };
  folder('');
  for (const d of input.directories) if (d !== '') folder(d);
  for (let i = 0; i < paths.length; i++) folder(parentOf(paths[i])).files.push(i);

  // Deepest first, so every subfolder is done before its parent.
  const order = [...folders.keys()].sort((a, b) => depth(b) - depth(a));
  const result: FolderHashes = new Map();
  // One synchronous digest function per format: a folder of 10,000 files is 10,000 short buffers.
  const digestOf = new Map<HashFormat, Digest>();
  for (const format of formats) digestOf.set(format, await digestFunction(format));
  for (const path of order) {
    const f = folders.get(path)!;
    const mine = new Map<HashFormat, FolderHash>();
    for (const format of formats) {
      const digest = digestOf.get(format)!;
      const column = input.digests[format];
      const content: string[] = [];
      const structure: string[] = [];
      let complete = true;
      for (const i of f.files) {
        const d = column?.[i];
        if (d === undefined) {
          complete = false;
          break;
        }
        content.push(d);
        structure.push(structureElement(format, digest, baseName(paths[i]), d));
      }
      for (const sub of complete ? f.dirs : []) {
        const h = result.get(sub)?.get(format);
        if (!h) {
          complete = false;
          break;
        }
        content.push(h.content);
        structure.push(structureElement(format, digest, baseName(sub), h.structure));
      }
      if (!complete) continue;
      mine.set(format, { content: hashOfSorted(format, digest, content), structure: hashOfSorted(format, digest, structure) });
    }
    result.set(path, mine);
  }
  return result;
}

function depth(path: string): number {
  if (path === '') return 0;
  let n = 1;
  for (const ch of path) if (ch === '/') n++;
  return n;
}
