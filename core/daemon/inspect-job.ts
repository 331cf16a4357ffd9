/**
 * Inspection as queue jobs, one per clip (the workflow's fan-out):
 *
 *   offload succeeded ─► inspect-offload (group the offload's files into clips, queue one
 *   `inspect` per clip) ─► inspect (probe in the pool, store the record) ─► render (rules.ts)
 *
 * Clips are read from a verified destination, not the card: the card may be gone by then,
 * and the destination is what editorial will use. Every step is idempotent: the same
 * offload queues the same clip jobs (by key), and re-inspecting a clip replaces its record.
 */
import { groupClips } from '../inspect/clips.ts';
import type { InspectInput } from '../inspect/inspect.ts';
import { inspectInPool } from '../inspect/tree.ts';
import type { JobHandler, JobQueue } from '../queue/index.ts';
import { hasPosterFrame } from '../render/thumbnail.ts';
import type { ClipStore } from '../store/clips.ts';
import type { DestinationSummary, OffloadSummary } from '../offload/events.ts';
import type { OffloadStore } from '../offload/store.ts';

export interface InspectOffloadPayload {
  offloadId: string;
  /** The destination roll folder to read the clips from (inspectionRoot). */
  root: string;
  roll: string;
}

/** One clip's job: what the worker needs, and the offload's hashes, which only the record needs. */
export interface InspectJobPayload extends InspectInput {
  hashes?: Record<string, Record<string, string>>;
}

export interface InspectJobResult {
  clipId: number;
  status: string;
  /** Whether ffmpeg can decode a picture (the thumbnail and proxy rules read this). */
  poster: boolean;
  roll?: string;
}

/** Queue priority (higher runs first; offloads are 0). */
export const INSPECT_PRIORITY = -1;

/** The offload's destination to read clips from: one whose every file was read back from the device, else any complete one. */
export function inspectionRoot(summary: OffloadSummary): string | undefined {
  const complete = summary.destinations.filter((d) => d.complete);
  const readBack = (d: DestinationSummary) => d.checkKinds.length > 0 && d.checkKinds.every((k) => k.startsWith('full'));
  return (complete.find(readBack) ?? complete[0])?.destination;
}

export function inspectOffloadHandler(queue: JobQueue, offloads: OffloadStore): JobHandler {
  return async ({ job, log }) => {
    const { offloadId, root, roll } = job.payload as InspectOffloadPayload;
    const files = offloads.sourceFiles(offloadId);
    const units = groupClips([...files.values()].map((f) => ({ path: f.path, size: f.size })));
    queue.enqueueMany(
      units.map((unit) => {
        const payload: InspectJobPayload = {
          root,
          unit,
          roll,
          offloadId,
          hashes: Object.fromEntries([...unit.files, ...unit.sidecars].map((p) => [p, files.get(p)?.hashes ?? {}])),
        };
        // Below offloads: the next card's copy comes before this card's metadata.
        return { kind: 'inspect', payload, priority: INSPECT_PRIORITY, idempotencyKey: `inspect:${offloadId}:${unit.relativePath}`, depth: job.depth + 1, maxAttempts: 2 };
      }),
    );
    log.info('clips queued for inspection', { offloadId, root, clips: units.length });
    return { offloadId, root, clips: units.length };
  };
}

export function inspectHandler(clips: ClipStore): JobHandler {
  return async ({ job, signal }) => {
    const { hashes, ...input } = job.payload as InspectJobPayload;
    // A lost worker is retried; on the last attempt the clip keeps a record that says so.
    const record = await inspectInPool(input, { signal, recordLoss: job.attempts >= job.maxAttempts });
    if (hashes && Object.keys(hashes).length > 0) record.source.hashes = hashes;
    const clipId = clips.upsert(record);
    const result: InspectJobResult = { clipId, status: record.inspection.status, poster: hasPosterFrame(record), roll: record.roll };
    return result;
  };
}
