/**
 * An offload: copy a card into `<destination>/<roll>/` for every destination, prove every
 * byte, record every result, and write an ASC MHL generation where files were proven.
 *
 * Order per file: one read of the source feeds every destination's temporary file
 * (copy.ts); each destination file is then checked (verify.ts) and only then renamed to
 * its final name. So a file under its final name is always a complete, checked copy, and
 * anything else is a temporary file the next run replaces.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RushesError, destinationError, errno, errorRecord } from '../errors.ts';
import { type Digests, type HashFormat } from '../hash/index.ts';
import { hashFile } from '../runtime/hashing.ts';
import type { Db } from '../store/db.ts';
import { OffloadStore, type CheckKind, type DestinationFileRecord, type SourceFileRecord, type VerifyMode } from './store.ts';
import { ignoreMatcher } from '../fs/ignore.ts';
import { forEachLimited, TaskLane } from '../util/limit.ts';
import { copyToTargets, type WriteTarget } from './copy.ts';
import type { DestinationSummary, FailureReport, OffloadListener, OffloadSummary } from './events.ts';
import { writeDestinationManifest, type ManifestOptions } from './manifest.ts';
import { ProgressTracker } from './progress.ts';
import { checkDestinationFile, type CheckResult } from './verify.ts';
import { walkSource, type SourceFile, type SourceTree } from './walk.ts';
import { DEFAULT_IGNORE, classifyHashes, expectationFor } from '../mhl/index.ts';
import { carryOverHistory, missingFromCard, readSourceHistory } from './history.ts';
import { assertDestinationsOutsideSource } from './paths.ts';
import { fsyncFolder, temporaryPath } from '../fs/durable.ts';
import { lockFolders } from '../fs/lock.ts';
import { changesSinceListing } from './relist.ts';

export interface OffloadOptions {
  source: string;
  /** Parent folders; the roll folder is created inside each. */
  destinations: string[];
  roll?: string;
  formats?: HashFormat[];
  verify?: VerifyMode;
  sourceVerify?: boolean;
  ignore?: string[];
  db: Db;
  onEvent?: OffloadListener;
  signal?: AbortSignal;
  creator?: ManifestOptions['creator'];
  /** Files copied at once; small files gain from more, large ones are bound by the device. */
  concurrency?: number;
  /** When another writer holds a destination folder: wait for it (true) or fail with DEST_LOCKED (default). */
  waitForLock?: boolean;
}

/** A destination for the length of one offload. `error` set means it is out of the running. */
interface Destination {
  root: string;
  records: Map<string, DestinationFileRecord>;
  error?: FailureReport;
}

function validateRoll(roll: string): string {
  if (!roll || roll === '.' || roll === '..' || roll.includes('/') || roll.includes('\\') || roll.includes('\0')) {
    throw new RushesError('USAGE', `invalid roll name "${roll}": it must be a single folder name`);
  }
  return roll;
}

function failure(e: unknown, path: string, destination?: string): FailureReport {
  const r = errorRecord(e, path);
  return { path: r.path ?? path, destination, code: r.code, message: r.message };
}

async function prepareDestination(root: string): Promise<FailureReport | undefined> {
  try {
    await fsp.mkdir(root, { recursive: true });
    await fsp.access(root, fsp.constants.W_OK);
    return undefined;
  } catch (e) {
    // A recursive mkdir on a read-only mount reports ENOENT; the nearest existing folder tells the real cause.
    return failure(destinationError((await whyNotWritable(root)) ?? e, root), root, root);
  }
}

