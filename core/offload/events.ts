/**
 * What an offload reports while it runs. The CLI draws these as bars (or prints them as
 * JSON lines), the daemon streams them as server-sent events, the UI draws live bars.
 */
import type { ErrorRecord } from '../errors.ts';
import type { PhaseTimes } from './phases.ts';
import type { CheckKind } from './store.ts';
import type { Progress } from '../util/progress.ts';

/**
 * One destination in the one progress shape: `bytesDone` counts bytes written there, and
 * `rate` and `etaSeconds` count the whole work (writes plus read-backs in full verify mode).
 */
export interface DestinationProgress extends Progress {
  destination: string;
  /** Bytes read back for verification (full mode only). */
  verifiedBytes: number;
  failed: boolean;
}

/** One file (or destination) that did not make it, and why. */
export interface FailureReport extends ErrorRecord {
  path: string;
  destination?: string;
}

export interface DestinationSummary {
  destination: string;
  /** True only when every source file is here under its final name and passed the check. */
  complete: boolean;
  verifiedFiles: number;
  failedFiles: number;
  checkKinds: CheckKind[];
  manifest?: string;
  error?: FailureReport;
}

export interface OffloadSummary {
  offloadId: string;
  source: string;
  roll: string;
  status: 'completed' | 'incomplete' | 'cancelled';
  files: number;
  bytes: number;
  /** Files already verified by an earlier, interrupted run of the same offload. */
  resumedFiles: number;
  durationMs: number;
  /** Source bytes per second over the whole run. */
  rate: number;
  destinations: DestinationSummary[];
  failures: FailureReport[];
  /** Seconds each step of the run had work in flight (they overlap): where the time went. */
  phases?: PhaseTimes;
}

export type OffloadEvent =
  | { type: 'offload.started'; offloadId: string; source: string; roll: string; destinations: string[]; files: number; bytes: number; resumedFiles: number }
  | { type: 'offload.waiting'; source: string; destination: string; message: string }
  | { type: 'offload.progress'; offloadId: string; destinations: DestinationProgress[] }
  | { type: 'file.failed'; offloadId: string; failure: FailureReport }
  | { type: 'file.completed'; offloadId: string; path: string; size: number }
  | { type: 'mhl.written'; offloadId: string; destination: string; manifest: string; generation: number }
  | { type: 'offload.finished'; offloadId: string; summary: OffloadSummary };

export type OffloadListener = (event: OffloadEvent) => void;
