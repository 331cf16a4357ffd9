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
import { hashBytes, type Digests, type HashFormat } from '../hash/index.ts';
import { digestBytes } from './digest.ts';
import { baseName, parentOf } from './paths.ts';

export interface FolderHash {
  content: string;
  structure: string;
}

/** Folder ('' = root) → format → hashes. A format is missing where some file below lacks it. */
export type FolderHashes = Map<string, Map<HashFormat, FolderHash>>;

interface Folder {
  files: { name: string; digests: Digests }[];
  dirs: string[];
}

async function hashOfSorted(format: HashFormat, digests: string[]): Promise<string> {
  digests.sort();
  return hashBytes(format, Buffer.concat(digests.map((d) => digestBytes(format, d))));
}

/** Hash of one child's name followed by its digest: the element a structure hash is built from. */
async function structureElement(format: HashFormat, name: string, digest: string): Promise<string> {
  return hashBytes(format, Buffer.concat([Buffer.from(name, 'utf8'), digestBytes(format, digest)]));
}

/**
 * Computes content and structure hashes of every folder. `files` and `directories` are
 * relative posix paths; folders that only appear as a file's parent are added.
 */
export async function computeFolderHashes(
  files: readonly { path: string; digests: Digests }[],
  directories: readonly string[],
  formats: readonly HashFormat[],
): Promise<FolderHashes> {
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
  for (const d of directories) if (d !== '') folder(d);
  for (const f of files) folder(parentOf(f.path)).files.push({ name: baseName(f.path), digests: f.digests });

  // Deepest first, so every subfolder is done before its parent.
  const order = [...folders.keys()].sort((a, b) => depth(b) - depth(a));
  const result: FolderHashes = new Map();
  for (const path of order) {
    const f = folders.get(path)!;
    const mine = new Map<HashFormat, FolderHash>();
    for (const format of formats) {
      const content: string[] = [];
      const structure: string[] = [];
      let complete = true;
      for (const file of f.files) {
        const d = file.digests[format];
        if (d === undefined) {
          complete = false;
          break;
        }
        content.push(d);
        structure.push(await structureElement(format, file.name, d));
      }
      for (const sub of complete ? f.dirs : []) {
        const h = result.get(sub)?.get(format);
        if (!h) {
          complete = false;
          break;
        }
        content.push(h.content);
        structure.push(await structureElement(format, baseName(sub), h.structure));
      }
      if (!complete) continue;
      mine.set(format, { content: await hashOfSorted(format, content), structure: await hashOfSorted(format, structure) });
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
