/**
 * The second half of a file's way through an offload: each destination's copy is checked
 * (verify.ts), a written copy takes its final name only once its check passed, and every
 * outcome is recorded. So a file under its final name is always a complete, checked copy;
 * anything else is a temporary file the next run replaces.
 */
import { lstatSync, renameSync } from 'node:fs';
import { RushesError, destinationError } from '../errors.ts';
import type { Digests, HashFormat } from '../hash/index.ts';
import { failureReport } from './failure.ts';
import type { TargetAction } from './plan.ts';
import type { DestinationRun, RunState } from './run-state.ts';
import { checkDestinationFile, checkDestinationFilesTogether, READ_BACK_TOGETHER_MAX, recheckSource, type CheckResult } from './verify.ts';
import type { SourceFile } from './walk.ts';

/** A destination file whose bytes are in place (written under the temporary name, or there before) and wait for their check. */
export interface PendingCheck {
  d: DestinationRun;
  action: Extract<TargetAction, { kind: 'write' | 'existing' }>;
}

export interface SettleOptions {
  hashFormats: readonly HashFormat[];
  sourceVerify: boolean;
  signal?: AbortSignal;
}

/** Checks each destination file, renames the good ones to their final names, records every outcome. */
export async function settleFile(run: RunState, file: SourceFile, pending: PendingCheck[], expected: { size: number; digests: Digests }, o: SettleOptions): Promise<void> {
  const checks = await run.clock.time('readBack', () => checkAll(run, pending, expected, o));
  const sourceCheck = o.sourceVerify ? await recheckSource(file, expected, o.hashFormats, o.signal) : undefined;
  // The destinations are independent: each copy whose check passed takes its name; outcomes are then recorded in destination order.
  const outcomes = run.clock.timeSync('settle', () =>
    pending.map(({ action }, i) => {
      const check = !checks[i].error && sourceCheck ? { ...checks[i], error: sourceCheck } : checks[i];
      if (check.error || action.kind !== 'write') return check;
      const error = takeFinalName(action.tempPath, action.finalPath);
      return error ? { ...check, error } : check;
    }),
  );
  pending.forEach(({ d, action }, i) => {
    const check = outcomes[i];
    run.recordCheck(d, file, check);
    if (check.error) run.report(failureReport(check.error, action.finalPath, d.root));
    run.progress.fileDone(d.root);
  });
  run.emit({ type: 'file.completed', offloadId: run.offloadId, path: file.path, size: file.size });
}

const pathOf = ({ action }: PendingCheck): string => (action.kind === 'write' ? action.tempPath : action.finalPath);

/**
 * Checks every copy of one file, in `pending`'s order. A small file's full read-backs share
 * one pool task (its progress credited when it ends); a large file's each run in their own,
 * with progress as they go.
 */
async function checkAll(run: RunState, pending: PendingCheck[], expected: { size: number; digests: Digests }, o: SettleOptions): Promise<CheckResult[]> {
  const together = expected.size <= READ_BACK_TOGETHER_MAX ? pending.filter((p) => p.action.checkMode === 'full') : [];
  const shared = together.length > 1 ? checkDestinationFilesTogether(together.map(pathOf), expected, o.hashFormats, o.signal) : undefined;
  const alone = pending.map((p) =>
    shared && together.includes(p)
      ? undefined
      : checkDestinationFile(pathOf(p), expected, o.hashFormats, p.action.checkMode, { signal: o.signal, onBytes: (n) => run.progress.verified(p.d.root, n) }),
  );
  // Awaited together, so a rejection of one leaves none of the others unhandled.
  const [sharedResults, results] = await Promise.all([shared ?? [], Promise.all(alone)]);
  return pending.map((p, i) => {
    const r = results[i];
    if (r) return r;
    run.progress.verified(p.d.root, expected.size);
    return sharedResults[together.indexOf(p)];
  });
}

/**
 * Gives a checked copy its final name. The look and the rename are synchronous: on a local
 * destination each takes microseconds, and as two hand-offs to libuv's thread pool per copy
 * they queued behind the fsyncs in flight there (./durability.ts), which held 10,000 small
 * files up by seconds.
 * The plan saw that name free, but before the run's
 * first copy: whatever took it since (another program writing into the roll folder, a
 * second source name that is the same name on a case-insensitive destination) is never
 * overwritten. Looking and renaming are two steps, but only one lstat lies between them.
 */
function takeFinalName(tempPath: string, finalPath: string): RushesError | undefined {
  try {
    if (lstatSync(finalPath, { throwIfNoEntry: false })) {
      return new RushesError('DEST_CONFLICT', `${finalPath} appeared while it was copied; it was left untouched and the checked copy stays at ${tempPath}`, { path: finalPath });
    }
    renameSync(tempPath, finalPath);
    return undefined;
  } catch (e) {
    return destinationError(e, finalPath);
  }
}
