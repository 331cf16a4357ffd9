/**
 * What the engine offers its faces — the HTTP API (core/server), the command line
 * (core/cli) and the desktop shell — as typed functions, with no transport in them. The
 * faces hold only this: nothing outside the engine reaches into its store or queue.
 * Failures are RushesErrors whose code each face turns into its own answer (ERROR_POLICY).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RushesError } from '../errors.ts';
import type { EventBus, ReplayFilter } from '../events/bus.ts';
import type { BusEvent } from '../events/types.ts';
import { assertRenderable } from '../inspect/decodable.ts';
import type { ClipRow, ClipStore } from '../inspect/clip-store.ts';
import { inspectWith } from '../inspect/function.ts';
import { findClips } from '../inspect/tree.ts';
import { mhlApi, type MhlApi } from './mhl-api.ts';
import type { OffloadEvent, OffloadSummary } from '../offload/events.ts';
import { planOffloadJob, type OffloadRequest } from '../offload/job.ts';
import { FINAL_STATES, isJobOf, type Job, type JobEvent, type JobQueue, type JobState, type Runner } from '../queue/index.ts';
import { backendFor, renderJob, type RenderApiRequest, type RenderConfig, type RenderJobResult } from '../render/job.ts';
import { buildInvocation, type RenderRequest } from '../render/request.ts';
import { isRemoteBackend, type Backend, type Executor } from '../runtime/executor.ts';
import { isUri, storageFor } from '../runtime/storage.ts';
import { TOOL } from '../version.ts';
import type { Card, CardEvent, CardState, CardStore } from '../watch/card-store.ts';
import type { Ingest } from '../watch/ingest.ts';
import { jobFailure, runOwnJob } from './own-jobs.ts';
import { gatherReport, type ReportTarget } from '../report/gather.ts';
import type { PreparedSources } from './reports.ts';
import type { Paper } from '../report/pdf.ts';
import { cloudStateOf, planSync, type CloudState, type SyncConfig, type SyncRequest } from './sync.ts';
import type { SyncDeps, SyncPayload, SyncResult } from '../sync/job.ts';
import { parseLimit, type BandwidthSchedule, type Limit } from '../sync/throttle.ts';
import type { OffloadStore } from '../offload/store.ts';
import { cardOfOffload } from './card-of.ts';
import { renderReport, type RenderedReport, type ReportFormat } from '../report/render.ts';

/** A card as the faces see it: with its cloud copy's state, when it is synced. */
export type CardView = Card & { cloud?: CloudState };
import type { ConfigApi } from './config-api.ts';
import { listVolumes, spaceAt, type Space, type Volume } from '../fs/volumes.ts';
import { folderUsage, listFolders, type FolderListing } from '../fs/folders.ts';
import { ejectVolume } from '../watch/eject.ts';

export interface JobDetail {
  job: Job;
  parents: number[];
  children: number[];
  events: JobEvent[];
}

export interface Health {
  ok: boolean;
  uptimeMs: number;
  running: number;
  jobs: Record<JobState, number>;
  version: string;
}

export type { MhlEvent } from './mhl-api.ts';

/** A folder worth offering first in a folder browser: the home folder, and the ingest's watch folders and destinations. */
export interface Place {
  path: string;
  kind: 'home' | 'watch' | 'destination';
}

