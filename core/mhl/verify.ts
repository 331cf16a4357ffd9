/**
 * `rushes verify`: check a folder against its ASC MHL history without writing anything.
 * Every known file is read from the medium (O_DIRECT) and its size and recorded digests
 * compared; files on disk that the history does not know, recorded paths that are gone,
 * and folder hashes that no longer hold are reported; chain problems too.
 *
 * Exit codes and their precedence follow the reference tool (ascmhl verify): a broken
 * history (31 altered manifest, 32 no chain, 33 missing manifest — the first found, root
 * history first) before anything else; 30 when there is no history; then 11 (a file failed)
 * over 21 (new files) over 10 (missing files). Folder hashes, which the reference tool only
 * checks in a separate mode, come last as 12: a new, missing or altered file changes them
 * anyway, so 12 alone means the folder layout changed (e.g. an empty folder was added).
 */
import { resolve } from 'node:path';
import type { HashFormat } from '../hash/index.ts';
import type { ReadMode } from '../hash/medium.ts';
import { allProblems, loadHistory } from './history.ts';
import { MHL_EXIT, problemExitCode, type HistoryProblem, type MhlExitCode, type MhlProgress } from './model.ts';
import { folderHashInput } from './dirhash.ts';
import { hashMany, localMhlHashing, type MhlHashing } from './hashing.ts';
import { MhlProgressCounter } from './progress.ts';
import { scan, type HashPlan, type ScannedFile } from './scan.ts';
import { beginScan, LIST_ONLY, loadWhileListing } from './scan-start.ts';
import type { FileExpectation, HistoryIndex } from './records.ts';
import type { FileHashOutcome } from '../hash/batch.ts';

export interface VerifyOptions {
  onProgress?: (p: MhlProgress) => void;
  /** Read with O_DIRECT (default true): verification must see the medium, not the page cache. */
  direct?: boolean;
  /** Batches of small files, or large files, read at once (default 4 each; see hashing.ts). */
  concurrency?: number;
  /** Ignore patterns added to the history's own. */
  ignore?: string[];
  signal?: AbortSignal;
  /** Where files are hashed (default this thread). */
  hashing?: MhlHashing;
}

export interface AlteredFile {
  path: string;
  reason: 'size' | 'hash';
  format?: HashFormat;
  expected: string;
  actual: string;
}

export interface UnverifiableFile {
  path: string;
  message: string;
}

export interface DirectoryMismatch {
  /** '' for the root. */
  path: string;
  format: HashFormat;
  part: 'content' | 'structure';
  expected: string;
  actual: string;
  /** The manifest that recorded the expected value. */
  manifest: string;
}

export interface VerifyReport {
  root: string;
  exitCode: MhlExitCode;
  /** One line saying why exitCode is what it is. */
  summary: string;
  problems: HistoryProblem[];
  filesOnDisk: number;
  filesVerified: number;
  bytesRead: number;
  missing: string[];
  altered: AlteredFile[];
  newFiles: string[];
  /** Known files that could not be checked (unreadable, or recorded only in formats Rushes cannot compute). */
  unverifiable: UnverifiableFile[];
  directoryMismatches: DirectoryMismatch[];
  /** 'direct' when every byte came from the device; 'cached' where the filesystem refused O_DIRECT. */
  readMode: ReadMode | 'mixed' | 'none';
  durationMs: number;
}

function exitFor(r: Omit<VerifyReport, 'exitCode' | 'summary'>, hasHistory: boolean): { exitCode: MhlExitCode; summary: string } {
  for (const p of r.problems) {
    const code = problemExitCode(p.kind);
    if (code !== undefined) return { exitCode: code, summary: p.message };
  }
  if (!hasHistory) return { exitCode: MHL_EXIT.NO_HISTORY, summary: `no ASC MHL history at ${r.root}` };
  const bad = new Set([...r.altered, ...r.unverifiable].map((x) => x.path)).size;
  if (bad > 0) return { exitCode: MHL_EXIT.HASH_MISMATCH, summary: `${bad} file(s) failed verification` };
  if (r.newFiles.length > 0) return { exitCode: MHL_EXIT.NEW_FILES, summary: `${r.newFiles.length} new file(s) not in the history` };
  if (r.missing.length > 0) return { exitCode: MHL_EXIT.MISSING_FILES, summary: `${r.missing.length} recorded path(s) missing` };
  if (r.directoryMismatches.length > 0) return { exitCode: MHL_EXIT.DIRECTORY_HASH_MISMATCH, summary: `${r.directoryMismatches.length} folder hash(es) differ` };
  return { exitCode: MHL_EXIT.OK, summary: `${r.filesVerified} file(s) verified` };
}

