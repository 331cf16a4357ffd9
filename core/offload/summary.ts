/**
 * An offload's outcome, per destination and as a whole, from what the run recorded: pure.
 * "Complete" is said only of a destination that holds every listed file under its final
 * name, checked, and only of an offload with no failure anywhere.
 */
import type { DestinationSummary, FailureReport, OffloadSummary } from './events.ts';
import type { PhaseTimes } from './phases.ts';
import type { DestinationRun } from './run-state.ts';
import type { CheckKind } from './store.ts';
import type { SourceTree } from './walk.ts';

export function summariseDestination(d: DestinationRun, tree: SourceTree, manifest: string | undefined): DestinationSummary {
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

export function summariseOffload(args: {
  offloadId: string;
  source: string;
  roll: string;
  tree: SourceTree;
  resumedFiles: number;
  /** When the run began and ended (ms since the epoch). */
  started: number;
  ended: number;
  cancelled: boolean;
  destinations: DestinationSummary[];
  failures: FailureReport[];
  phases?: PhaseTimes;
}): OffloadSummary {
  const { tree, started, ended, cancelled } = args;
  const complete = !cancelled && args.failures.length === 0 && args.destinations.every((s) => s.complete);
  return {
    offloadId: args.offloadId,
    source: args.source,
    roll: args.roll,
    status: cancelled ? 'cancelled' : complete ? 'completed' : 'incomplete',
    files: tree.files.length,
    bytes: tree.totalBytes,
    resumedFiles: args.resumedFiles,
    durationMs: ended - started,
    rate: tree.totalBytes / Math.max(0.001, (ended - started) / 1000),
    destinations: args.destinations,
    failures: args.failures,
    phases: args.phases,
  };
}