export interface EngineApi {
  health(): Health;
  volumes: {
    /** Mounted volumes with their free space, and the places a person offloads from and to. */
    list(): Promise<{ volumes: Volume[]; places: Place[] }>;
    /** A folder's sub-folders, and the space left on its volume. */
    folders(path: string): Promise<FolderListing & { space: Space }>;
    /** Bytes and files under a folder (what an offload of it needs at each destination). */
    usage(path: string): Promise<{ path: string; bytes: number; files: number }>;
    /** Size and free space of the volume a path is (or would be) on. */
    space(path: string): Promise<Space & { path: string }>;
  };
  /** The daemon's config file: read, and saved once valid, applied live where it can be (config-api.ts). */
  config: ConfigApi;
  offloads: {
    /** Validates a request against the disks and queues it; the same idempotency key gives the same job. */
    submit(req: OffloadRequest): Promise<{ job: Job; created: boolean }>;
    /** Runs an offload in this process, its events passed on as they come; resolves with its summary (complete, incomplete or cancelled). */
    run(req: OffloadRequest & { waitForLock?: boolean; concurrency?: number }, o?: { signal?: AbortSignal; onEvent?: (e: OffloadEvent) => void }): Promise<OffloadSummary>;
  };
  renders: {
    /**
     * Queues a render of each clip named (clipId, clipIds) or under a path (inspected first, its
     * records stored), one job each; a bad FDL, LUT or range fails now, before any is queued.
     */
    submit(body: RenderApiRequest): Promise<{ renders: { job: Job; clipId: number; warnings: string[] }[] }>;
    /** Renders one stored clip as a job this process runs, on `backend` (a remote one hands it to its engine); tried `maxAttempts` times (default once). */
    run(clipId: number, request: RenderRequest, o?: { backend?: Backend; timeoutMs?: number; maxAttempts?: number; signal?: AbortSignal; onProgress?: (p: unknown) => void }): Promise<RenderJobResult>;
  };
  jobs: {
    list(filter: { state?: JobState; kind?: string; limit?: number; beforeId?: number }): Job[];
    show(id: number): JobDetail;
    retry(id: number): Job;
    cancel(id: number): Job;
  };
  cards: {
    list(filter: { state?: CardState; limit?: number; beforeId?: number }): { cards: CardView[]; watching: boolean };
    show(id: number): { card: CardView; events: CardEvent[] };
    startOffload(id: number, o: { force?: boolean; roll?: string }): Promise<{ card: Card; job?: Job }>;
    /** Unmounts a verified card's volume; a card that is a folder in a watch folder has nothing to unmount (`ejected: false`). */
    eject(id: number): Promise<{ card: Card; ejected: boolean; message: string }>;
  };
  syncs: {
    /** Sync jobs, newest first (a card's, when given). */
    list(filter: { cardId?: number; state?: JobState; limit?: number }): Job[];
    /** Queues the upload of a roll folder or a card's copy, one job per part; a part already on its way is not queued twice. */
    submit(req: SyncRequest): Promise<{ jobs: Job[]; created: boolean[] }>;
    /** Uploads in this process, part after part, progress passed on as it comes. */
    run(req: SyncRequest, o?: { signal?: AbortSignal; onProgress?: (job: Job, progress: unknown) => void }): Promise<SyncResult[]>;
    /** The upload limit now (bytes per second, null for full speed), and a new one (a rate like "20M", "off", or a schedule) for every upload, running ones too. */
    bandwidth(set?: string | BandwidthSchedule): { limit: Limit };
  };
  clips: {
    search(q: string, o: { roll?: string; offloadId?: string; limit?: number; offset?: number }): { total: number; clips: ClipRow[] };
    show(id: number): ClipRow;
    thumbnail(id: number): Promise<Buffer>;
    /** Inspects every clip under a path now and stores the records. */
    inspectPath(path: string, o?: { signal?: AbortSignal }): Promise<ClipRow[]>;
  };
  events: {
    subscribe(listener: (e: BusEvent) => void): () => void;
    replay(filter: ReplayFilter): BusEvent[];
    lastSeq(): number;
  };
  reports: {
    /** A report of one offload, the card it copied, the latest offload into a roll folder, or a day. */
    make(target: ReportTarget | { cardId: number }, o?: { format?: ReportFormat; paper?: Paper; production?: string }): Promise<RenderedReport>;
  };
  mhl: MhlApi;
}

