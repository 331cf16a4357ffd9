/** How a job reads in the queue: what it works on, and how far it is. */
import type { Job, OffloadPayload, OffloadProgress } from '../api/types.ts';
import { lastFolder } from '../format.ts';

export function jobSubject(job: Job): string {
  const p = job.payload as Record<string, unknown> | undefined;
  if (job.kind === 'offload') {
    const o = p as unknown as OffloadPayload;
    return `${o.source} → ${o.destinations.map((d) => lastFolder(d)).join(', ')}`;
  }
  if (job.kind === 'render') {
    const r = p as { clipId?: number; request?: { fn?: string } };
    return `${r.request?.fn ?? 'render'} of clip ${r.clipId ?? '?'}`;
  }
  if (job.kind === 'inspect') return String((p?.unit as { relativePath?: string } | undefined)?.relativePath ?? '');
  if (job.kind === 'inspect-offload') return String(p?.root ?? '');
  if (job.kind === 'webhook') return String(p?.url ?? '');
  if (job.kind === 'card-history') return String(p?.to ?? '');
  return '';
}

/** Work done as a fraction (copy and read-back both count for a fully verified offload), when the job reports any. */
export function jobFraction(job: Job, live?: OffloadProgress): number | undefined {
  if (job.state === 'succeeded') return 1;
  const progress = live ?? (job.progress as OffloadProgress | Record<string, number> | undefined);
  if (!progress) return undefined;
  if ('destinations' in progress && Array.isArray(progress.destinations)) {
    const verifies = (job.payload as OffloadPayload | undefined)?.verify === 'full';
    let done = 0;
    let total = 0;
    for (const d of progress.destinations) {
      done += d.bytesDone + (verifies ? d.verifiedBytes : 0);
      total += d.bytesTotal * (verifies ? 2 : 1);
    }
    return total > 0 ? done / total : undefined;
  }
  const p = progress as Record<string, number>;
  if (p.framesTotal) return (p.framesDone ?? 0) / p.framesTotal;
  if (p.bytesTotal) return (p.bytesDone ?? 0) / p.bytesTotal;
  return undefined;
}

export const canRetry = (job: Job) => job.state === 'dead' || job.state === 'cancelled';
export const canCancel = (job: Job) => job.state === 'waiting' || job.state === 'queued' || job.state === 'running';