async function whyNotWritable(path: string): Promise<unknown> {
  for (let dir = path; ; dir = dirname(dir)) {
    const st = await statOrUndefined(dir).catch(() => undefined);
    if (st) return fsp.access(dir, fsp.constants.W_OK).then(() => undefined, (e: unknown) => e);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The source file as the earlier run recorded it, if that record still describes it. */
function previousCopy(prev: Map<string, SourceFileRecord>, file: SourceFile): SourceFileRecord | undefined {
  const rec = prev.get(file.path);
  return rec && rec.size === file.size && Math.abs(rec.mtimeMs - file.mtimeMs) < 1 ? rec : undefined;
}

async function statOrUndefined(path: string) {
  try {
    return await fsp.stat(path);
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  }
}

type WorkPlan = { kind: 'write'; target: WriteTarget; finalPath: string } | { kind: 'existing'; finalPath: string };
/** A destination file this run must write or check. */
interface Work {
  d: Destination;
  plan: WorkPlan;
}

type TargetPlan =
  | { kind: 'done' } // verified by an earlier run and still in place
  | WorkPlan // 'existing': a file is already there: prove it identical or refuse
  | { kind: 'failed'; failure: FailureReport };

export async function offload(o: OffloadOptions): Promise<OffloadSummary> {
  const started = Date.now();
  const source = resolve(o.source);
  const roll = validateRoll(o.roll ?? basename(source));
  const formats: HashFormat[] = o.formats?.length ? [...o.formats] : ['xxh64'];
  const verifyMode: VerifyMode = o.verify ?? 'full';
  const roots = [...new Set(o.destinations.map((d) => join(resolve(d), roll)))];
  if (roots.length === 0) throw new RushesError('USAGE', 'no destination given (use --to DIR, once per destination)');
  if (roots.length !== o.destinations.length) throw new RushesError('USAGE', 'the same destination is given twice');
  await assertDestinationsOutsideSource(source, roots);

  // One writer per roll folder, whichever process it runs in: a second offload of the same
  // card would write the same temporary files and could overwrite a file already verified.
  const held = await lockFolders(roots, `rushes offload of ${source}`, o.waitForLock ? { signal: o.signal, onBlocked: (e) => o.onEvent?.({ type: 'offload.waiting', source, destination: e.path ?? '', message: e.message }) } : undefined);
  try {
    return await copyCard(o, { started, source, roll, formats, verifyMode, roots, unlockable: held.unlockable });
  } finally {
    await held.release();
  }
}

interface CardRun {
  started: number;
  source: string;
  roll: string;
  formats: HashFormat[];
  verifyMode: VerifyMode;
  roots: string[];
  /** Destinations whose lock could not be written: they fail with that cause, the others go on. */
  unlockable: Map<string, RushesError>;
}

async function copyCard(o: OffloadOptions, { started, source, roll, formats, verifyMode, roots, unlockable }: CardRun): Promise<OffloadSummary> {
  const ignore = ignoreMatcher(o.ignore ?? DEFAULT_IGNORE);
  const tree = await walkSource(source, ignore);
  const card = await readSourceHistory(source);
  // Problems with the card's history do not make a copy incomplete, but the offload reports them and does not succeed.
  const historyProblems = [...(card.problem ? [card.problem] : []), ...(card.history ? missingFromCard(card.history, new Set(tree.files.map((f) => f.path)), source) : [])];
  // The copy's one read also computes what the card's history recorded, to check each file against it.
  const hashFormats = [...new Set([...formats, ...(card.history?.formats ?? [])])];
  const store = new OffloadStore(o.db);
  const latest = store.findLatest(source, roll, roots);
  const resumable = latest && latest.status !== 'completed' && latest.verifyMode === verifyMode && latest.formats.join() === formats.join() ? latest : undefined;
  const offloadId = resumable?.id ?? randomUUID();
  if (resumable) store.markRunning(offloadId);
  else store.create({ id: offloadId, source, roll, destinations: roots, formats, verifyMode, sourceVerify: !!o.sourceVerify, startedAt: new Date().toISOString() });

  const emit: OffloadListener = (e) => o.onEvent?.(e);
  const failures: FailureReport[] = tree.problems.map((p) => failure(p, p.path ?? source));
  const report = (f: FailureReport) => {
    failures.push(f);
    emit({ type: 'file.failed', offloadId, failure: f });
  };

  const previousSource = resumable ? store.sourceFiles(offloadId) : new Map<string, SourceFileRecord>();
  const destinations: Destination[] = await Promise.all(
    roots.map(async (root) => {
      const lockError = unlockable.get(root);
      const error = lockError ? failure(lockError, root, root) : await prepareDestination(root);
      return { root, records: resumable ? store.destinationFiles(offloadId, root) : new Map(), error };
    }),
  );
  const createdDirs = new Set<string>();

  const progress = new ProgressTracker(roots, { files: tree.files.length, bytes: tree.totalBytes }, verifyMode === 'full', (p) =>
    emit({ type: 'offload.progress', offloadId, destinations: p }),
  );
  const resumedFiles = countResumed(tree, destinations, previousSource);
  emit({ type: 'offload.started', offloadId, source, roll, destinations: roots, files: tree.files.length, bytes: tree.totalBytes, resumedFiles });
  for (const f of tree.problems) emit({ type: 'file.failed', offloadId, failure: failure(f, f.path ?? source) });
  for (const p of historyProblems) report(failure(p, p.path ?? source));
  for (const d of destinations) {
    if (d.error) {
      report(d.error);
      progress.destinationFailed(d.root);
    }
  }

  const failDestination = (d: Destination, f: FailureReport) => {
    if (d.error) return;
    d.error = f;
    report(f);
    progress.destinationFailed(d.root);
  };

  /** Decides what this run must do for one file on one destination. */
  const planTarget = async (d: Destination, file: SourceFile, prev: SourceFileRecord | undefined): Promise<TargetPlan> => {
    const finalPath = join(d.root, file.path);
    const rec = d.records.get(file.path);
    try {
      const existing = await statOrUndefined(finalPath);
      if (prev && rec && (rec.status === 'verified' || rec.status === 'written') && existing?.size === file.size) return { kind: 'done' };
      if (existing) {
        if (!existing.isFile() || existing.size !== file.size) {
          return {
            kind: 'failed',
            failure: {
              path: finalPath,
              destination: d.root,
              code: 'DEST_CONFLICT',
              message: `a different ${existing.isFile() ? 'file' : 'entry'} already exists at ${finalPath} (${existing.size} bytes, source has ${file.size}); it was left untouched`,
            },
          };
        }
        return { kind: 'existing', finalPath };
      }
      return { kind: 'write', target: { destination: d.root, tempPath: temporaryPath(finalPath) }, finalPath };
    } catch (e) {
      return { kind: 'failed', failure: failure(destinationError(e, finalPath), finalPath, d.root) };
    }
  };

  const recordCheck = (d: Destination, file: SourceFile, check: CheckResult) => {
    const status = check.error ? 'failed' : check.kind === 'full-direct' || check.kind === 'full-cached' ? 'verified' : 'written';
    const rec: DestinationFileRecord = { path: file.path, status, checkKind: check.kind, checkedAt: check.checkedAt.toISOString(), errorCode: check.error?.code, error: check.error?.message };
    store.recordDestinationFile(offloadId, d.root, rec);
    d.records.set(file.path, rec);
  };

  const processFile = async (file: SourceFile): Promise<void> => {
    const prev = previousCopy(previousSource, file);
    const live = destinations.filter((d) => !d.error);
    const plans = await Promise.all(live.map((d) => planTarget(d, file, prev)));
    const work: Work[] = [];
    plans.forEach((plan, i) => {
      const d = live[i];
      if (plan.kind === 'done') {
        progress.credit(d.root, 1, file.size, verifyMode === 'full');
      } else if (plan.kind === 'failed') {
        report(plan.failure);
        progress.fileDone(d.root);
      } else work.push({ d, plan });
    });
    if (work.length === 0) return;

    // One read of the source: written to every destination that needs it, or (when every
    // destination already holds a file) only hashed to check those files.
    const writes = work.flatMap((w) => (w.plan.kind === 'write' ? [w.plan.target] : []));
    let digests: Digests;
    let hashedAt: Date;
    try {
      if (writes.length > 0) {
        ({ digests, hashedAt } = await copyToTargets(file, writes, hashFormats, {
          createdDirs,
          signal: o.signal,
          onBytes: (n) => writes.forEach((t) => !t.error && progress.written(t.destination, n)),
        }));
      } else {
        const r = await hashFile(file.abs, hashFormats, { direct: false, signal: o.signal });
        ({ digests } = r);
        hashedAt = new Date();
      }
    } catch (e) {
      if (o.signal?.aborted) throw e;
      const f = failure(e, file.abs);
      store.recordSourceFailure(offloadId, file.path, file.size, file.mtimeMs, f.message);
      report(f);
      work.forEach((w) => progress.fileDone(w.d.root));
      return;
    }
    store.recordSourceFile(offloadId, { path: file.path, size: file.size, mtimeMs: file.mtimeMs, hashes: digests, hashedAt: hashedAt.toISOString() });
    if (card.history) {
      const { mismatches } = classifyHashes(expectationFor(card.history.index, file.path), digests, hashedAt);
      for (const m of mismatches) {
        report({ path: file.abs, code: 'MHL_VERIFY', message: `${file.abs} does not match the card's ASC MHL history: ${m.format} recorded ${m.expected}, read ${m.actual}` });
      }
    }

    // A destination that failed while writing is settled now, so the next file skips a full one.
    const toCheck = work.filter(({ d, plan }) => {
      if (plan.kind !== 'write' || !plan.target.error) return true;
      const err = plan.target.error;
      const f = failure(err, plan.target.tempPath, d.root);
      if (err.code === 'DEST_FULL' || err.code === 'DEST_READONLY') failDestination(d, f);
      else report(f);
      progress.fileDone(d.root);
      return false;
    });
    // The read-back runs in its own lane, overlapping the copy of the next files.
    await checkLane.start(() => settleFile(file, toCheck, { size: file.size, digests }));
  };

  /** Checks each destination file, renames the good ones to their final names, records every outcome. */
  const settleFile = async (file: SourceFile, work: Work[], expected: { size: number; digests: Digests }): Promise<void> => {
    const checks = await Promise.all(
      work.map(({ d, plan }) => {
        const path = plan.kind === 'write' ? plan.target.tempPath : plan.finalPath;
        // A file we did not write is always read back in full: its size alone proves nothing.
        const mode = plan.kind === 'existing' ? 'full' : verifyMode;
        return checkDestinationFile(path, expected, hashFormats, mode, { signal: o.signal, onBytes: (n) => progress.verified(d.root, n) });
      }),
    );
    const sourceCheck = o.sourceVerify ? await reverifySource(file, expected, hashFormats, o.signal) : undefined;
    for (let i = 0; i < work.length; i++) {
      const { d, plan } = work[i];
      let check = checks[i];
      if (!check.error && sourceCheck) check = { ...check, error: sourceCheck };
      if (!check.error && plan.kind === 'write') {
        try {
          await fsp.rename(plan.target.tempPath, plan.finalPath);
        } catch (e) {
          check = { ...check, error: destinationError(e, plan.finalPath) };
        }
      }
      recordCheck(d, file, check);
      if (check.error) report(failure(check.error, plan.finalPath, d.root));
      progress.fileDone(d.root);
    }
    emit({ type: 'file.completed', offloadId, path: file.path, size: file.size });
  };

  const concurrency = o.concurrency ?? 4;
  const checkLane = new TaskLane(concurrency);
  // Both lanes always run down, so no read-back is left running behind the summary.
  const copyError = await forEachLimited(tree.files, concurrency, processFile, o.signal).then(() => undefined, (e: unknown) => e);
  const checkError = await checkLane.idle().then(() => undefined, (e: unknown) => e);
  const error = copyError ?? checkError;
  if (error !== undefined && !o.signal?.aborted) throw error;
  const cancelled = error !== undefined;
  if (!cancelled) {
    const reported = new Set(failures.map((f) => f.path));
    for (const change of await changesSinceListing(source, tree, ignore, reported)) report(failure(change, change.path ?? source));
  }
  progress.flush();

  const summaries: DestinationSummary[] = [];
  for (const d of destinations) {
    let manifest: string | undefined;
    if (!cancelled && !d.error) {
      try {
        await finishDirectories(d.root, tree);
        if (card.history) await carryOverHistory(source, d.root, card.history);
        const written = await writeDestinationManifest({
          root: d.root,
          tree,
          records: d.records,
          sourceRecords: store.sourceFiles(offloadId),
          formats: hashFormats,
          verifyMode,
          ignore: o.ignore ?? DEFAULT_IGNORE,
          creator: o.creator,
        });
        if (written) {
          manifest = written.manifestPath;
          store.markRecorded(offloadId, d.root, written.paths, written.manifestPath);
          emit({ type: 'mhl.written', offloadId, destination: d.root, manifest: written.manifestPath, generation: written.generation });
        }
      } catch (e) {
        failDestination(d, failure(e, d.root, d.root));
      }
    }
    summaries.push(summarise(d, tree, manifest));
  }

  const complete = !cancelled && failures.length === 0 && summaries.every((s) => s.complete);
  const summary: OffloadSummary = {
    offloadId,
    source,
    roll,
    status: cancelled ? 'cancelled' : complete ? 'completed' : 'incomplete',
    files: tree.files.length,
    bytes: tree.totalBytes,
    resumedFiles,
    durationMs: Date.now() - started,
    rate: tree.totalBytes / Math.max(0.001, (Date.now() - started) / 1000),
    destinations: summaries,
    failures,
  };
  store.finish(offloadId, complete ? 'completed' : 'incomplete', summary);
  emit({ type: 'offload.finished', offloadId, summary });
  return summary;
}

function countResumed(tree: SourceTree, destinations: Destination[], previous: Map<string, SourceFileRecord>): number {
  if (previous.size === 0) return 0;
  return tree.files.filter((f) => previousCopy(previous, f) && destinations.every((d) => d.error || ['verified', 'written'].includes(d.records.get(f.path)?.status ?? ''))).length;
}

async function reverifySource(file: SourceFile, expected: { size: number; digests: Digests }, formats: readonly HashFormat[], signal?: AbortSignal): Promise<RushesError | undefined> {
  try {
    const again = await hashFile(file.abs, formats, { direct: true, signal });
    const bad = again.bytes !== expected.size || formats.some((f) => again.digests[f] !== expected.digests[f]);
    return bad ? new RushesError('SOURCE_VERIFY_MISMATCH', `re-reading the source gave different bytes: ${file.abs} (check the card reader and cable)`, { path: file.abs }) : undefined;
  } catch (e) {
    if (signal?.aborted) throw e;
    return new RushesError('SOURCE_UNREADABLE', `cannot re-read source ${file.abs}: ${errno(e) ?? (e as Error).message}`, { path: file.abs, cause: e });
  }
}

/**
 * Creates empty folders, gives every folder the source's times (after its files, since
 * writing into a folder changes its time), and fsyncs them so the renames are durable
 * before the MHL says they happened.
 */
async function finishDirectories(root: string, tree: SourceTree): Promise<void> {
  for (const dir of tree.directories) await fsp.mkdir(join(root, dir.path), { recursive: true });
  for (const dir of [...tree.directories].reverse()) {
    const abs = join(root, dir.path);
    await fsp.utimes(abs, Number(dir.atimeNs) / 1e9, Number(dir.mtimeNs) / 1e9).catch(() => undefined);
  }
  for (const abs of [...tree.directories.map((d) => join(root, d.path)), root, dirname(root)]) await fsyncFolder(abs);
}

function summarise(d: Destination, tree: SourceTree, manifest: string | undefined): DestinationSummary {
  let verified = 0;
  let failed = 0;
  const kinds = new Set<CheckKind>();
  for (const f of tree.files) {
    const rec = d.records.get(f.path);
    if (rec?.status === 'verified' || rec?.status === 'written') {
      verified++;
      if (rec.checkKind) kinds.add(rec.checkKind);
    } else failed++;
  }
  const complete = !d.error && failed === 0 && tree.problems.length === 0;
  return { destination: d.root, complete, verifiedFiles: verified, failedFiles: failed, checkKinds: [...kinds], manifest, error: d.error };
}
