/**
 * Inspection as queue jobs, one per clip:
 *
 *   offload succeeded ─► inspect-offload (group the offload's files into clips) ─► one
 *   `inspect` per clip (probe in the pool, store the record) ─► render
 *
 * The arrows are workflow rules (core/workflow/standard-rules.ts): this module only runs
 * each step. Clips are read from a verified destination, not the card: the card may be gone
 * by then, and the destination is what editorial will use. Every step is idempotent: the
 * same offload queues the same clip jobs (by key), and re-inspecting a clip replaces its record.
 */
import { groupClips, type ClipUnit } from './clips.ts';
import type { InspectInput } from './inspect.ts';
import { inspectWith } from './function.ts';
import type { Executor } from '../runtime/executor.ts';
import type { JobHandler } from '../queue/index.ts';
import { hasPosterFrame } from './decodable.ts';
import type { ClipStore } from './clip-store.ts';
import type { DestinationSummary, OffloadSummary } from '../offload/events.ts';
import type { OffloadStore } from '../offload/store.ts';

export interface InspectOffloadPayload {
  offloadId: string;
  /** The card the offload copied, when card detection queued it. */
  cardId?: number;
  /** The destination roll folder to read the clips from (inspectionRoot). */
  root: string;
  roll: string;
}

/** One clip's job: what the worker needs; the offload's hashes of its files are looked up when it runs. */
export type InspectJobPayload = InspectInput;

/** The clips an offload holds, for the rule that queues one inspection each. */
export interface InspectOffloadResult extends InspectOffloadPayload {
  units: ClipUnit[];
}

export interface InspectJobResult {
  clipId: number;
  status: string;
  /** Whether ffmpeg can decode a picture (the thumbnail and proxy rules read this). */
  poster: boolean;
  roll?: string;
  offloadId?: string;
}

declare module '../queue/types.ts' {
  interface JobKinds {
    'inspect-offload': { payload: InspectOffloadPayload; result: InspectOffloadResult };
    inspect: { payload: InspectJobPayload; result: InspectJobResult };
  }
}

/** Queue priority (higher runs first; offloads are 0). */
export const INSPECT_PRIORITY = -1;

/** The offload's destination to read clips from: one whose every file was read back from the device, else any complete one. */
export function inspectionRoot(summary: OffloadSummary): string | undefined {
  const complete = summary.destinations.filter((d) => d.complete);
  const readBack = (d: DestinationSummary) => d.checkKinds.length > 0 && d.checkKinds.every((k) => k.startsWith('full'));
  return (complete.find(readBack) ?? complete[0])?.destination;
}

/** The clips an offload brought in, grouped from the files it copied. */
export function clipsOfOffload(offloads: OffloadStore, offloadId: string): ClipUnit[] {
  return groupClips([...offloads.sourceFiles(offloadId).values()].map((f) => ({ path: f.path, size: f.size })));
}

/** Inspects one clip of an offload and stores its record with the hashes the offload computed of its files. */
export async function inspectAndStore(
  d: { clips: ClipStore; offloads: OffloadStore; executor: Executor },
  input: InspectJobPayload,
  o: { signal?: AbortSignal; recordLoss?: boolean } = {},
): Promise<InspectJobResult> {
  const record = await inspectWith(d.executor, input, o);
  if (input.offloadId) {
    const hashes = d.offloads.hashesOf(input.offloadId, [...input.unit.files, ...input.unit.sidecars]);
    if (Object.keys(hashes).length > 0) record.source.hashes = hashes;
  }
  const clipId = d.clips.upsert(record);
  return { clipId, status: record.inspection.status, poster: hasPosterFrame(record), roll: record.roll, offloadId: input.offloadId };
}

export function inspectOffloadHandler(offloads: OffloadStore): JobHandler<'inspect-offload'> {
  return async ({ job, log }) => {
    const units = clipsOfOffload(offloads, job.payload.offloadId);
    log.info('clips found for inspection', { ...job.payload, clips: units.length });
    return { ...job.payload, units };
  };
}

export function inspectHandler(clips: ClipStore, offloads: OffloadStore, executor: Executor): JobHandler<'inspect'> {
  // A lost worker is retried; on the last attempt the clip keeps a record that says so.
  return ({ job, signal }) => inspectAndStore({ clips, offloads, executor }, job.payload, { signal, recordLoss: job.attempts >= job.maxAttempts });
}
