/**
 * Offloads as queue jobs. `planOffloadJob` checks a request before it is queued (so a bad
 * path is a 4xx, not a dead job) and derives the resources it holds: one writer per
 * destination volume. `offloadHandler` runs it; the offload itself resumes whatever an
 * earlier, interrupted attempt left (core/offload/run.ts), so running it again is safe.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { errno, isErrorCode, policyOf, RushesError } from '../errors.ts';
import { isHashFormat, type HashFormat } from '../hash/index.ts';
import { offload } from './run.ts';
import type { OffloadEvent, OffloadSummary } from './events.ts';
import type { EventBus } from '../events/bus.ts';
import { assertDestinationsOutsideSource } from './paths.ts';
import type { JobHandler, JobSpec } from '../queue/index.ts';
import type { Db } from '../store/db.ts';
import type { VerifyMode } from './store.ts';

/** Prefix of idempotency keys that API callers chose. */
export const API_KEY_PREFIX = 'api:offload:';

/** The body of `POST /api/offloads` (schemas/offload-request.schema.json) and an offload job's payload. */
export interface OffloadRequest {
  source: string;
  destinations: string[];
  hashes?: string[];
  verify?: VerifyMode;
  sourceVerify?: boolean;
  roll?: string;
  author?: string;
  location?: string;
  comment?: string;
  /** Names and globs left out (ASC MHL ignore patterns); default the ASC MHL defaults. */
  ignore?: string[];
  priority?: number;
  idempotencyKey?: string;
}

export interface OffloadPayload {
  source: string;
  destinations: string[];
  hashes: HashFormat[];
  verify: VerifyMode;
  sourceVerify: boolean;
  roll: string;
  author?: string;
  location?: string;
  comment?: string;
  ignore?: string[];
  /** The detected card this offload copies, when card detection queued it. */
  cardId?: number;
  /** When another offload writes into a destination folder: wait for it (the default), or fail with DEST_LOCKED (a command without --wait). */
  waitForLock?: boolean;
  /** Files copied at once (default 4). */
  concurrency?: number;
}

/** An offload job's result: its summary, with the failure list capped. */
export interface OffloadJobResult extends OffloadSummary {
  moreFailures: number;
}

declare module '../queue/types.ts' {
  interface JobKinds {
    offload: { payload: OffloadPayload; result: OffloadJobResult };
  }
}

/** An offload's events in the one event stream, with the job that ran it. */
export type OffloadBusEvent = OffloadEvent & { jobId?: number };

declare module '../events/types.ts' {
  interface EventMap {
    offload: OffloadBusEvent;
  }
}

/** Stored in the log: what happened. Progress and each file's completion are live only (10,000 files would flood it). */
const LIVE_ONLY: ReadonlySet<OffloadEvent['type']> = new Set(['offload.progress', 'file.completed']);

/** Passes an offload's event to the event stream: stored, or live only. */
function publish(events: EventBus, jobId: number, e: OffloadEvent): void {
  const event = { topic: 'offload' as const, jobId, ...(e.type === 'offload.finished' ? { ...e, summary: jobResult(e.summary) } : e) };
  if (LIVE_ONLY.has(e.type)) events.announceLive<'offload'>(event);
  else events.append<'offload'>(event, 'offloadId' in e ? e.offloadId : e.source);
}

