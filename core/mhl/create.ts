/**
 * `rushes mhl create DIR`: seal a folder in place. Every file the history already knows is
 * read from the medium (O_DIRECT) and checked against it (verified / failed): that is a
 * verification, and DESIGN.md's rule holds for it. Files it does not know are recorded as
 * original, hashed as the file system presents them, page cache included — as the offload
 * hashes the card it copies from (core/offload), and as the reference tool does: an original
 * hash states what the file holds, not that a copy reached its medium; a copy whose medium
 * lost bytes is then caught by the next verify, which reads the medium (`direct: true`
 * reads new files from the medium too). Then a new "in-place" generation is written (also in
 * nested histories), with folder hashes. Like the reference tool's create, the generation
 * is written even when a check failed or recorded files are missing — it documents that —
 * and the result's exit code says so: 11 when a file failed, else 10 when files are missing.
 * With `detectRenames`, a missing file found again under a new name is recorded as renamed
 * (see renames.ts) and not counted as missing.
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { FileHashOutcome } from '../hash/batch.ts';
import type { HashFormat } from '../hash/index.ts';
import { TOOL } from '../version.ts';
import { classifyHashes } from './classify.ts';
import { hashMany, localMhlHashing, type MhlHashing } from './hashing.ts';
import { historyFor, loadHistory } from './history.ts';
import { MHL_EXIT, type CreatorInfo, type MhlFileEntry, type MhlProgress } from './model.ts';
import { wholeSecond } from './datetime.ts';
import { compareCodePoints } from './paths.ts';
import { MhlProgressCounter } from './progress.ts';
import { expectationFor, type FileExpectation } from './records.ts';
import { formatsToMatchGone, matchRenames, type GoneFile, type NewFile } from './renames.ts';
import { scan, type ScannedFile } from './scan.ts';
import { beginScan, loadWhileListing } from './scan-start.ts';
import type { AlteredFile, UnverifiableFile } from './verify.ts';
import { writeGenerationTo, type WrittenGeneration } from './write.ts';

export interface CreateOptions {
  /** Formats to hash every file in (each is recorded). */
  formats: HashFormat[];
  /** Defaults: now, this host, this tool. */
  creator?: Partial<CreatorInfo>;
  /** Patterns added to the history's own (or the defaults). */
  ignore?: string[];
  /** Record a missing file found again under another name as renamed (the reference tool's --detect_renaming). */
  detectRenames?: boolean;
  onProgress?: (p: MhlProgress) => void;
  /**
   * Read every file, new ones too, from the medium (true), or every file through the page
   * cache (false). Default: files the history knows from the medium, new ones through the cache.
   */
  direct?: boolean;
  /** Batches of small files, or large files, read at once (default 4 each; see hashing.ts). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Where files are hashed (default this thread). */
  hashing?: MhlHashing;
}

export interface CreateResult {
  written: WrittenGeneration;
  exitCode: typeof MHL_EXIT.OK | typeof MHL_EXIT.MISSING_FILES | typeof MHL_EXIT.HASH_MISMATCH;
  summary: string;
  original: string[];
  verified: string[];
  failed: AlteredFile[];
  missing: string[];
  /** Files recorded as renamed (with detectRenames). */
  renamed: { from: string; to: string }[];
  /** Files that could not be read; they are not in the new generation. */
  unreadable: UnverifiableFile[];
}

