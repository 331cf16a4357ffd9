/**
 * The ASC MHL v2.0 data model as Rushes uses it: what a manifest (one generation) holds,
 * what a chain file lists, and what a loaded history looks like. Names follow the
 * standard's XML elements so the mapping stays obvious.
 */
import type { HashFormat } from '../hash/index.ts';
import type { Progress } from '../util/progress.ts';

/** The folder that holds a history, next to the files it describes. */
export const ASCMHL_FOLDER = 'ascmhl';
export const CHAIN_FILE = 'ascmhl_chain.xml';
export const MANIFEST_EXTENSION = '.mhl';
export const MHL_NAMESPACE = 'urn:ASC:MHL:v2.0';
export const MHL_DIRECTORY_NAMESPACE = 'urn:ASC:MHL:DIRECTORY:v2.0';
/** The reference tool's default ignore list; a history inherits it from its latest generation. */
export const DEFAULT_IGNORE: string[] = ['.DS_Store', 'ascmhl', 'ascmhl/'];
/**
 * Hash formats that conforming tools may write but Rushes cannot compute. They are read and
 * reported, never silently dropped, so a file recorded only in one of them shows as unverifiable.
 */
export const FOREIGN_HASH_FORMATS: readonly string[] = ['sha256', 'xxh32'];

/**
 * The order hash elements must appear in wherever several stand together: a file's <hash>,
 * and the <content> and <structure> of folder and root hashes. The official schema
 * (ASCMHL.xsd) fixes it as a sequence; it is alphabetical, which is also how the reference
 * tool sorts them. Our preference order (HASH_FORMATS) is a different thing and never decides this.
 */
export const SCHEMA_HASH_ORDER: readonly HashFormat[] = ['c4', 'md5', 'sha1', 'xxh128', 'xxh3', 'xxh64'];

export type HashAction = 'original' | 'verified' | 'failed';
export type ProcessType = 'transfer' | 'in-place' | 'flatten';

/** One hash of one file as a new generation records it. */
export interface MhlHash {
  format: HashFormat;
  /** Lowercase hex, or the 90-character C4 ID for c4. */
  digest: string;
  action: HashAction;
  hashDate: Date;
}

/** One file of a new generation. */
export interface MhlFileEntry {
  /** Relative to the history root, posix '/', NFC as on disk. */
  path: string;
  size: number;
  lastModified: Date;
  creationDate?: Date;
  hashes: MhlHash[];
  /** Where the history recorded this file before it was renamed or moved (same convention as `path`). */
  previousPath?: string;
}

export interface Author {
  name: string;
  email?: string;
  phone?: string;
  role?: string;
}

export interface CreatorInfo {
  creationDate: Date;
  hostName: string;
  tool: { name: string; version: string };
  author?: Author;
  /** Further authors (the schema allows any number). */
  authors?: Author[];
  location?: string;
  comment?: string;
}

export interface NewGeneration {
  process: ProcessType;
  creator: CreatorInfo;
  files: MhlFileEntry[];
  /** Every directory under the root (relative posix paths, '' excluded), so empty folders get entries too. */
  directories: string[];
  /** Ignore patterns recorded in processinfo. */
  ignore: string[];
  /**
   * Whether to record directory and root hashes. They describe whole folders, so a
   * generation that records only part of the tree must pass false. Default true.
   */
  directoryHashes?: boolean;
  /** Formats for directory hashes; default: every format that all recorded files carry. */
  directoryHashFormats?: HashFormat[];
}

/** A hash read from a manifest. `action` and `hashDate` are optional in the schema. */
export interface RecordedHash {
  format: HashFormat;
  digest: string;
  action?: HashAction;
  hashDate?: Date;
}

/** A hash in a format the standard allows but Rushes cannot compute (see FOREIGN_HASH_FORMATS). */
export interface ForeignHash {
  format: string;
  digest: string;
  action?: HashAction;
  hashDate?: Date;
}

export interface RecordedFile {
  path: string;
  size?: number;
  lastModified?: Date;
  creationDate?: Date;
  hashes: RecordedHash[];
  foreignHashes: ForeignHash[];
  previousPath?: string;
}

