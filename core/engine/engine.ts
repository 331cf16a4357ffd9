/**
 * The engine behind both faces (daemon and desktop): the store, the queue, the runner with
 * its handlers, and the workflow rules. The HTTP server and the CLI only call into this.
 */
import { openStore, type Db } from '../store/db.ts';
import { EventBus } from '../events/bus.ts';
import { JobQueue, Runner, handles, type Handlers, type Job, type Limits, type BackoffPolicy } from '../queue/index.ts';
import { attachRules, enabledRules, type AnyRule } from '../workflow/rules.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { destroyPool } from '../runtime/pool.ts';
import { offloadHandler, planOffloadJob, type OffloadRequest } from '../offload/job.ts';
import { standardRules } from '../workflow/standard-rules.ts';
import { cardHistoryHandler } from '../watch/card-history.ts';
import { dockerOptions, renderHandler, type RenderApiRequest, type RenderConfig, type RenderJobPayload } from '../render/job.ts';
import { resolve } from 'node:path';
import { RushesError } from '../errors.ts';
import { findClips } from '../inspect/tree.ts';
import { inspectWith } from '../inspect/function.ts';
import { executorFor, type Backend } from '../runtime/executor.ts';
import { assertRenderable } from '../inspect/decodable.ts';
import { buildInvocation, type RenderRequest } from '../render/request.ts';

import { webhookHandler, type WebhookConfig } from '../webhook/job.ts';
import { CardStore } from '../watch/card-store.ts';
import { ClipStore } from '../inspect/clip-store.ts';
import { OffloadStore } from '../offload/store.ts';
import { inspectHandler, inspectOffloadHandler } from '../inspect/job.ts';
import { Ingest } from '../watch/ingest.ts';
import { ingestSettings, type IngestConfig } from '../watch/settings.ts';

export interface EngineOptions {
  home: string;
  log?: Logger;
  /** Jobs run at once by this engine. */
  concurrency?: number;
  limits?: Limits;
  backoff?: BackoffPolicy;
  leaseMs?: number;
  maxAttempts?: number;
  /** Extra handlers (tests, plug-ins) beside the built-in ones. */
  handlers?: Handlers;
  rules?: readonly AnyRule[];
  /** Watch for cards and offload them (the config's `ingest` section); off when absent. */
  ingest?: IngestConfig;
  webhooks?: WebhookConfig[];
  /** Where renders run, and which ones follow inspection (the config's `render` section). */
  render?: RenderConfig;
  /** Where clips are inspected (the config's `inspect` section; default a worker thread). */
  inspect?: { runtime?: Backend };
}

/** One writer per destination volume: two offloads to one RAID would only fight over its heads. */
export const DEFAULT_LIMITS: Limits = { resources: { 'volume:*': 1 } };

export class Engine {
  readonly db: Db;
  readonly bus: EventBus;
  readonly queue: JobQueue;
  readonly runner: Runner;
  readonly cards: CardStore;
  readonly clips: ClipStore;
  readonly ingest?: Ingest;
  readonly startedAt = Date.now();
  private readonly maxAttempts: number;
  private readonly inspectExecutor;
  private running = false;

