/**
 * Carries an offload's plan out: the I/O. Files go through three lanes that overlap on the
 * devices: the copy lane reads each source file once and writes every destination's
 * temporary file from that read (copy.ts, in the worker pool); the durability lane fsyncs
 * those files, many at once (durability.ts); the check lane reads them back and names them
 * (settle.ts). So a worker never waits for an fsync, and while one file is read back later
 * ones are made durable and later ones again are copied. A destination that fills up or
 * turns read-only drops out and the others carry on; a source file that cannot be read
 * fails that file only.
 */
import type { Digests, HashFormat } from '../hash/index.ts';
import { hashFile } from '../runtime/hashing.ts';
import { forEachLimited, TaskLane } from '../util/limit.ts';
import { copyToTargets, type WriteTarget } from './copy.ts';
import { makeDurable } from './durability.ts';
import { failureReport } from './failure.ts';
import { historyMismatches, type SourceHistory } from './history.ts';
import type { FilePlan, OffloadPlan } from './plan.ts';
import type { RunState } from './run-state.ts';
import { settleFile, type PendingCheck, type SettleOptions } from './settle.ts';
import type { VerifyMode } from './store.ts';

export interface ExecuteOptions extends SettleOptions {
  verifyMode: VerifyMode;
  /** The card's own ASC MHL history, to check every file against in the copy's read. */
  cardHistory?: SourceHistory;
  /** Files copied at once, and read back at once. */
  concurrency: number;
}

/**
 * Files whose fsyncs may be in flight at once (one per destination each). Each fsync of a new
 * file waits for the device, and on a journaling filesystem for a commit that fsyncs issued
 * together share. They run on libuv's thread pool (16 threads, bin/rushes.cjs), which hands
 * out work first come first served: this leaves threads free for the copies' source reads
 * and the read-backs, which would otherwise queue behind the fsyncs.
 */
const SYNCING_FILES = 6;

/** What one execution holds beyond the run's state: the lanes after the copy and the folders it made. */
interface Lanes {
  durability: TaskLane;
  checks: TaskLane;
  /** Destination folders already made, so each costs one mkdir per offload. */
  createdDirs: Set<string>;
}

/** A pending check that starts as a write: the target the copy fills in (and marks when that destination fails). */
type PendingWrite = PendingCheck & { target?: WriteTarget };

/** Runs every file of the plan. Resolves `cancelled` when the signal stopped it; any other error is thrown. */
export async function executePlan(run: RunState, plan: OffloadPlan, o: ExecuteOptions): Promise<{ cancelled: boolean }> {
  const lanes: Lanes = { durability: new TaskLane(SYNCING_FILES), checks: new TaskLane(o.concurrency), createdDirs: new Set() };
  // Every lane always runs down, so no fsync or read-back is left running behind the summary;
  // in this order, because each lane's tasks start the next lane's.
  const settled = (p: Promise<void>) => p.then(() => undefined, (e: unknown) => e);
  const copyError = await settled(forEachLimited(plan.files, o.concurrency, (p) => executeFile(run, p, o, lanes), o.signal));
  const syncError = await settled(lanes.durability.idle());
  const checkError = await settled(lanes.checks.idle());
  const error = copyError ?? syncError ?? checkError;
  if (error !== undefined && !o.signal?.aborted) throw error;
  return { cancelled: error !== undefined };
}

/** Does what the plan says for one file on every destination still in the running, then hands the checks to the check lane. */
async function executeFile(run: RunState, { file, targets }: FilePlan, o: ExecuteOptions, lanes: Lanes): Promise<void> {
  const pending: PendingWrite[] = [];
  for (const { destination, action } of targets) {
    const d = run.destination(destination);
    if (d.error) continue;
    if (action.kind === 'done') {
      run.progress.credit(d.root, 1, file.size, o.verifyMode === 'full');
    } else if (action.kind === 'failed') {
      run.report(action.failure);
      run.progress.fileDone(d.root);
    } else {
      pending.push({ d, action, target: action.kind === 'write' ? { destination: d.root, tempPath: action.tempPath } : undefined });
    }
  }
  if (pending.length === 0) return;

  // One read of the source: written to every destination that needs it, or (when every
  // destination already holds a file) only hashed to check those files.
  const writes = pending.flatMap((p) => (p.target ? [p.target] : []));
  let digests: Digests;
  let hashedAt: Date;
  try {
    ({ digests, hashedAt } = await run.clock.time('copy', () =>
      writes.length > 0
        ? copyToTargets(file, writes, o.hashFormats, {
            createdDirs: lanes.createdDirs,
            signal: o.signal,
            onBytes: (n) => writes.forEach((t) => !t.error && run.progress.written(t.destination, n)),
          })
        : hashOnly(file.abs, o.hashFormats, o.signal),
    ));
  } catch (e) {
    if (o.signal?.aborted) throw e;
    const f = failureReport(e, file.abs);
    run.store.recordSourceFailure(run.offloadId, file.path, file.size, file.mtimeMs, f.message);
    run.report(f);
    pending.forEach((p) => run.progress.fileDone(p.d.root));
    return;
  }
  try {
    run.store.recordSourceFile(run.offloadId, { path: file.path, size: file.size, mtimeMs: file.mtimeMs, hashes: digests, hashedAt: hashedAt.toISOString() });
    if (o.cardHistory) historyMismatches(o.cardHistory, file, digests, hashedAt).forEach((f) => run.report(f));
  } catch (e) {
    // The copies' descriptors are ours now: closed (after their fsync) even when the store cannot record the file.
    await makeDurable(writes);
    throw e;
  }

  // A destination that failed while writing is settled now, so the next file skips a full one.
  const written = withoutFailedWrites(run, pending);
  const check = () => lanes.checks.start(() => settleFile(run, file, withoutFailedWrites(run, written), { size: file.size, digests }, o));
  if (!writes.some((t) => t.fd !== undefined)) return check();
  // The copy's worker is free for the next file; its copies wait here only for a slot among the fsyncs in flight.
  await lanes.durability.start(async () => {
    await run.clock.time('durability', () => makeDurable(writes));
    // The read-back runs in its own lane, overlapping the copy and fsync of the next files.
    await check();
  });
}

/**
 * The pending checks whose copy is still good: a write or fsync that failed is reported here
 * (and takes a full or read-only destination out of the running), once.
 */
function withoutFailedWrites(run: RunState, pending: PendingWrite[]): PendingWrite[] {
  return pending.filter(({ d, target }) => {
    if (!target?.error) return true;
    const err = target.error;
    const f = failureReport(err, target.tempPath, d.root);
    if (err.code === 'DEST_FULL' || err.code === 'DEST_READONLY') run.dropDestination(d, f);
    else run.report(f);
    run.progress.fileDone(d.root);
    return false;
  });
}

/** Every destination already holds this file: the source is read only to hash it (the page cache may serve it). */
async function hashOnly(path: string, formats: readonly HashFormat[], signal?: AbortSignal): Promise<{ digests: Digests; hashedAt: Date }> {
  const { digests } = await hashFile(path, formats, { direct: false, signal });
  return { digests, hashedAt: new Date() };
}