export async function verifyHistory(root: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = Date.now();
  const hashing = options.hashing ?? localMhlHashing;
  const progress = new MhlProgressCounter(0, 0, options.onProgress);
  // Listed while the history loads (files are read once it says how).
  const listing = beginScan(resolve(root), LIST_ONLY, { ignore: options.ignore, hashing, progress, signal: options.signal });
  const history = await loadWhileListing(listing, () => loadHistory(resolve(root), { tolerant: true, hashing }));
  const base = {
    root: history.root,
    problems: allProblems(history),
    filesOnDisk: 0,
    filesVerified: 0,
    bytesRead: 0,
    missing: [] as string[],
    altered: [] as AlteredFile[],
    newFiles: [] as string[],
    unverifiable: [] as UnverifiableFile[],
    directoryMismatches: [] as DirectoryMismatch[],
    readMode: 'none' as VerifyReport['readMode'],
    durationMs: 0,
  };
  // As the reference tool: no generation at the root means there is nothing to verify against.
  if (history.generations.length === 0 || base.problems.some((p) => problemExitCode(p.kind) !== undefined)) {
    listing.cancel();
    base.durationMs = Date.now() - started;
    return { ...base, ...exitFor(base, history.generations.length > 0) };
  }

  // Folder hashes need every file's digest in the folder formats, so those formats are hashed too.
  const folderFormats = new Set<HashFormat>();
  // Every known file is read from the medium in its recorded formats; new files are only listed.
  const formatsOf = (e: FileExpectation | undefined): HashFormat[] => (e && e.digests.size > 0 ? [...new Set<HashFormat>([...e.digests.keys(), ...folderFormats])] : []);
  const plan = (index: HistoryIndex): HashPlan => {
    for (const list of index.folders.values()) for (const e of list) for (const h of e.hashes) folderFormats.add(h.format);
    return { formats: formatsOf, knownDirect: options.direct ?? true, othersDirect: options.direct ?? true };
  };
  const s = await scan(history, { ignore: options.ignore, plan, hashing, progress, signal: options.signal, started: listing });
  const report = { ...base, filesOnDisk: s.files.length, missing: s.missing, newFiles: s.newFiles.map((f) => f.path) };
  for (const e of s.tree.errors) report.unverifiable.push({ path: e.path, message: e.message });

  const measured = new Map<string, Partial<Record<HashFormat, string>>>();
  const modes = new Set<ReadMode>();
  const check = (f: ScannedFile, r: FileHashOutcome): void => {
    if ('error' in r) {
      report.unverifiable.push({ path: f.path, message: `cannot read: ${r.error instanceof Error ? r.error.message : String(r.error)}` });
      return;
    }
    const exp = f.expectation!;
    modes.add(r.mode);
    report.bytesRead += r.bytes;
    measured.set(f.path, r.digests);
    let ok = true;
    if (exp.size !== undefined && exp.size !== r.bytes) {
      ok = false;
      report.altered.push({ path: f.path, reason: 'size', expected: String(exp.size), actual: String(r.bytes) });
    }
    for (const [format, expected] of exp.digests) {
      const actual = r.digests[format]!;
      if (actual !== expected) {
        ok = false;
        report.altered.push({ path: f.path, reason: 'hash', format, expected, actual });
      }
    }
    if (ok) report.filesVerified++;
  };

  // Most small files were read and hashed as listed; the rest (large ones) now.
  const rest: ScannedFile[] = [];
  for (const f of s.files) {
    if (!f.expectation) continue;
    if (f.expectation.digests.size === 0) {
      report.unverifiable.push({ path: f.path, message: `recorded only as ${f.expectation.foreignFormats.join(', ')}, which Rushes cannot compute` });
    } else if (f.hashed) check(f, f.hashed);
    else rest.push(f);
  }
  progress.setTotals(progress.filesDone + rest.length, progress.bytesDone + rest.reduce((n, f) => n + f.size, 0));
  await hashMany(history.root, rest, (f) => formatsOf(f.expectation), check, { direct: options.direct, concurrency: options.concurrency, signal: options.signal, progress, hashing });

  // Recompute folder hashes from what was read and compare them with the latest recorded ones.
  if (folderFormats.size > 0) {
    // Files not read (new, unreadable) have no digests, which leaves the folders above them uncomputed.
    const computed = await hashing.folderHashes(
      folderHashInput(s.files, (f, format) => measured.get(f.path)?.[format], s.tree.directories.map((d) => d.path), [...folderFormats]),
    );
    const onDisk = new Set(['', ...s.tree.directories.map((d) => d.path)]);
    for (const [path, expectations] of s.index.folders) {
      if (!onDisk.has(path)) continue; // reported as missing
      for (const exp of expectations) {
        for (const h of exp.hashes) {
          const got = computed.get(path)?.get(h.format);
          if (!got) continue; // a file below could not be read or is new: reported already
          for (const part of ['content', 'structure'] as const) {
            if (got[part] !== h[part]) {
              report.directoryMismatches.push({ path, format: h.format, part, expected: h[part], actual: got[part], manifest: exp.generation.filePath });
            }
          }
        }
      }
    }
  }

  report.readMode = modes.size === 0 ? 'none' : modes.size > 1 ? 'mixed' : [...modes][0];
  report.altered.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  report.unverifiable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  report.durationMs = Date.now() - started;
  return { ...report, ...exitFor(report, true) };
}
