/**
 * What a history (with its nested histories) knows about each path, keyed by the path
 * relative to the top root: the recorded hashes of every file across all generations,
 * and the latest recorded hashes of every folder. Verify, create, diff and the offload's
 * action classification all answer their questions from this one index.
 */
import type { HashFormat } from '../hash/index.ts';
import { allHistories } from './history.ts';
import type { DirectoryHash, Generation, MhlHistory, RecordedFile } from './model.ts';
import { joinRelative, parentOf } from './paths.ts';

export interface FileRecord {
  history: MhlHistory;
  generation: Generation;
  file: RecordedFile;
}

/** What the history expects a file to be. */
export interface FileExpectation {
  /** The history whose records these are (the deepest one that has any). */
  history: MhlHistory;
  /** Per format, the first digest recorded that was not a failed check. */
  digests: Map<HashFormat, string>;
  size?: number;
  lastModified?: Date;
  /** Formats recorded only in ones Rushes cannot compute (sha256, xxh32). */
  foreignFormats: string[];
  /** Every record, oldest generation first. */
  records: FileRecord[];
}

export interface FolderExpectation {
  /** Where the hashes were recorded: a <directoryhash> entry or a history's <roothash>. */
  source: 'directoryhash' | 'roothash';
  history: MhlHistory;
  generation: Generation;
  hashes: DirectoryHash[];
}

export interface HistoryIndex {
  top: MhlHistory;
  /** Top-relative file path → records (from every history that lists it). */
  files: Map<string, FileRecord[]>;
  /** Top-relative folder path ('' = top root) → the latest recorded hashes, per recording history. */
  folders: Map<string, FolderExpectation[]>;
  /** Every top-relative path any generation lists, files and folders. */
  recordedPaths: Set<string>;
  /** The folders among them. */
  recordedFolders: Set<string>;
  /**
   * Recorded paths that a later generation names as the <previousPath> of an entry (a file or
   * folder renamed or moved, as `--detect-renaming` records it): no longer expected on disk.
   */
  renamedAway: Set<string>;
}

export function indexHistory(top: MhlHistory): HistoryIndex {
  const files = new Map<string, FileRecord[]>();
  const folders = new Map<string, FolderExpectation[]>();
  const recordedPaths = new Set<string>();
  const recordedFolders = new Set<string>();
  const renamedAway = new Set<string>();
  for (const history of allHistories(top)) {
    const latestFolder = new Map<string, FolderExpectation>();
    const lastRecorded = new Map<string, number>();
    const renamedIn = new Map<string, number>();
    const record = (path: string, previousPath: string | undefined, generation: Generation): string => {
      const key = joinRelative(history.relativePath, path);
      recordedPaths.add(key);
      lastRecorded.set(key, generation.number);
      if (previousPath !== undefined) renamedIn.set(joinRelative(history.relativePath, previousPath), generation.number);
      return key;
    };
    for (const generation of history.generations) {
      for (const file of generation.files) {
        const key = record(file.path, file.previousPath, generation);
        const list = files.get(key) ?? [];
        list.push({ history, generation, file });
        files.set(key, list);
      }
      for (const dir of generation.directories) {
        const key = record(dir.path, dir.previousPath, generation);
        recordedFolders.add(key);
        // Folder hashes describe the folder at that generation; only the latest one still should hold.
        if (dir.hashes.length > 0) latestFolder.set(key, { source: 'directoryhash', history, generation, hashes: dir.hashes });
      }
      if (generation.rootHashes.length > 0) {
        latestFolder.set(`\0root`, { source: 'roothash', history, generation, hashes: generation.rootHashes });
      }
    }
    // A path recorded again after its rename (a new file under the old name) is expected again.
    for (const [old, generation] of renamedIn) if ((lastRecorded.get(old) ?? 0) < generation) renamedAway.add(old);
    for (const [key, exp] of latestFolder) {
      const path = key === '\0root' ? history.relativePath : key;
      const list = folders.get(path) ?? [];
      list.push(exp);
      folders.set(path, list);
    }
  }
  dropSuperseded(top, folders);
  return { top, files, folders, recordedPaths, recordedFolders, renamedAway };
}

/**
 * A folder hash describes its folder as it was at its generation. When a later generation
 * recorded files in that folder without recording its hash again (a single-file generation,
 * a partial offload, a nested history sealed on its own), the hash no longer has to hold and
 * is not checked. "Later" is by generation number within a history and by creation date
 * across histories (a nested create stamps all its manifests with one date).
 */
function dropSuperseded(top: MhlHistory, folders: Map<string, FolderExpectation[]>): void {
  const touches: { history: MhlHistory; generation: Generation; folders: Set<string> }[] = [];
  for (const history of allHistories(top)) {
    for (const generation of history.generations) {
      const touched = new Set<string>();
      let lastParent: string | undefined;
      for (const f of generation.files) {
        const parent = parentOf(joinRelative(history.relativePath, f.path));
        if (parent === lastParent) continue; // a manifest lists a folder's files together: its ancestry once
        lastParent = parent;
        for (let p = parent; ; p = parentOf(p)) {
          touched.add(p);
          if (p === '') break;
        }
      }
      touches.push({ history, generation, folders: touched });
    }
  }
  for (const [path, list] of folders) {
    const kept = list.filter(
      (exp) =>
        !touches.some(
          (t) =>
            t.folders.has(path) &&
            (t.history === exp.history ? t.generation.number > exp.generation.number : t.generation.creator.creationDate > exp.generation.creator.creationDate),
        ),
    );
    if (kept.length > 0) folders.set(path, kept);
    else folders.delete(path);
  }
}

/**
 * The expectation for a file: from the deepest history that records it (the reference tool
 * asks only the innermost history; falling back to an enclosing one that recorded the file
 * before a nested history existed finds strictly more), or undefined for a new file.
 * A file whose every record is a failed check counts as new, as in the reference tool.
 */
export function expectationFor(index: HistoryIndex, path: string): FileExpectation | undefined {
  const all = index.files.get(path);
  if (!all) return undefined;
  // Most files are recorded once: nothing to choose between or order.
  const deepest = all.length === 1 ? all[0].history : all.reduce((a, r) => (r.history.relativePath.length > a.history.relativePath.length ? r : a), all[0]).history;
  const records = all.length === 1 ? all : all.filter((r) => r.history === deepest).sort((a, b) => a.generation.number - b.generation.number);
  const digests = new Map<HashFormat, string>();
  const foreign = new Set<string>();
  let size: number | undefined;
  let lastModified: Date | undefined;
  for (const r of records) {
    for (const h of r.file.hashes) if (h.action !== 'failed' && !digests.has(h.format)) digests.set(h.format, h.digest);
    for (const h of r.file.foreignHashes) if (h.action !== 'failed') foreign.add(h.format);
    size ??= r.file.size;
    lastModified = r.file.lastModified ?? lastModified;
  }
  if (digests.size === 0 && foreign.size === 0) return undefined;
  return { history: deepest, digests, size, lastModified, foreignFormats: [...foreign], records };
}

