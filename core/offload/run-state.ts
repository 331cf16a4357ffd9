/**
 * What one offload finds out while it runs, kept in one object that the execute and finish
 * steps are handed: the failures (each reported as an event the moment it is known), the
 * destinations that dropped out, and each destination file's outcome (also written to the
 * store, so an interrupted run resumes from it).
 */
import type { SourceFile } from './walk.ts';
import type { FailureReport, OffloadEvent, OffloadListener } from './events.ts';
import { PhaseClock } from './phases.ts';
import { ProgressTracker } from './progress.ts';
import type { DestinationFileRecord, OffloadStore } from './store.ts';
import type { CheckResult } from './verify.ts';

/** A destination for the length of one offload. `error` set means it is out of the running. */
export interface DestinationRun {
  /** The roll folder. */
  readonly root: string;
  /** Each file's latest outcome here, by relative path: the resumed run's, then this run's. */
  readonly records: Map<string, DestinationFileRecord>;
  error?: FailureReport;
}

export class RunState {
  readonly failures: FailureReport[] = [];
  readonly progress: ProgressTracker;
  private readonly byRoot: Map<string, DestinationRun>;

  constructor(
    readonly offloadId: string,
    readonly store: OffloadStore,
    readonly destinations: readonly DestinationRun[],
    totals: { files: number; bytes: number },
    readsBack: boolean,
    private readonly listener: OffloadListener | undefined,
    /** Where the run's time goes (the summary's `phases`). */
    readonly clock: PhaseClock = new PhaseClock(),
  ) {
    this.byRoot = new Map(destinations.map((d) => [d.root, d]));
    this.progress = new ProgressTracker(
      destinations.map((d) => d.root),
      totals,
      readsBack,
      (p) => this.emit({ type: 'offload.progress', offloadId, destinations: p }),
    );
  }

  emit(event: OffloadEvent): void {
    this.listener?.(event);
  }

  destination(root: string): DestinationRun {
    const d = this.byRoot.get(root);
    if (!d) throw new Error(`not a destination of this offload: ${root}`);
    return d;
  }

  /** Names a failure now (event) and in the summary. */
  report(f: FailureReport): void {
    this.failures.push(f);
    this.emit({ type: 'file.failed', offloadId: this.offloadId, failure: f });
  }

  /** Takes a destination out of the running (full, read-only, unusable); the others carry on. Only its first cause is named. */
  dropDestination(d: DestinationRun, f: FailureReport): void {
    if (d.error) return;
    d.error = f;
    this.report(f);
    this.progress.destinationFailed(d.root);
  }

  /** Stores how a destination file was checked; a record with no error is what lets a later run trust it. */
  recordCheck(d: DestinationRun, file: SourceFile, check: CheckResult): void {
    const status = check.error ? 'failed' : check.kind === 'full-direct' || check.kind === 'full-cached' ? 'verified' : 'written';
    const rec: DestinationFileRecord = { path: file.path, status, checkKind: check.kind, checkedAt: check.checkedAt.toISOString(), errorCode: check.error?.code, error: check.error?.message };
    this.store.recordDestinationFile(this.offloadId, d.root, rec);
    d.records.set(file.path, rec);
  }
}
