/**
 * Runs jobs from the queue: claims what fits the concurrency limits, calls the handler for
 * the job's kind with an AbortSignal, keeps its lease alive with heartbeats, and records
 * how each attempt ended. Outcomes that finish together are recorded in one transaction,
 * and the next claim follows at once, so a child starts milliseconds after its parent.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ERROR_POLICY, errorRecord, isRushesError } from '../errors.ts';
import { processAlive } from '../util/process.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { isRemoteJob, type Limits } from './limits.ts';
import type { JobQueue, Lease, Outcome } from './queue.ts';
import type { EventBus } from '../events/bus.ts';
import type { Job, JobOf, ResultOf } from './types.ts';

export interface JobContext<K extends string = string> {
  job: JobOf<K>;
  /** Aborted when the job is cancelled or the runner shuts down: stop at the next checkpoint. */
  signal: AbortSignal;
  /** Reports progress; every call reaches live listeners, about one a second is stored. */
  progress(data: unknown): void;
  log: Logger;
  /** The event log, for what the job's service reports beside its progress (an offload's files, a render's outputs). */
  events: EventBus;
}

export type JobHandler<K extends string = string> = (ctx: JobContext<K>) => Promise<ResultOf<K>>;

/** The handlers a runner has, by kind; `handles` types each against its kind's payload and result. */
export type Handlers = Record<string, JobHandler>;

/** A handler for `kind`, checked against the payload and result the kind declares, as the runner keeps it. */
export function handles<K extends string>(kind: K, handler: JobHandler<K>): Handlers {
  return { [kind]: handler as unknown as JobHandler };
}

export interface RunnerOptions {
  handlers: Handlers;
  /** Jobs this runner runs at once, besides those that wait on another engine (a `remote:` resource: limits.ts). */
  concurrency: number;
  limits?: Limits;
  leaseMs?: number;
  heartbeatMs?: number;
  /** How often to look for work that others enqueued or that became due. */
  pollMs?: number;
  progressPersistMs?: number;
  log?: Logger;
  owner?: string;
  /** Run only the jobs reserved for this runner (a command running its own job beside a daemon's queue). */
  onlyReserved?: boolean;
}

/** Why a handler's signal was aborted. */
export const ABORT_CANCEL = 'cancel';
export const ABORT_SHUTDOWN = 'shutdown';
/** The lease ran out and the job was given to another attempt: this one must stop, its outcome will not count. */
export const ABORT_LEASE_LOST = 'lease-lost';

interface Running {
  job: Job;
  controller: AbortController;
  done: Promise<void>;
  lastPersist: number;
  /** Set when a heartbeat found the lease gone: the handler is being stopped and its outcome dropped. */
  lost: boolean;
}

/** Jobs waiting on another engine claimed at most per pump; their resource limits bound how many run (limits.ts). */
const REMOTE_PER_CLAIM = 64;

/** Runners alive in this process, so a restarted runner can tell a dead owner from a live one. */
const liveOwners = new Set<string>();

export class Runner {
  readonly owner: string;
  private readonly running = new Map<number, Running>();
  private outcomes: Outcome[] = [];
  private stopping = false;
  private pumpScheduled = false;
  private pollTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private dueTimer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private readonly leaseMs: number;
  private readonly log: Logger;

  constructor(
    private readonly queue: JobQueue,
    private readonly options: RunnerOptions,
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.log = options.log ?? silentLogger;
  }

  /** Jobs running now. */
  get active(): number {
    return this.running.size;
  }