  constructor(readonly options: EngineOptions) {
    const log = options.log ?? silentLogger;
    this.db = openStore(options.home);
    this.bus = new EventBus(this.db);
    this.queue = new JobQueue(this.db, { bus: this.bus, backoff: options.backoff });
    this.maxAttempts = options.maxAttempts ?? 3;
    this.inspectExecutor = executorFor(options.inspect?.runtime ?? 'thread', { docker: dockerOptions(options.render ?? {}) });
    this.cards = new CardStore(this.bus);
    this.clips = new ClipStore(this.db);
    const offloads = new OffloadStore(this.db);
    const handlers: Handlers = {
      ...handles('offload', offloadHandler(this.db)),
      ...handles('inspect-offload', inspectOffloadHandler(offloads)),
      ...handles('inspect', inspectHandler(this.clips, offloads, this.inspectExecutor)),
      ...handles('render', renderHandler(this.clips, options.render ?? {})),
      ...handles('webhook', webhookHandler),
      ...handles('card-history', cardHistoryHandler),
      ...options.handlers,
    };
    const settings = options.ingest ? ingestSettings(options.ingest) : undefined;
    const rules = options.rules ?? standardRules({ home: options.home, render: options.render, webhooks: options.webhooks, writeCardHistory: settings?.writeCardHistory });
    attachRules(this.queue, enabledRules(rules, Object.keys(handlers)), undefined, this.cards);
    if (settings) {
      this.ingest = new Ingest({
        cards: this.cards,
        queue: this.queue,
        settings,
        planOffload: (req) => planOffloadJob(req, this.maxAttempts),
        copiedFiles: (offloadId) => offloads.sourceFiles(offloadId),
        log: log.child({ part: 'ingest' }),
      });
    }
    this.runner = new Runner(this.queue, {
      handlers,
      concurrency: options.concurrency ?? 4,
      limits: options.limits ?? DEFAULT_LIMITS,
      leaseMs: options.leaseMs,
      log,
    });
  }

  /** Starts running jobs and, when configured, watching for cards (resolves once the cards already there are seen). */
  async start(): Promise<void> {
    this.running = true;
    this.runner.start();
    await this.ingest?.start();
  }

  /** Validates an offload request against the disks and queues it; the same idempotency key gives the same job. */
  async submitOffload(req: OffloadRequest): Promise<{ job: Job; created: boolean }> {
    const spec = await planOffloadJob(req, this.maxAttempts);
    const { id, created } = this.queue.enqueue(spec);
    return { job: this.queue.get(id)!, created };
  }

  /**
   * Queues a render of one clip: a path is inspected first (and its record stored); the
   * invocation is built once here so a bad FDL, LUT or range is a 4xx now, not a dead job.
   */
  async submitRender(body: RenderApiRequest): Promise<{ job: Job; clipId: number; warnings: string[] }> {
    let clipId = body.clipId;
    if (clipId === undefined) {
      const set = await findClips(body.path!);
      if (set.units.length !== 1) throw new RushesError('USAGE', `${body.path} holds ${set.units.length} clips; render one clip at a time`, { path: body.path });
      clipId = this.clips.upsert(await inspectWith(this.inspectExecutor, { root: set.root, unit: set.units[0]! }));
    }
    const clip = this.clips.get(clipId);
    if (!clip) throw new RushesError('USAGE', `no clip ${clipId} in the store`);
    assertRenderable(clip.record);
    const { clipId: _c, path: _p, out, fdl, cdl, lut, amf, runtime: _r, priority: _pr, ...rest } = body;
    const request: RenderRequest = { ...rest, outDir: resolve(out), fdlFile: fdl, cdlFile: cdl, lutFile: lut, amfFile: amf };
    const { invocation, warnings } = await buildInvocation(clip.record, request);
    const payload: RenderJobPayload = { clipId, request, runtime: body.runtime };
    const { id } = this.queue.enqueue({ kind: 'render', payload, priority: body.priority ?? 0, maxAttempts: 2, idempotencyKey: `api:render:${invocation.id}:${body.runtime ?? ''}` });
    return { job: this.queue.get(id)!, clipId, warnings };
  }

  health(): { ok: boolean; uptimeMs: number; running: number; jobs: ReturnType<JobQueue['counts']> } {
    return { ok: this.running, uptimeMs: Date.now() - this.startedAt, running: this.runner.active, jobs: this.queue.counts() };
  }

  /** Takes no new work, lets running jobs reach a checkpoint (up to `graceMs`), releases their leases, closes the store. */
  async stop(graceMs = 30_000): Promise<void> {
    if (!this.db.open) return;
    this.running = false;
    await this.ingest?.stop();
    await this.runner.stop(graceMs);
    await destroyPool();
    this.db.close();
  }
}