/** Checks the request against the disks and makes the job spec; throws RushesError naming the bad path. */
export async function planOffloadJob(req: OffloadRequest, maxAttempts: number): Promise<JobSpec> {
  const source = resolve(req.source);
  const st = await fsp.stat(source).catch((e: unknown) => {
    throw new RushesError('SOURCE_MISSING', `source ${source} cannot be read (${errno(e) ?? (e as Error).message})`, { path: source, cause: e });
  });
  if (!st.isDirectory()) throw new RushesError('USAGE', `source ${source} is not a folder`, { path: source });
  if (req.destinations.length === 0) throw new RushesError('USAGE', 'no destination given');
  const destinations = req.destinations.map((d) => resolve(d));
  if (new Set(destinations).size !== destinations.length) throw new RushesError('USAGE', 'the same destination is given twice');
  await assertDestinationsOutsideSource(source, destinations);
  const hashes = req.hashes?.length ? req.hashes : ['xxh64'];
  for (const h of hashes) if (!isHashFormat(h)) throw new RushesError('USAGE', `unknown hash format "${h}"`);
  const payload: OffloadPayload = {
    source,
    destinations,
    hashes: [...new Set(hashes)] as HashFormat[],
    verify: req.verify ?? 'full',
    sourceVerify: req.sourceVerify ?? false,
    roll: req.roll ?? basename(source),
    author: req.author,
    location: req.location,
    comment: req.comment,
    ignore: req.ignore,
  };
  const volumes = await Promise.all(destinations.map(volumeOf));
  return {
    kind: 'offload',
    payload,
    priority: req.priority,
    maxAttempts,
    // Callers' keys live in their own namespace, apart from the keys rules and card detection make.
    idempotencyKey: req.idempotencyKey === undefined ? undefined : `${API_KEY_PREFIX}${req.idempotencyKey}`,
    resources: [...new Set(volumes)].map((v) => `volume:${v}`),
  };
}

/** The device id of the volume a path is (or will be) on: its nearest existing ancestor's. */
async function volumeOf(path: string): Promise<string> {
  for (let p = path; ; p = dirname(p)) {
    try {
      return String((await fsp.stat(p)).dev);
    } catch (e) {
      if (dirname(p) === p) throw e;
    }
  }
}

function jobResult(s: OffloadSummary): OffloadJobResult {
  return { ...s, failures: s.failures.slice(0, 100), moreFailures: Math.max(0, s.failures.length - 100) };
}

export function offloadHandler(db: Db): JobHandler<'offload'> {
  return async ({ job, signal, progress, log, events }) => {
    const p = job.payload;
    const summary = await offload({
      source: p.source,
      destinations: p.destinations,
      roll: p.roll,
      formats: p.hashes,
      verify: p.verify,
      sourceVerify: p.sourceVerify,
      ignore: p.ignore,
      db,
      signal,
      // Another writer in the folder (a CLI offload of the same card): the job waits its turn, then reads back what that one copied.
      waitForLock: p.waitForLock ?? true,
      concurrency: p.concurrency,
      creator: { author: p.author ? { name: p.author } : undefined, location: p.location, comment: p.comment },
      onEvent: (e) => {
        publish(events, job.id, e);
        if (e.type === 'offload.progress') progress({ offloadId: e.offloadId, destinations: e.destinations });
        else if (e.type === 'file.failed') log.warn('file failed', { ...e.failure });
        else if (e.type === 'offload.waiting') log.info('waiting for another offload', { destination: e.destination, message: e.message });
        else if (e.type === 'mhl.written') log.info('mhl generation written', { destination: e.destination, manifest: e.manifest });
      },
    });
    if (summary.status === 'cancelled') throw new Error('offload stopped at a checkpoint');
    if (summary.status !== 'completed') throw incompleteError(p.source, summary);
    return jobResult(summary);
  };
}

/**
 * Why an offload did not complete, as one error whose code decides whether the job is tried
 * again: if any failure could clear on its own (a full disk emptied, a cable reseated), the
 * job is retried even when another failure is permanent — the next attempt resumes, and
 * what is done stays done.
 */
export function incompleteError(source: string, summary: OffloadSummary): RushesError {
  const incomplete = summary.destinations.filter((d) => !d.complete).map((d) => d.destination);
  const shown = summary.failures.find((f) => policyOf(f.code).retryable) ?? summary.failures[0];
  const more = summary.failures.length > 1 ? ` and ${summary.failures.length - 1} more` : '';
  return new RushesError(
    shown && isErrorCode(shown.code) ? shown.code : 'ERROR',
    `offload of ${source} is incomplete: ${incomplete.join(', ') || 'no destination'} not complete` + (shown ? ` (${shown.message}${more})` : ''),
    { path: shown?.path ?? source },
  );
}