/** The parts of an engine the API works with. */
export interface EngineParts {
  bus: EventBus;
  queue: JobQueue;
  runner: Runner;
  cards: CardStore;
  clips: ClipStore;
  /** The card detection now (settings saved through the API replace it). */
  ingest(): Ingest | undefined;
  config: ConfigApi;
  /** The ingest's folders, offered first in a folder browser. */
  places(): Place[];
  inspectExecutor: Executor;
  /** The render settings render jobs are queued with (where they run, so which resources they hold). */
  render(): RenderConfig;
  reports: PreparedSources;
  sync: { deps: SyncDeps; config?: SyncConfig; offloads: OffloadStore };
  maxAttempts: number;
  startedAt: number;
  isRunning(): boolean;
}

const notFound = (what: string, id: number) => new RushesError('NOT_FOUND', `no ${what} ${id}`);

export function engineApi(p: EngineParts): EngineApi {
  const job = (id: number) => p.queue.get(id) ?? fail(notFound('job', id));
  const card = (id: number) => p.cards.get(id) ?? fail(notFound('card', id));
  const clip = (id: number) => p.clips.get(id) ?? fail(notFound('clip', id));
  /** A card's sync jobs: those that name it, and those of its offload that could not (a render's outputs). */
  const syncJobsOf = (c: Card, limit = 1000): Job[] => {
    const named = p.queue.list({ kind: 'sync', payload: { field: 'cardId', equals: c.id }, limit });
    const offloadJob = c.jobId === undefined ? undefined : p.queue.get(c.jobId);
    const offloadId = offloadJob && isJobOf(offloadJob, 'offload') ? (offloadJob.result?.offloadId ?? (offloadJob.progress as { offloadId?: string } | undefined)?.offloadId) : undefined;
    const ofOffload = offloadId ? p.queue.list({ kind: 'sync', payload: { field: 'offloadId', equals: offloadId }, limit }) : [];
    const ids = new Set(named.map((j) => j.id));
    return [...named, ...ofOffload.filter((j) => !ids.has(j.id))].sort((a, b) => b.id - a.id).slice(0, limit);
  };
  const view = (c: Card): CardView => ({ ...c, cloud: cloudStateOf(syncJobsOf(c)) });
  const syncPlan = (req: SyncRequest) => planSync({ queue: p.queue, cards: p.cards, offloads: p.sync.offloads, config: p.sync.config, cardOf: (id) => cardOfOffload(p.cards, p.queue, id) }, req);

  const api: EngineApi = {
    health: () => ({ ok: p.isRunning(), uptimeMs: Date.now() - p.startedAt, running: p.runner.active, jobs: p.queue.counts(), version: TOOL.version }),

    volumes: {
      list: async () => ({ volumes: await listVolumes(), places: p.places() }),
      async folders(path) {
        const listing = await listFolders(path);
        return { ...listing, space: await spaceAt(listing.path) };
      },
      usage: folderUsage,
      space: async (path) => ({ path, ...(await spaceAt(path)) }),
    },

    config: p.config,

    offloads: {
      async submit(req) {
        const { id, created } = p.queue.enqueue(await planOffloadJob(req, p.maxAttempts));
        return { job: job(id), created };
      },
      async run(req, o = {}) {
        const spec = await planOffloadJob(req, 1);
        let summary: OffloadSummary | undefined;
        const done = await runOwnJob(p.queue, p.bus, p.runner.owner, { ...spec, payload: { ...(spec.payload as object), waitForLock: req.waitForLock ?? false, concurrency: req.concurrency } }, {
          signal: o.signal,
          onEvent: (e) => {
            if (e.topic !== 'offload') return;
            const { topic: _t, jobId: _j, seq: _s, at: _a, ...event } = e;
            if (event.type === 'offload.finished') summary = event.summary;
            o.onEvent?.(event as OffloadEvent);
          },
        });
        // A finished offload, even incomplete or cancelled, has its summary; one that never started has only its error.
        if (summary) return summary;
        throw jobFailure(done);
      },
    },

    renders: {
      async submit(body) {
        // The clips: the ones named, or what the path holds (inspected first, each record stored).
        const ids = body.clipIds ?? (body.clipId !== undefined ? [body.clipId] : (await api.clips.inspectPath(body.path!)).map((r) => r.id));
        if (ids.length === 0) throw new RushesError('USAGE', `${body.path} holds no clips`, { path: body.path });
        const { clipId: _c, clipIds: _cs, path: _p, out, fdl, cdl, lut, amf, runtime, priority, ...rest } = body;
        const request: RenderRequest = { ...rest, outDir: isUri(out) ? out : resolve(out), fdlFile: fdl, cdlFile: cdl, lutFile: lut, amfFile: amf };
        const backend = backendFor(p.render(), body.fn, runtime);
        // A task on other machines writes to a store they all reach: a local folder is refused now, not after queueing.
        if (isRemoteBackend(backend) && !(isUri(out) && storageFor(out).shared))
          throw new RushesError('USAGE', `the ${backend} runtime renders on other machines: "out" must be a folder in a store they reach (s3://…), not ${out}`);
        // Every clip is checked (decodable, its FDL, LUT, range) before any is queued: a bad one fails the request whole.
        const checked: { clipId: number; invocation: { id: string }; warnings: string[] }[] = [];
        for (const clipId of new Set(ids)) {
          // A clip the body names but the store lacks is a bad request, not a missing route.
          const record = (p.clips.get(clipId) ?? fail(new RushesError('USAGE', `no clip ${clipId} in the store`))).record;
          assertRenderable(record);
          checked.push({ clipId, ...(await buildInvocation(record, request)) });
        }
        const renders = p.queue.transaction(() =>
          checked.map(({ clipId, invocation, warnings }) => {
            const payload = { clipId, request, runtime };
            const { id } = p.queue.enqueue(renderJob(p.render(), payload, { priority: priority ?? 0, maxAttempts: 2, idempotencyKey: `api:render:${invocation.id}:${runtime ?? ''}` }));
            return { job: job(id), clipId, warnings };
          }),
        );
        return { renders };
      },
      async run(clipId, request, o = {}) {
        assertRenderable(clip(clipId).record);
        const done = await runOwnJob(p.queue, p.bus, p.runner.owner, renderJob(p.render(), { clipId, request, runtime: o.backend, timeoutMs: o.timeoutMs }, { maxAttempts: o.maxAttempts }), {
          signal: o.signal,
          onEvent: (e) => e.topic === 'job' && e.type === 'progress' && o.onProgress?.(e.data),
        });
        if (done.state === 'succeeded') return done.result as RenderJobResult;
        throw jobFailure(done);
      },
    },

    jobs: {
      list: (f) => p.queue.list(f),
      show: (id) => ({ job: job(id), parents: p.queue.parentsOf(id), children: p.queue.childrenOf(id), events: p.queue.events({ jobId: id, limit: 10_000 }) }),
      retry(id) {
        const j = job(id);
        if (j.state !== 'dead' && j.state !== 'cancelled') throw new RushesError('WRONG_STATE', `job ${id} is ${j.state}; only dead or cancelled jobs can be retried`);
        return p.queue.retry(id);
      },
      cancel(id) {
        const j = job(id);
        if (FINAL_STATES.has(j.state) && j.state !== 'cancelled') throw new RushesError('WRONG_STATE', `job ${id} is already ${j.state}`);
        return p.queue.cancel(id);
      },
    },

    cards: {
      list: (f) => ({ cards: p.cards.list(f).map(view), watching: p.ingest() !== undefined }),
      show: (id) => ({ card: view(card(id)), events: p.cards.events({ cardId: id, limit: 10_000 }) }),
      async startOffload(id, o) {
        card(id);
        const ingest = p.ingest();
        if (!ingest) throw new RushesError('WRONG_STATE', 'this daemon does not watch for cards (no "ingest" section in its config)');
        try {
          const started = await ingest.startOffload(id, o);
          return { card: started, job: started.jobId === undefined ? undefined : p.queue.get(started.jobId) };
        } catch (e) {
          // The card's state does not allow it (already verified, a duplicate without force, a conflict without a new roll).
          if (e instanceof RushesError && (e.code === 'USAGE' || e.code === 'DEST_CONFLICT')) throw new RushesError('WRONG_STATE', e.message, { path: e.path });
          throw e;
        }
      },
      async eject(id) {
        const c = card(id);
        if (!c.present) throw new RushesError('WRONG_STATE', `card ${id} (${c.path}) is not inserted any more`, { path: c.path });
        if (!c.safeToEject) throw new RushesError('WRONG_STATE', `card ${id} is ${c.state}, not verified: it is not safe to eject yet`, { path: c.path });
        const ejected = await ejectVolume(c.path);
        const message = ejected ? `${c.path} was ejected` : `${c.path} is a folder, not a mounted volume: there is nothing to eject, and it can be removed`;
        return { card: card(id), ejected, message };
      },
    },

    syncs: {
      list: (f) => (f.cardId === undefined ? p.queue.list({ kind: 'sync', state: f.state, limit: f.limit }) : syncJobsOf(card(f.cardId), f.limit).filter((j) => !f.state || j.state === f.state)),
      async submit(req) {
        const jobs: Job[] = [];
        const created: boolean[] = [];
        for (const spec of await syncPlan(req)) {
          const s = spec.payload as SyncPayload;
          const active = p.queue.list({ kind: 'sync', payload: { field: 'rollFolder', equals: s.rollFolder }, limit: 1000 }).find((j) => !FINAL_STATES.has(j.state) && isJobOf(j, 'sync') && j.payload.part === s.part && j.payload.to === s.to);
          jobs.push(active ?? job(p.queue.enqueue(spec).id));
          created.push(!active);
        }
        return { jobs, created };
      },
      async run(req, o = {}) {
        const results: SyncResult[] = [];
        for (const spec of await syncPlan(req)) {
          const done = await runOwnJob(p.queue, p.bus, p.runner.owner, spec, {
            signal: o.signal,
            onEvent: (e) => e.topic === 'job' && e.type === 'progress' && o.onProgress?.(job(e.jobId), e.data),
          });
          if (done.state !== 'succeeded') throw jobFailure(done);
          results.push(done.result as SyncResult);
        }
        return results;
      },
      bandwidth(set) {
        if (set !== undefined) p.sync.deps.bandwidth.set(typeof set === 'string' ? parseLimit(set) : set);
        return { limit: p.sync.deps.bandwidth.limitNow() };
      },
    },

    clips: {
      search: (q, o) => p.clips.search(q, o),
      show: clip,
      async thumbnail(id) {
        const row = clip(id);
        const image = row.thumbnail ? await readFile(row.thumbnail).catch(() => undefined) : undefined;
        if (!image) throw new RushesError('NOT_FOUND', `clip ${id} has no poster frame${row.thumbnail ? ' (the file is gone)' : ''}`);
        return image;
      },
      async inspectPath(path, o = {}) {
        const set = await findClips(path);
        const rows: ClipRow[] = [];
        for (const unit of set.units) rows.push(clip(p.clips.upsert(await inspectWith(p.inspectExecutor, { root: set.root, unit }, { signal: o.signal }))));
        return rows;
      },
    },

    events: {
      subscribe: (l) => p.bus.subscribe(l),
      replay: (f) => p.bus.replay(f),
      lastSeq: () => p.bus.lastSeq(),
    },

    reports: {
      async make(target, o = {}) {
        let t: ReportTarget;
        if ('cardId' in target) {
          const j = card(target.cardId).jobId;
          const offloadJob = j === undefined ? undefined : p.queue.get(j);
          const offloadId = offloadJob && isJobOf(offloadJob, 'offload') ? offloadJob.result?.offloadId : undefined;
          if (!offloadId) throw new RushesError('NOT_FOUND', `card ${target.cardId} has no finished offload to report`);
          t = { offloadId };
        } else t = target;
        return renderReport(await gatherReport(p.reports, t, { production: o.production }), o.format ?? 'pdf', o.paper);
      },
    },

    mhl: mhlApi(p.bus),
  };
  return api;
}

function fail(e: Error): never {
  throw e;
}