export async function createGeneration(root: string, options: CreateOptions): Promise<CreateResult> {
  const hashing = options.hashing ?? localMhlHashing;
  const progress = new MhlProgressCounter(0, 0, options.onProgress);
  const requested = [...new Set(options.formats)];
  // While the history loads: with one, the folder is only listed (files are read once it says how); without, new files are read as they will be recorded.
  const started = beginScan(
    resolve(root),
    { formats: requested, direct: options.direct ?? false },
    { ignore: options.ignore, hashing, progress, signal: options.signal },
  );
  const history = await loadWhileListing(started, () => loadHistory(resolve(root), { hashing })); // a broken chain is refused, not extended
  const formatsOf = (expectation: FileExpectation | undefined): HashFormat[] => {
    if (!expectation) return requested;
    const recorded = [...expectation.digests.keys()];
    // As the reference tool: when no requested format was recorded before, also hash one
    // that was, so the file is checked against its history and not merely re-recorded.
    return recorded.length > 0 && !requested.some((x) => recorded.includes(x)) ? [...requested, recorded[0]] : requested;
  };
  // A known file is verified, so it is read from the medium; a new one needs no more than its bytes.
  const plan = { formats: formatsOf, knownDirect: options.direct ?? true, othersDirect: options.direct ?? false };
  const s = await scan(history, { ignore: options.ignore, plan: () => plan, hashing, progress, signal: options.signal, started });

  const entries: MhlFileEntry[] = [];
  const result = { original: [] as string[], verified: [] as string[], failed: [] as AlteredFile[], unreadable: s.tree.errors.map((e) => ({ path: e.path, message: e.message })) };
  const gone: GoneFile[] = [];
  if (options.detectRenames) {
    for (const path of s.missing) {
      const expectation = s.index.files.has(path) ? expectationFor(s.index, path) : undefined;
      if (expectation) gone.push({ path, expectation });
    }
  }
  const newFiles: NewFile[] = [];

  const record = (f: ScannedFile, r: FileHashOutcome): void => {
    if ('error' in r) {
      result.unreadable.push({ path: f.path, message: `cannot read: ${r.error instanceof Error ? r.error.message : String(r.error)}` });
      return;
    }
    const c = classifyHashes(f.expectation, r.digests, wholeSecond(Date.now()));
    if (c.outcome === 'failed' || (f.expectation?.size !== undefined && f.expectation.size !== r.bytes)) {
      for (const m of c.mismatches) result.failed.push({ path: f.path, reason: 'hash', format: m.format, expected: m.expected, actual: m.actual });
      if (c.mismatches.length === 0) result.failed.push({ path: f.path, reason: 'size', expected: String(f.expectation!.size), actual: String(r.bytes) });
    } else if (c.outcome === 'original') {
      result.original.push(f.path);
      if (gone.length > 0) newFiles.push({ path: f.path, history: historyFor(history, f.path).history, size: r.bytes, digests: r.digests });
    } else result.verified.push(f.path);
    // A new file is recorded in the requested formats only, even when hashed in more to match a gone one.
    const hashes = f.expectation ? c.hashes : c.hashes.filter((h) => requested.includes(h.format));
    entries.push({ path: f.path, size: r.bytes, lastModified: wholeSecond(f.mtimeMs), hashes });
  };

  // Most small files were hashed as listed; the rest (large ones, and new ones that might be a gone file renamed) now.
  const extraFormats = (f: ScannedFile): HashFormat[] => (f.expectation ? [] : formatsToMatchGone(gone, f.size, requested));
  const rest: ScannedFile[] = [];
  for (const f of s.files) {
    if (f.hashed && extraFormats(f).length === 0) record(f, f.hashed);
    else rest.push(f);
  }
  progress.setTotals(progress.filesDone + rest.length, progress.bytesDone + rest.reduce((n, f) => n + f.size, 0));
  await hashMany(history.root, rest, (f) => [...formatsOf(f.expectation), ...extraFormats(f)], record, {
    direct: (f) => (f.expectation ? plan.knownDirect : plan.othersDirect),
    concurrency: options.concurrency,
    signal: options.signal,
    progress,
    hashing,
  });

  // As the reference tool records it: the new path's hashes stay "original", <previousPath> says where it was.
  const renames = matchRenames(gone, newFiles.sort((a, b) => compareCodePoints(a.path, b.path)));
  for (const e of entries) {
    const from = renames.get(e.path);
    if (from !== undefined) e.previousPath = from;
  }
  const renamed = [...renames].map(([to, from]) => ({ from, to }));
  const renamedFrom = new Set(renames.values());
  const missing = s.missing.filter((p) => !renamedFrom.has(p));
  result.original = result.original.filter((p) => !renames.has(p)).sort();
  result.verified.sort();

  const creator: CreatorInfo = { creationDate: new Date(), hostName: hostname(), tool: { ...TOOL }, ...options.creator };
  const written = await writeGenerationTo(history, {
    process: 'in-place',
    creator,
    files: entries,
    directories: s.tree.directories.map((d) => d.path),
    ignore: s.patterns,
    // Folder hashes must describe whole folders; with unreadable files left out they would not.
    directoryHashes: result.unreadable.length === 0,
    directoryHashFormats: requested,
  }, hashing);

  const failedPaths = new Set(result.failed.map((f) => f.path));
  const bad = failedPaths.size + result.unreadable.length;
  const exitCode = bad > 0 ? MHL_EXIT.HASH_MISMATCH : missing.length > 0 ? MHL_EXIT.MISSING_FILES : MHL_EXIT.OK;
  const summary =
    bad > 0
      ? `${bad} file(s) failed verification or could not be read`
      : missing.length > 0
        ? `${missing.length} recorded path(s) missing`
        : `generation ${written.generation} written: ${result.original.length} new, ${renamed.length > 0 ? `${renamed.length} renamed, ` : ''}${result.verified.length} verified`;
  return { written, exitCode, summary, ...result, missing, renamed };
}