/** Content and structure hash of one folder in one format. */
export interface DirectoryHash {
  format: HashFormat;
  content: string;
  structure: string;
  hashDate?: Date;
}

export interface RecordedDirectory {
  path: string;
  lastModified?: Date;
  creationDate?: Date;
  hashes: DirectoryHash[];
  previousPath?: string;
}

/** A `<hashlistreference>`: a manifest of a nested history that this manifest vouches for. */
export interface HashListReference {
  /** Relative to this history's root, e.g. `A002R2EC/ascmhl/0002_A002R2EC_2020-01-17_143000Z.mhl`. */
  path: string;
  c4: string;
}

/** The content of one manifest (.mhl file). */
export interface Manifest {
  creator: CreatorInfo & { authors: Author[] };
  process: ProcessType;
  rootHashes: DirectoryHash[];
  ignore: string[];
  files: RecordedFile[];
  directories: RecordedDirectory[];
  references: HashListReference[];
}

/** A manifest as found in a history folder. */
export interface Generation extends Manifest {
  number: number;
  fileName: string;
  /** Absolute path of the .mhl file. */
  filePath: string;
  /** C4 ID of the file's bytes, the value the chain records. */
  c4: string;
}

/** One `<hashlist>` line of ascmhl_chain.xml. */
export interface ChainEntry {
  sequence: number;
  /** As written: the manifest's file name, relative to the ascmhl folder. */
  path: string;
  format: HashFormat;
  digest: string;
}

/**
 * Things wrong with a history that a verification reports rather than throws on. The first
 * three end the reference tool's verify with 31–33; the rest are warnings.
 */
export type HistoryProblemKind =
  | 'chain-missing'
  | 'manifest-missing'
  | 'manifest-altered'
  | 'manifest-unchained'
  | 'manifest-misnamed'
  | 'reference-mismatch'
  | 'reference-missing';

export interface HistoryProblem {
  kind: HistoryProblemKind;
  /** The file the problem is about (absolute). */
  path: string;
  message: string;
}

export interface MhlHistory {
  /** Absolute path of the folder the history describes. */
  root: string;
  /** Posix path of `root` relative to the top history's root; '' for the top itself. */
  relativePath: string;
  /** Absolute path of the ascmhl folder. */
  folder: string;
  /** Sorted by generation number. */
  generations: Generation[];
  /** Undefined when there is no chain file. */
  chain: ChainEntry[] | undefined;
  /** Directly nested histories (each with its own children). */
  children: MhlHistory[];
  problems: HistoryProblem[];
}

/** Exit codes of the reference tool's verify, which `rushes verify` shares. */
export const MHL_EXIT = {
  OK: 0,
  MISSING_FILES: 10,
  HASH_MISMATCH: 11,
  DIRECTORY_HASH_MISMATCH: 12,
  NEW_FILES: 21,
  NO_HISTORY: 30,
  MANIFEST_ALTERED: 31,
  CHAIN_MISSING: 32,
  MANIFEST_MISSING: 33,
} as const;
export type MhlExitCode = (typeof MHL_EXIT)[keyof typeof MHL_EXIT];

/** Exit code of a history problem that fails verification, or undefined for a warning. */
export function problemExitCode(kind: HistoryProblemKind): MhlExitCode | undefined {
  switch (kind) {
    case 'chain-missing':
      return MHL_EXIT.CHAIN_MISSING;
    case 'manifest-missing':
      return MHL_EXIT.MANIFEST_MISSING;
    case 'manifest-altered':
      return MHL_EXIT.MANIFEST_ALTERED;
    default:
      return undefined;
  }
}

/** Progress of a long MHL operation (verify, create): the one progress shape, with the phase and the file that just finished. */
export interface MhlProgress extends Progress {
  /** 'scan': files are being found (and the small ones hashed as found), the totals grow with them; 'hash': the totals are known. */
  phase: 'scan' | 'hash';
  /** The file that just finished, when there is one. */
  path?: string;
}
