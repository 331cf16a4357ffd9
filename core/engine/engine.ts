/**
 * The composition root: the engine behind every face (the daemon's HTTP API, the command
 * line, the desktop shell). It wires the store, the event log, the queue and its runner,
 * each service's job kinds, the workflow rules and the card detection, and hands the faces
 * one typed API (./api.ts) — the faces call nothing else.
 */
import { openStore, type Db } from '../store/db.ts';
import { EventBus } from '../events/bus.ts';
import { JobQueue, Runner, handles, type Handlers, type Limits, type BackoffPolicy } from '../queue/index.ts';
import { attachRules, enabledRules, type AnyRule } from '../workflow/rules.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { destroyPool } from '../runtime/pool.ts';
import { offloadHandler, planOffloadJob } from '../offload/job.ts';
import { standardRules } from '../workflow/standard-rules.ts';
import { cardHistoryHandler } from '../watch/card-history.ts';
import { dockerOptions, renderHandler, type RenderConfig } from '../render/job.ts';
import { engineApi, type EngineApi } from './api.ts';
import { reportSources } from './reports.ts';
import { reportHandler, type ReportConfig } from '../report/job.ts';
import { RushesError } from '../errors.ts';
import { executorFor, type Backend } from '../runtime/executor.ts';

import { webhookHandler, type WebhookConfig } from '../webhook/job.ts';
import { CardStore } from '../watch/card-store.ts';
import { ClipStore } from '../inspect/clip-store.ts';
import { OffloadStore } from '../offload/store.ts';
import { inspectHandler, inspectOffloadHandler } from '../inspect/job.ts';
import { Ingest } from '../watch/ingest.ts';
import { lazyStorage, registerStorage } from '../runtime/storage.ts';
import { bandwidthOf, syncDeps, syncSettings, type SyncConfig } from './sync.ts';
import { cardOfOffload } from './card-of.ts';
import { ingestSettings, type IngestConfig, type IngestSettings } from '../watch/settings.ts';
import type { DaemonConfig } from './config.ts';
import { configApi, type LiveConfig } from './config-api.ts';
import type { Place } from './api.ts';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The workflow sections the config file and the engine options share, one to one. */
export interface WorkflowSections {
  /** Watch for cards and offload them (the config's `ingest` section); off when absent. */
  ingest?: IngestConfig;
  webhooks?: WebhookConfig[];
  /** Where renders run, and which ones follow inspection (the config's `render` section). */
  render?: RenderConfig;
  /** Where clips are inspected (the config's `inspect` section; default a worker thread). */
  inspect?: { runtime?: Backend };
  /** A report after each offload once its clips are inspected (the config's `reports` section). */
  reports?: ReportConfig;
  /** Upload each card's metadata, outputs and (when asked) originals to S3-compatible storage (the config's `sync` section). */
  sync?: SyncConfig;
}

export interface EngineOptions extends WorkflowSections {
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
  /**
   * `daemon` (default) runs every job it has a handler for; `command` runs only the jobs it
   * starts itself (`rushes offload` beside a daemon on the same store), and never watches.
   */
  role?: 'daemon' | 'command';
  /** The config file the engine was started from: the API reads it and saves to it (the UI's Settings). */
  config?: { file: string; startedWith: DaemonConfig };
}

/**
 * One writer per destination volume: two offloads to one RAID would only fight over its
 * heads. Two syncs at once: each already uploads several parts in parallel, and a second
 * lets a card's metadata go up while its originals follow a long offload.
 */
export const DEFAULT_LIMITS: Limits = { resources: { 'volume:*': 1 }, kinds: { sync: 2 } };

export class Engine {
  /** The typed API the faces use. */
  readonly api: EngineApi;
  // The parts below are the composition, open for tests and benchmarks; faces go through `api`.
  readonly db: Db;
  readonly bus: EventBus;
  readonly queue: JobQueue;
  readonly runner: Runner;
  readonly cards: CardStore;
  readonly clips: ClipStore;
  private running = false;
  private currentIngest?: Ingest;
  /** The rules the workflow runs, replaced in place when settings change while the engine runs. */
  private readonly rules: AnyRule[] = [];
  private live: LiveConfig;
  private readonly makeIngest: (settings: IngestSettings) => Ingest;
  private readonly makeRules: (live: LiveConfig) => AnyRule[];

