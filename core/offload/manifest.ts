/**
 * Turns what an offload proved on one destination into an ASC MHL generation there.
 * Only files whose check passed are recorded, each hash with the time it was checked and
 * the action the history there calls for: "original" for a file it has never seen,
 * "verified" or "failed" against what an earlier generation (the card's own history,
 * carried over, or an earlier offload) recorded.
 */
import { pooledHashing } from '../runtime/hashing.ts';
import { hostname } from 'node:os';
import type { HashFormat } from '../hash/index.ts';
import { classifyHashes, expectationFor, indexHistory, loadHistory, writeGenerationTo, type CreatorInfo, type MhlFileEntry } from '../mhl/index.ts';
import type { DestinationFileRecord, SourceFileRecord, VerifyMode } from './store.ts';
import { TOOL } from '../version.ts';
import type { SourceTree } from './walk.ts';

export interface ManifestOptions {
  creator?: Pick<CreatorInfo, 'author' | 'location' | 'comment'>;
}

export interface WrittenManifest {
  manifestPath: string;
  generation: number;
  /** The files this generation recorded. */
  paths: string[];
}

export async function writeDestinationManifest(args: {
  root: string;
  tree: SourceTree;
  records: Map<string, DestinationFileRecord>;
  sourceRecords: Map<string, SourceFileRecord>;
  /** Every format hashed in the copy: the requested ones and those the card's history needs. */
  formats: readonly HashFormat[];
  verifyMode: VerifyMode;
  ignore: string[];
  creator?: ManifestOptions['creator'];
}): Promise<WrittenManifest | undefined> {
  const history = await loadHistory(args.root, { hashing: pooledHashing });
  const known = indexHistory(history);
  const files: MhlFileEntry[] = [];
  let everyFile = true;
  for (const f of args.tree.files) {
    const rec = args.records.get(f.path);
    const src = args.sourceRecords.get(f.path);
    const proven = rec && (rec.status === 'verified' || rec.status === 'written') && src;
    if (!proven || rec.manifest) {
      everyFile = false; // failed, or recorded by an earlier generation
      continue;
    }
    const hashDate = new Date(rec.checkedAt ?? src.hashedAt);
    const digests = Object.fromEntries(args.formats.filter((format) => src.hashes[format]).map((format) => [format, src.hashes[format]]));
    files.push({
      path: f.path,
      size: f.size,
      lastModified: new Date(Math.floor(f.mtimeMs)),
      hashes: classifyHashes(expectationFor(known, f.path), digests, hashDate).hashes,
    });
  }
  if (files.length === 0) return undefined;

  const notReadBack = args.verifyMode === 'full' ? [] : [`destination files were not read back (verify mode: ${args.verifyMode})`];
  const comment = [args.creator?.comment, ...notReadBack].filter(Boolean).join('; ') || undefined;
  const written = await writeGenerationTo(history, {
    process: 'transfer',
    creator: { creationDate: new Date(), hostName: hostname(), tool: TOOL, author: args.creator?.author, location: args.creator?.location, comment },
    files,
    directories: args.tree.directories.map((d) => d.path),
    // Folder hashes describe whole folders; a generation that records only part of the
    // card (the rest was recorded earlier, or failed) must not claim them.
    directoryHashes: everyFile,
    ignore: args.ignore,
  }, pooledHashing);
  return { manifestPath: written.manifestPath, generation: written.generation, paths: files.map((f) => f.path) };
}
