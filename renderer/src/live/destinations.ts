/**
 * A card's destinations as its panel shows them: how far each is (live while the offload
 * runs, its last progress after), and what was proven there — copying, verifying (reading
 * back from the device), verified, only size-checked, or failed.
 */
import type { Card, DestinationProgress, DestinationSummary, Job, OffloadPayload, OffloadProgress, OffloadResult, WireError } from '../api/types.ts';

export type VerifyState = 'waiting' | 'copying' | 'verifying' | 'verified' | 'size-checked' | 'not-checked' | 'failed';

export const VERIFY_LABELS: Record<VerifyState, string> = {
  waiting: 'waiting',
  copying: 'copying',
  verifying: 'verifying (reading back)',
  verified: 'verified from the medium',
  'size-checked': 'sizes checked only',
  'not-checked': 'copied, not read back',
  failed: 'failed',
};

export interface DestinationView {
  path: string;
  progress?: DestinationProgress;
  state: VerifyState;
  /** Copied, and read back, as fractions of the card. */
  copied: number;
  verified?: number;
  error?: WireError;
}

function liveState(p: DestinationProgress, verifies: boolean): VerifyState {
  if (p.failed) return 'failed';
  if (verifies && p.verifiedBytes > 0) return p.verifiedBytes >= p.bytesTotal && p.filesDone >= p.filesTotal ? 'verified' : 'verifying';
  if (p.bytesDone > 0 || p.filesDone > 0) return 'copying';
  return 'waiting';
}

function finishedState(s: DestinationSummary, verify: OffloadPayload['verify']): VerifyState {
  if (!s.complete) return 'failed';
  if (s.checkKinds.length > 0 && s.checkKinds.every((k) => k.startsWith('full'))) return 'verified';
  return verify === 'size' ? 'size-checked' : 'not-checked';
}

export function destinationsOf(card: Card, job: Job | undefined, live: OffloadProgress | undefined): DestinationView[] {
  const payload = job?.payload as OffloadPayload | undefined;
  const verify = payload?.verify ?? 'full';
  const progress = live ?? (job?.progress as OffloadProgress | undefined);
  const result = job?.state === 'succeeded' || job?.state === 'dead' ? (job.result as OffloadResult | undefined) : undefined;
  const paths = card.targets.length ? card.targets : (progress?.destinations.map((d) => d.destination) ?? []);
  return paths.map((path) => {
    const summary = result?.destinations.find((d) => d.destination === path);
    const last = progress?.destinations.find((d) => d.destination === path);
    // The last progress stored is up to a second old when the offload ends: a complete destination holds all of it.
    const p = summary?.complete && result ? { ...(last ?? emptyProgress(path)), filesTotal: result.files, bytesTotal: result.bytes, filesDone: result.files, bytesDone: result.bytes, verifiedBytes: verify === 'full' ? result.bytes : 0, rate: 0, etaSeconds: 0 } : last;
    const total = p ? Math.max(1, p.bytesTotal) : 1;
    const state = summary ? finishedState(summary, verify) : p ? liveState(p, verify === 'full') : 'waiting';
    const done = state === 'verified' || state === 'size-checked' || state === 'not-checked';
    return {
      path,
      progress: p,
      state,
      copied: done ? 1 : p ? p.bytesDone / total : 0,
      verified: verify === 'full' ? (state === 'verified' ? 1 : p ? p.verifiedBytes / total : 0) : undefined,
      error: summary?.error,
    };
  });
}

const emptyProgress = (destination: string): DestinationProgress => ({ destination, filesTotal: 0, bytesTotal: 0, filesDone: 0, bytesDone: 0, verifiedBytes: 0, rate: 0, etaSeconds: null, failed: false });