  constructor(readonly options: EngineOptions) {
    const log = options.log ?? silentLogger;
    const maxAttempts = options.maxAttempts ?? 3;
    const command = options.role === 'command';
    if (command && options.ingest) throw new RushesError('INTERNAL', 'a command engine does not watch for cards');
    this.db = openStore(options.home);
    this.bus = new EventBus(this.db);
    this.queue = new JobQueue(this.db, { bus: this.bus, backoff: options.backoff });
    this.cards = new CardStore(this.bus);
    this.clips = new ClipStore(this.bus);
    const offloads = new OffloadStore(this.db);
    const inspectExecutor = executorFor(options.inspect?.runtime ?? 'thread', { docker: dockerOptions(options.render ?? {}) });
    const reports = reportSources({ offloads, queue: this.queue, cards: this.cards, clips: this.clips, inspectExecutor, home: options.home, render: options.render ?? {} });
    const bandwidth = bandwidthOf(options.sync);
    const sync = syncDeps({ db: this.db, home: options.home, offloads, clips: this.clips, cards: this.cards, queue: this.queue, config: options.sync, bandwidth, cardOf: (id) => cardOfOffload(this.cards, this.queue, id) });
    // s3:// inputs and outputs of functions (renders to a bucket): the sync endpoint, else the environment's.
    const s3Endpoint = options.sync ? sync.endpoint(options.sync.endpoint ?? 'default') : undefined;
    registerStorage(
      's3',
      lazyStorage(async () => {
        const { endpointFromEnv, s3Storage } = await import('../sync/index.ts');
        return s3Storage({ endpoint: s3Endpoint ?? endpointFromEnv(), scratch: join(options.home, 'sync-staging'), store: () => this.db, bandwidth });
      }),
    );
    const handlers: Handlers = {
      ...handles('offload', offloadHandler(this.db)),
      ...handles('inspect-offload', inspectOffloadHandler(offloads)),
      ...handles('inspect', inspectHandler(this.clips, offloads, inspectExecutor)),
      ...handles('render', renderHandler(this.clips, options.render ?? {})),
      ...handles('webhook', webhookHandler),
      ...handles('card-history', cardHistoryHandler),
      ...handles('report', reportHandler(reports)),
      // The S3 SDK is loaded by the first sync, not by every command that opens an engine.
      ...handles('sync', async (ctx) => (await import('../sync/job.ts')).syncHandler(sync)(ctx)),
      ...options.handlers,
    };
    this.live = { ingest: options.ingest, webhooks: options.webhooks, render: options.render };
    const syncRules = syncSettings(options.sync);
    this.makeRules = (live) =>
      enabledRules(
        options.rules ??
          standardRules({ home: options.home, render: live.render, webhooks: live.webhooks, writeCardHistory: live.ingest && ingestSettings(live.ingest).writeCardHistory, reports: options.reports, sync: syncRules }),
        Object.keys(handlers),
      );
    this.rules.push(...this.makeRules(this.live));
    attachRules(this.queue, () => this.rules, undefined, this.cards);
    this.makeIngest = (settings) =>
      new Ingest({
        cards: this.cards,
        queue: this.queue,
        settings,
        planOffload: (req) => planOffloadJob(req, maxAttempts),
        copiedFiles: (offloadId) => offloads.sourceFiles(offloadId),
        log: log.child({ part: 'ingest' }),
      });
    if (options.ingest) this.currentIngest = this.makeIngest(ingestSettings(options.ingest));
    this.runner = new Runner(this.queue, {
      handlers,
      concurrency: options.concurrency ?? (command ? 1 : 4),
      limits: options.limits ?? DEFAULT_LIMITS,
      leaseMs: options.leaseMs,
      log,
      onlyReserved: command,
    });
    this.api = engineApi({
      bus: this.bus,
      queue: this.queue,
      runner: this.runner,
      cards: this.cards,
      clips: this.clips,
      ingest: () => this.currentIngest,
      config: configApi({
        file: options.config?.file,
        startedWith: options.config?.startedWith ?? { ...this.live },
        apply: (live) => this.applyLive(live),
      }),
      places: () => places(this.live.ingest),
      inspectExecutor,
      reports,
      sync: { deps: sync, config: options.sync, offloads },
      maxAttempts,
      startedAt: Date.now(),
      isRunning: () => this.running,
    });
  }

  /** The card detection, when the config has an `ingest` section. */
  get ingest(): Ingest | undefined {
    return this.currentIngest;
  }

  /**
   * Takes the parts of a config that can change while the engine runs: the ingest (watch
   * folders, destinations, layout, hashes, verify… — its detection restarts and looks at the
   * cards already there, as after a restart), webhooks, and the renders after inspection.
   */
  async applyLive(next: LiveConfig): Promise<void> {
    const settings = next.ingest ? ingestSettings(next.ingest) : undefined;
    const ingestChanged = JSON.stringify(next.ingest) !== JSON.stringify(this.live.ingest);
    this.rules.splice(0, this.rules.length, ...this.makeRules(next));
    this.live = next;
    if (!ingestChanged) return;
    await this.currentIngest?.stop();
    this.currentIngest = settings && this.makeIngest(settings);
    if (this.running) await this.currentIngest?.start();
  }

  /** Starts running jobs and, when configured, watching for cards (resolves once the cards already there are seen). */
  async start(): Promise<void> {
    this.running = true;
    this.runner.start();
    await this.ingest?.start();
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

/** The folders a person offloads from and to, offered first in a folder browser. */
function places(ingest: IngestConfig | undefined): Place[] {
  return [
    { path: homedir(), kind: 'home' as const },
    ...(ingest?.watch ?? []).map((w) => ({ path: resolve(w), kind: 'watch' as const })),
    ...(ingest?.destinations ?? []).map((d) => ({ path: resolve(d), kind: 'destination' as const })),
  ];
}
