/**
 * The second half of a file's way through an offload: each destination's copy is checked
 * (verify.ts), a written copy takes its final name only once its check passed, and every
 * outcome is recorded. So a file under its final name is always a complete, checked copy;
 * anything else is a temporary file the next run replaces.
 */
import { promises as fsp } from 'node:fs';
import { RushesError, destinationError, errno } from '../errors.ts';
import type { Digests, HashFormat } from '../hash/index.ts';
import { failureReport } from './failure.ts';
import type { TargetAction } from './plan.ts';
import type { DestinationRun, RunState } from './run-state.ts';
import { checkDestinationFile, recheckSource } from './verify.ts';
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
  const checks = await run.clock.time('readBack', () =>
    Promise.all(
      pending.map(({ d, action }) => {
        const path = action.kind === 'write' ? action.tempPath : action.finalPath;
        return checkDestinationFile(path, expected, o.hashFormats, action.checkMode, { signal: o.signal, onBytes: (n) => run.progress.verified(d.root, n) });
      }),
    ),
  );
  const sourceCheck = o.sourceVerify ? await recheckSource(file, expected, o.hashFormats, o.signal) : undefined;
  // The destinations are independent: their copies take their names at once; outcomes are then recorded in destination order.
  const outcomes = await run.clock.time('settle', () => Promise.all(
    pending.map(async ({ action }, i) => {
      const check = !checks[i].error && sourceCheck ? { ...checks[i], error: sourceCheck } : checks[i];
      if (check.error || action.kind !== 'write') return check;
      const error = await takeFinalName(action.tempPath, action.finalPath);
      return error ? { ...check, error } : check;
    }),
  ));
  pending.forEach(({ d, action }, i) => {
    const check = outcomes[i];
    run.recordCheck(d, file, check);
    if (check.error) run.report(failureReport(check.error, action.finalPath, d.root));
    run.progress.fileDone(d.root);
  });
  run.emit({ type: 'file.completed', offloadId: run.offloadId, path: file.path, size: file.size });
}

/**
 * Gives a checked copy its final name. The plan saw that name free, but before the run's
 * first copy: whatever took it since (another program writing into the roll folder, a
 * second source name that is the same name on a case-insensitive destination) is never
 * overwritten. Looking and renaming are two steps, but only one lstat lies between them.
 */
async function takeFinalName(tempPath: string, finalPath: string): Promise<RushesError | undefined> {
  try {
    if (await entryExists(finalPath)) {
      return new RushesError('DEST_CONFLICT', `${finalPath} appeared while it was copied; it was left untouched and the checked copy stays at ${tempPath}`, { path: finalPath });
    }
    await fsp.rename(tempPath, finalPath);
    return undefined;
  } catch (e) {
    return destinationError(e, finalPath);
  }
}

async function entryExists(path: string): Promise<boolean> {
  try {
    await fsp.lstat(path);
    return true;
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
}