  start(): void {
    liveOwners.add(this.owner);
    const orphans = this.queue.requeueOwnedBy((owner) => ownerIsDead(owner));
    const expired = this.queue.requeueExpired();
    if (orphans + expired > 0) this.log.info('requeued jobs of a worker that died', { jobs: orphans + expired });
    this.unsubscribe = this.queue.subscribe((e) => {
      if (e.type === 'cancel-requested') this.abort(e.jobId, ABORT_CANCEL);
      else if (e.type === 'created' || e.type === 'succeeded' || e.type === 'retried' || e.type === 'requeued') this.schedulePump();
    });
    // Frequent enough that a cancel written to the store by another process lands within a second.
    const heartbeatMs = this.options.heartbeatMs ?? Math.max(100, Math.min(1000, Math.floor(this.leaseMs / 3)));
    this.heartbeatTimer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.pollTimer = setInterval(() => this.schedulePump(), this.options.pollMs ?? 500);
    this.heartbeatTimer.unref();
    this.pollTimer.unref();
    this.schedulePump();
  }

  /**
   * Stops taking work, asks running jobs to stop at a checkpoint, and waits up to `graceMs`.
   * Jobs that stopped are released back to the queue without using up an attempt.
   */
  async stop(graceMs = 30_000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.dueTimer);
    clearTimeout(this.retryTimer);
    for (const id of this.running.keys()) this.abort(id, ABORT_SHUTDOWN);
    // Heartbeats go on through the grace period, so a slow checkpoint does not lose its lease.
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((res) => (timer = setTimeout(res, graceMs)))]);
    clearTimeout(timer);
    clearInterval(this.heartbeatTimer);
    // Anything still running past the grace period is released too: this process is leaving.
    for (const r of this.running.values()) if (!r.lost) this.outcomes.push({ ...this.leaseOf(r.job), type: 'released' });
    this.flush();
    this.unsubscribe?.();
    liveOwners.delete(this.owner);
  }

  /** Resolves when nothing is running and nothing this runner can run is ready. For tests and benches. */
  async idle(): Promise<void> {
    for (;;) {
      await new Promise((r) => setTimeout(r, 5));
      if (this.running.size === 0 && this.outcomes.length === 0 && !this.pumpScheduled && this.readyCount() === 0) return;
    }
  }

  private readyCount(): number {
    return this.queue.list({ state: 'queued', limit: 1000 }).filter((j) => j.runAfter <= this.queue.now() && j.kind in this.options.handlers).length;
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.stopping) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopping) return;
    // Outcomes waiting to be recorded and the claim of the slots they free share one transaction.
    const outcomes = this.outcomes;
    this.outcomes = [];
    const free = this.options.concurrency - [...this.running.values()].filter((r) => !isRemoteJob(r.job.resources)).length;
    let jobs: Job[] = [];
    try {
      jobs = this.queue.transaction(() => {
        this.queue.finish(outcomes);
        return this.queue.claim(
          this.owner,
          this.leaseMs,
          free,
          this.options.limits ?? {},
          (j) => j.kind in this.options.handlers && !this.running.has(j.id) && (j.reserved || !this.options.onlyReserved),
          REMOTE_PER_CLAIM,
        );
      });
    } catch (e) {
      // The store refused (busy past its timeout, disk full): keep the outcomes and try again
      // shortly. Until they are written the jobs stay leased to us, so nobody runs them twice.
      this.log.error('recording outcomes and claiming jobs failed; trying again', { error: (e as Error).message, jobs: outcomes.map((o) => o.id) });
      this.outcomes = [...outcomes, ...this.outcomes];
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.schedulePump(), 1000);
      this.retryTimer.unref();
      return;
    }
    for (const job of jobs) this.run(job);
    this.armDueTimer();
  }

  /** Wakes the runner when the earliest backed-off job becomes due, rather than at the next poll. */
  private armDueTimer(): void {
    const next = this.queue.nextRunAfter();
    if (next === undefined) return;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = setTimeout(() => this.schedulePump(), Math.max(0, next - this.queue.now()) + 1);
    this.dueTimer.unref();
  }

  private run(job: Job): void {
    const controller = new AbortController();
    const log = this.log.child({ job: job.id, kind: job.kind });
    const entry: Running = { job, controller, done: Promise.resolve(), lastPersist: 0, lost: false };
    const ctx: JobContext = {
      job,
      signal: controller.signal,
      log,
      events: this.queue.bus,
      progress: (data) => {
        const now = Date.now();
        const persist = now - entry.lastPersist >= (this.options.progressPersistMs ?? 1000);
        if (persist) entry.lastPersist = now;
        this.queue.progress(job.id, job.kind, data, persist);
      },
    };
    log.info('job started', { attempt: job.attempts });
    entry.done = Promise.resolve()
      .then(() => this.options.handlers[job.kind](ctx))
      .then(
        (result) => this.record(entry, { ...this.leaseOf(job), type: 'succeeded', result: result ?? undefined }, log),
        (e: unknown) => this.record(entry, this.outcomeOf(job, controller.signal, e), log),
      );
    this.running.set(job.id, entry);
    if (job.cancelRequested) this.abort(job.id, ABORT_CANCEL);
  }

  private leaseOf(job: Job): Lease {
    return { id: job.id, owner: this.owner, attempt: job.attempts };
  }

  private outcomeOf(job: Job, signal: AbortSignal, e: unknown): Outcome {
    if (signal.aborted && signal.reason === ABORT_SHUTDOWN) return { ...this.leaseOf(job), type: 'released' };
    if (signal.aborted && signal.reason === ABORT_CANCEL) return { ...this.leaseOf(job), type: 'cancelled' };
    return { ...this.leaseOf(job), type: 'failed', error: errorRecord(e), retryable: isRetryable(e) };
  }

  private record(entry: Running, outcome: Outcome, log: Logger): void {
    this.running.delete(outcome.id);
    if (entry.lost) {
      log.warn('job attempt ended after its lease was lost; its outcome is dropped', { outcome: outcome.type });
    } else {
      if (outcome.type === 'failed') log.warn('job attempt failed', { ...outcome.error, retryable: outcome.retryable });
      else log.info(`job ${outcome.type}`);
      this.outcomes.push(outcome);
    }
    this.schedulePump();
  }

  /** Records outcomes without claiming (at shutdown). */
  private flush(): void {
    const batch = this.outcomes;
    this.outcomes = [];
    try {
      this.queue.finish(batch);
    } catch (e) {
      this.log.error('recording job outcomes failed', { error: (e as Error).message, jobs: batch.map((o) => o.id) });
    }
  }

  private abort(id: number, reason: string): void {
    const entry = this.running.get(id);
    if (entry && !entry.controller.signal.aborted) entry.controller.abort(reason);
  }

  private heartbeat(): void {
    try {
      const held = [...this.running.values()].filter((r) => !r.lost);
      const { lost, cancel } = this.queue.heartbeat(
        held.map((r) => this.leaseOf(r.job)),
        this.leaseMs,
      );
      for (const id of cancel) this.abort(id, ABORT_CANCEL);
      for (const id of lost) {
        const entry = this.running.get(id);
        if (!entry) continue;
        entry.lost = true;
        this.log.warn('lost the lease of a running job (it stalled past its lease); stopping it', { job: id });
        this.abort(id, ABORT_LEASE_LOST);
      }
      this.queue.requeueExpired();
    } catch (e) {
      this.log.error('heartbeat failed', { error: (e as Error).message });
    }
  }
}

/** Whether a failed attempt is worth another: by the error's code (ERROR_POLICY); anything unclassified is. */
export function isRetryable(e: unknown): boolean {
  return isRushesError(e) ? ERROR_POLICY[e.code].retryable : true;
}

/** An owner is `host:pid:token`; on this host we can tell whether its process still lives. */
export function ownerIsDead(owner: string): boolean {
  if (liveOwners.has(owner)) return false;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return false; // another machine's lease: wait for it to expire
  const pid = Number(pidText);
  if (pid === process.pid) return true; // an earlier runner of this very process that is gone
  return !processAlive(pid);
}
