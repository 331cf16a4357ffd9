/**
 * The durable job queue, in the SQLite store. Every state change is one transaction that
 * also appends to the event log, so after a crash the table and the log agree and nothing
 * is lost: running jobs whose worker died go back to the queue when their lease expires
 * (or at once, when the worker is known to be dead).
 *
 * The queue only records; the runner (runner.ts) decides what to run and calls handlers.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../store/db.ts';
import { RushesError } from '../errors.ts';
import { EventBus } from '../events/bus.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { isRemoteJob, LimitTracker, type Limits } from './limits.ts';
import type { Enqueued, Job, JobError, JobEvent, JobEventType, JobSpec, JobState } from './types.ts';

const DEFAULT_MAX_ATTEMPTS = 3;
/** How far down the ready list one claim looks for a job that fits the limits. */
const MAX_CLAIM_SCAN = 2048;

/**
 * A whole job row, read positionally: better-sqlite3 builds an object per row key by key,
 * which for this wide row cost more than the rest of a claim, while an array is cheap.
 * `JOB_COLUMNS` and `JobValues` list the same columns in the same order.
 */
const JOB_COLUMNS = `id, kind, payload, state, priority, run_after, attempts, max_attempts, idempotency_key, resources, depth, pending_parents,
  reserved_for, lease_owner, lease_expires, cancel_requested, progress, result, last_error, created_at, started_at, finished_at, updated_at`;
type JobValues = [
  id: number,
  kind: string,
  payload: string,
  state: JobState,
  priority: number,
  runAfter: number,
  attempts: number,
  maxAttempts: number,
  idempotencyKey: string | null,
  resources: string | null,
  depth: number,
  pendingParents: number,
  reservedFor: string | null,
  leaseOwner: string | null,
  leaseExpires: number | null,
  cancelRequested: number,
  progress: string | null,
  result: string | null,
  lastError: string | null,
  createdAt: number,
  startedAt: number | null,
  finishedAt: number | null,
  updatedAt: number,
];

/** A ready job as a claim first sees it. */
interface Candidate {
  id: number;
  kind: string;
  resources: string | null;
  reserved_for: string | null;
}

function parse(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

function toJob(r: JobValues): Job {
  const [id, kind, payload, state, priority, runAfter, attempts, maxAttempts, idempotencyKey, resources, depth, pendingParents, reservedFor, leaseOwner, leaseExpires, cancelRequested, progress, result, lastError, createdAt, startedAt, finishedAt, updatedAt] = r;
  return {
    id,
    kind,
    payload: parse(payload),
    state,
    priority,
    runAfter,
    attempts,
    maxAttempts,
    idempotencyKey: idempotencyKey ?? undefined,
    resources: resources ? (JSON.parse(resources) as string[]) : [],
    depth,
    pendingParents,
    reservedFor: reservedFor ?? undefined,
    leaseOwner: leaseOwner ?? undefined,
    leaseExpires: leaseExpires ?? undefined,
    cancelRequested: cancelRequested === 1,
    progress: parse(progress),
    result: parse(result),
    lastError: parse(lastError) as JobError | undefined,
    createdAt,
    startedAt: startedAt ?? undefined,
    finishedAt: finishedAt ?? undefined,
    updatedAt,
  };
}

/** How an attempt ended, as the runner reports it. */
export type Outcome = Lease &
  (
    | { type: 'succeeded'; result?: unknown }
    | { type: 'failed'; error: JobError; retryable: boolean }
    | { type: 'cancelled'; error?: JobError }
    /** Stopped at a checkpoint for a shutdown: back to the queue, the attempt not counted. */
    | { type: 'released' }
  );

/**
 * Which claim an outcome or heartbeat speaks for: the owner and the attempt it started.
 * A worker that lost its lease (it stalled, the job ran again elsewhere) no longer matches,
 * so its late outcome cannot overwrite the newer attempt's.
 */
export interface Lease {
  id: number;
  owner: string;
  attempt: number;
}

/** Called inside the transaction that records an event, so follow-up jobs commit with it. */
export type Reactor = (event: JobEvent, job: Job, queue: JobQueue) => void;

export interface QueueOptions {
  /** The event log the queue writes to; the engine shares one between every part. Default: one of its own on `db`. */
  bus?: EventBus;
  now?: () => number;
  backoff?: BackoffPolicy;
  random?: () => number;
}

export interface ListFilter {
  state?: JobState;
  kind?: string;
  limit?: number;
  /** Page backwards from this id (exclusive). */
  beforeId?: number;
  /** Only jobs whose payload has this value at this top-level field (e.g. a card's sync jobs). */
  payload?: { field: string; equals: string | number };
}

export class JobQueue {
  readonly now: () => number;
  readonly bus: EventBus;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly st: ReturnType<typeof prepare>;

  constructor(
    readonly db: Db,
    options: QueueOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.bus = options.bus ?? new EventBus(db, { now: this.now });
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.st = prepare(db);
  }

  /** Listen to every job event after it is committed (progress included); returns unsubscribe. */
  subscribe(listener: (e: JobEvent) => void): () => void {
    return this.bus.subscribe((e) => e.topic === 'job' && listener(e));
  }

  /** Workflow rules hook in here; see core/workflow. */
  addReactor(reactor: Reactor): void {
    this.bus.react('job', (event, job) => reactor(event, job, this));
  }

  // ---- writing ------------------------------------------------------------------------

  enqueue(spec: JobSpec): Enqueued {
    return this.enqueueMany([spec])[0];
  }

  /** Enqueues a batch in one transaction; parents named by key may be earlier in the batch. */
  enqueueMany(specs: readonly JobSpec[]): Enqueued[] {
    return this.write(() => specs.map((s) => this.insert(s)));
  }

  /**
   * Starts up to `max` ready jobs for `owner`, respecting `limits` across every running job
   * in the store (other processes' too). `accept` filters the jobs this runner can take
   * (kinds it has handlers for, and not one whose earlier attempt it is still stopping).
   */
  claim(owner: string, leaseMs: number, max: number, limits: Limits, accept: (job: { id: number; kind: string; reserved: boolean }) => boolean, remoteMax = 0): Job[] {
    if (max <= 0 && remoteMax <= 0) return [];
    return this.write(() => {
      const now = this.now();
      const tracker = new LimitTracker(
        limits,
        (this.st.runningKinds.all() as { kind: string; resources: string | null }[]).map((r) => ({
          kind: r.kind,
          resources: r.resources ? (JSON.parse(r.resources) as string[]) : [],
        })),
      );
      const claimed: Job[] = [];
      /** Claims up to `limit` jobs of one class (`remote`: waiting on another engine, isRemoteJob) from `ready`'s pages. */
      const claimFrom = (ready: Database.Statement, remote: boolean, limit: number): void => {
        let taken = 0;
        // Page through ready jobs so that jobs blocked by a limit do not starve the ones behind them.
        const page = limit * 4 + 4;
        for (let offset = 0; taken < limit && offset < MAX_CLAIM_SCAN; offset += page) {
          const candidates = ready.all(now, page, offset) as Candidate[];
          for (const row of candidates) {
            if (taken >= limit) break;
            const resources = row.resources ? (JSON.parse(row.resources) as string[]) : [];
            if (isRemoteJob(resources) !== remote) continue;
            if ((row.reserved_for !== null && row.reserved_for !== owner) || !accept({ id: row.id, kind: row.kind, reserved: row.reserved_for !== null }) || !tracker.fits({ kind: row.kind, resources })) continue;
            const started = this.st.start.get(owner, now + leaseMs, now, now, row.id) as JobValues | undefined;
            if (!started) continue;
            tracker.add({ kind: row.kind, resources });
            taken++;
            const job = toJob(started);
            this.log(job, 'started', { attempt: job.attempts, owner });
            claimed.push(job);
          }
          if (candidates.length < page) break;
        }
      };
      // Jobs that run here fill `max` slots; jobs that wait on another engine fill `remoteMax`,
      // found through their own index so that a long local queue is not scanned for them.
      if (max > 0) claimFrom(this.st.ready, false, max);
      if (remoteMax > 0) claimFrom(this.st.readyRemote, true, remoteMax);
      return claimed;
    });
  }

  /**
   * Extends the given leases. Returns the ones that are no longer held (expired and taken
   * back, or finished by someone else: their handlers must stop) and the ones someone asked
   * to cancel.
   */
  heartbeat(leases: readonly Lease[], leaseMs: number): { lost: number[]; cancel: number[] } {
    if (leases.length === 0) return { lost: [], cancel: [] };
    return this.write(() => {
      const now = this.now();
      const lost: number[] = [];
      const cancel: number[] = [];
      for (const l of leases) {
        const row = this.st.heartbeat.get(now + leaseMs, now, l.id, l.owner, l.attempt) as { cancel_requested: number } | undefined;
        if (!row) lost.push(l.id);
        else if (row.cancel_requested === 1) cancel.push(l.id);
      }
      return { lost, cancel };
    });
  }

  /** Records progress; `persist` also stores it and appends it to the log (throttled by the runner). */
  progress(id: number, kind: string, data: unknown, persist: boolean): void {
    const now = this.now();
    if (!persist) {
      this.bus.announceLive<'job'>({ topic: 'job', jobId: id, kind, type: 'progress', at: now, data });
      return;
    }
    this.write(() => {
      this.st.setProgress.run(JSON.stringify(data), now, id);
      // Progress is no change a rule reacts to: appended without a snapshot.
      this.bus.append<'job'>({ topic: 'job', jobId: id, kind, type: 'progress', at: now, data }, id);
    });
  }

  /**
   * Records how attempts ended, in one transaction (the runner batches them). Each outcome
   * is its own savepoint: one that cannot be recorded as it is (a result that is not JSON)
   * is recorded as a permanent failure instead, and never takes the others down with it.
   */
  finish(outcomes: readonly Outcome[]): void {
    if (outcomes.length === 0) return;
    this.write(() => {
      for (const o of outcomes) {
        try {
          this.savepoint(() => this.finishOne(o));
        } catch (e) {
          const error: JobError = { code: 'INTERNAL', message: `the outcome of job ${o.id} (${o.type}) could not be recorded: ${(e as Error).message}` };
          this.savepoint(() => this.finishOne({ id: o.id, owner: o.owner, attempt: o.attempt, type: 'failed', error, retryable: false }));
        }
      }
    });
  }

  /**
   * Cancels a job: at once when it is not running (and every job waiting on it), else by
   * flagging it so its runner aborts the handler. Returns the job as it now stands.
   */
  cancel(id: number, reason = 'cancelled by request'): Job {
    return this.write(() => {
      const job = this.mustGet(id);
      if (job.state === 'succeeded' || job.state === 'dead') throw new RushesError('USAGE', `job ${id} is already ${job.state}; there is nothing to cancel`);
      if (job.state === 'running') {
        if (!job.cancelRequested) {
          this.st.requestCancel.run(this.now(), id);
          this.log(job, 'cancel-requested', { reason });
        }
      } else if (job.state === 'waiting' || job.state === 'queued') {
        this.cancelTree(job, { code: 'CANCELLED', message: reason });
      }
      return this.mustGet(id);
    });
  }

  /** Runs a dead or cancelled job again from attempt one, and revives what was cancelled because of it. */
  retry(id: number): Job {
    return this.write(() => {
      const job = this.mustGet(id);
      if (job.state !== 'dead' && job.state !== 'cancelled') {
        throw new RushesError('USAGE', `job ${id} is ${job.state}; only dead or cancelled jobs can be retried`);
      }
      this.revive(job);
      return this.mustGet(id);
    });
  }

  /** Puts running jobs whose lease ran out back in the queue (or dead, if out of attempts). */
  requeueExpired(): number {
    return this.write(() => {
      const jobs = (this.st.expired.all(this.now()) as JobValues[]).map(toJob);
      for (const job of jobs) this.requeueLost(job, 'its lease expired');
      return jobs.length;
    });
  }

  /**
   * Same, for jobs leased by owners known to be dead (a daemon that was killed), without
   * waiting for the lease; and jobs reserved for a command that is gone are cancelled.
   */
  requeueOwnedBy(isDead: (owner: string) => boolean): number {
    return this.write(() => {
      const lost = (this.st.running.all() as JobValues[]).map(toJob).filter((j) => j.leaseOwner !== undefined && isDead(j.leaseOwner));
      for (const job of lost) this.requeueLost(job, `its worker ${job.leaseOwner} is gone`);
      const orphans = (this.st.reservedWaiting.all() as JobValues[]).map(toJob).filter((j) => isDead(j.reservedFor!));
      for (const job of orphans) this.cancelTree(job, commandGone(job.reservedFor!));
      return lost.length + orphans.length;
    });
  }

  /** Runs several queue calls as one transaction (the runner records outcomes and claims the freed slots together). */
  transaction<T>(fn: () => T): T {
    return this.write(fn);
  }

  /** Appends an event that changes no state (a refused rule, say) to the job's log. */
  note(job: Job, type: JobEventType, data?: unknown): void {
    this.write(() => this.log(job, type, data));
  }

  // ---- reading ------------------------------------------------------------------------

  get(id: number): Job | undefined {
    const row = this.st.get.get(id) as JobValues | undefined;
    return row && toJob(row);
  }

  list(filter: ListFilter = {}): Job[] {
    if (filter.payload && !/^[A-Za-z_]\w*$/.test(filter.payload.field)) throw new RushesError('USAGE', `"${filter.payload.field}" is not a payload field name`);
    const rows = this.st.list.all({
      state: filter.state ?? null,
      kind: filter.kind ?? null,
      before: filter.beforeId ?? Number.MAX_SAFE_INTEGER,
      limit: Math.min(filter.limit ?? 100, 10_000),
      field: filter.payload ? `$.${filter.payload.field}` : null,
      equals: filter.payload?.equals ?? null,
    }) as JobValues[];
    return rows.map(toJob);
  }

  parentsOf(id: number): number[] {
    return (this.st.parents.all(id) as { parent: number }[]).map((r) => r.parent);
  }

  childrenOf(id: number): number[] {
    return (this.st.children.all(id) as { child: number }[]).map((r) => r.child);
  }

  /** The persisted job events, oldest first, after `afterSeq`; optionally of one job. */
  events(filter: { afterSeq?: number; jobId?: number; limit?: number } = {}): JobEvent[] {
    return this.bus.replay({ topics: ['job'], subject: filter.jobId, afterSeq: filter.afterSeq, limit: filter.limit }) as JobEvent[];
  }

  /** The newest position in the event log (0 when empty): where a live stream starts. */
  lastSeq(): number {
    return this.bus.lastSeq();
  }

  counts(): Record<JobState, number> {
    const out: Record<JobState, number> = { waiting: 0, queued: 0, running: 0, succeeded: 0, dead: 0, cancelled: 0 };
    for (const r of this.st.counts.all() as { state: JobState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /** When the next job that is queued but not yet due becomes due, if any. */
  nextRunAfter(): number | undefined {
    const r = this.st.nextDue.get(this.now()) as { t: number | null } | undefined;
    return r?.t ?? undefined;
  }

  // ---- internals ----------------------------------------------------------------------

  private mustGet(id: number): Job {
    const job = this.get(id);
    if (!job) throw new RushesError('USAGE', `no job ${id}`);
    return job;
  }

  /** Runs `fn` in an IMMEDIATE transaction (or inside the open one); its events are announced after commit. */
  private write<T>(fn: () => T): T {
    return this.bus.transaction(fn);
  }

  /** Runs `fn` inside the open transaction as a savepoint: if it throws, only its own writes and events are undone. */
  private savepoint<T>(fn: () => T): T {
    return this.bus.savepoint(fn);
  }

  /** Appends an event; the workflow's rules respond in the same transaction, given the job as it now stands. */
  private log(job: Job, type: JobEventType, data?: unknown): void {
    this.bus.append<'job'>({ topic: 'job', jobId: job.id, kind: job.kind, type, data }, job.id, job);
  }

  private insert(spec: JobSpec): Enqueued {
    if (!spec.kind) throw new RushesError('USAGE', 'a job needs a kind');
    const now = this.now();
    if (spec.idempotencyKey !== undefined) {
      const existing = this.st.byKey.get(spec.idempotencyKey) as { id: number } | undefined;
      if (existing) return { id: existing.id, created: false };
    }
    const parents = [...new Set([...(spec.parents ?? []), ...(spec.parentKeys ?? []).map((k) => this.idForKey(k))])];
    let pending = 0;
    let cancelledParent: Job | undefined;
    for (const p of parents) {
      const parent = this.mustGet(p);
      if (parent.state === 'cancelled') cancelledParent = parent;
      if (parent.state !== 'succeeded') pending++;
    }
    const state: JobState = pending > 0 ? 'waiting' : 'queued';
    const id = Number(
      this.st.insert.run({
        kind: spec.kind,
        payload: JSON.stringify(spec.payload ?? null),
        state,
        priority: spec.priority ?? 0,
        run_after: spec.runAfter ?? now,
        max_attempts: Math.max(1, spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
        key: spec.idempotencyKey ?? null,
        resources: spec.resources?.length ? JSON.stringify(spec.resources) : null,
        reserved: spec.reservedFor ?? null,
        depth: spec.depth ?? 0,
        pending,
        now,
      }).lastInsertRowid,
    );
    for (const p of parents) this.st.addDep.run(id, p);
    const job: Job = {
      id,
      kind: spec.kind,
      payload: spec.payload ?? null,
      state,
      priority: spec.priority ?? 0,
      runAfter: spec.runAfter ?? now,
      attempts: 0,
      maxAttempts: Math.max(1, spec.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      idempotencyKey: spec.idempotencyKey,
      resources: spec.resources ?? [],
      depth: spec.depth ?? 0,
      pendingParents: pending,
      reservedFor: spec.reservedFor,
      cancelRequested: false,
      createdAt: now,
      updatedAt: now,
    };
    this.log(job, 'created', parents.length ? { parents } : undefined);
    if (cancelledParent) this.cancelTree(job, { code: 'PARENT_CANCELLED', message: `job ${cancelledParent.id} it waits for was cancelled` });
    return { id, created: true };
  }

  private idForKey(key: string): number {
    const row = this.st.byKey.get(key) as { id: number } | undefined;
    if (!row) throw new RushesError('USAGE', `no job with idempotency key ${key}`);
    return row.id;
  }

  private finishOne(o: Outcome): void {
    const now = this.now();
    if (o.type === 'succeeded') {
      // The common outcome in one statement: the update only applies while the attempt still holds its lease.
      const row = this.st.succeed.get(o.result === undefined ? null : JSON.stringify(o.result), now, now, o.id, o.owner, o.attempt) as JobValues | undefined;
      if (!row) return;
      // Children count down before the rules react: a child a rule adds now already sees this parent done.
      for (const child of this.childrenOf(o.id)) this.st.parentDone.run(now, child);
      this.log(toJob(row), 'succeeded', o.result === undefined ? undefined : { result: o.result });
      return;
    }
    const job = this.get(o.id);
    // A lease lost to another worker or attempt means this outcome no longer counts.
    if (!job || job.state !== 'running' || job.leaseOwner !== o.owner || job.attempts !== o.attempt) return;
    switch (o.type) {
      case 'failed': {
        if (job.cancelRequested) {
          // It failed on its way out of a cancel: what the person asked for is what happened.
          this.cancelTree(job, { code: 'CANCELLED', message: `cancelled by request (the attempt ended with: ${o.error.message})` });
          return;
        }
        const error = JSON.stringify(o.error);
        if (o.retryable && job.attempts < job.maxAttempts) {
          const runAfter = now + backoffDelay(job.attempts, this.backoff, this.random);
          this.st.retryLater.run(error, runAfter, now, o.id);
          this.log(job, 'failed', { error: o.error, attempt: job.attempts, retryAt: runAfter });
        } else {
          this.st.die.run(error, now, now, o.id);
          this.log(job, 'failed', { error: o.error, attempt: job.attempts });
          this.log({ ...job, state: 'dead', lastError: o.error }, 'dead', { error: o.error, attempts: job.attempts });
        }
        return;
      }
      case 'cancelled':
        this.cancelTree(job, o.error ?? { code: 'CANCELLED', message: 'cancelled by request' });
        return;
      case 'released':
        this.st.release.run(now, o.id);
        this.log(job, 'requeued', { reason: 'released at shutdown' });
        return;
    }
  }

  private requeueLost(job: Job, why: string): void {
    const now = this.now();
    if (job.reservedFor !== undefined) {
      this.cancelTree(job, commandGone(job.reservedFor));
    } else if (job.cancelRequested) {
      this.cancelTree(job, { code: 'CANCELLED', message: `cancelled; ${why}` });
    } else if (job.attempts >= job.maxAttempts) {
      const error: JobError = { code: 'LEASE_LOST', message: `attempt ${job.attempts} never finished: ${why}` };
      this.st.die.run(JSON.stringify(error), now, now, job.id);
      this.log({ ...job, state: 'dead', lastError: error }, 'dead', { error, attempts: job.attempts });
    } else {
      this.st.requeue.run(now, job.id);
      this.log(job, 'requeued', { reason: why, owner: job.leaseOwner });
    }
  }

  /** Cancels `job` and, transitively, every job still waiting on it. */
  private cancelTree(job: Job, error: JobError): void {
    const now = this.now();
    this.st.cancel.run(JSON.stringify(error), now, now, job.id);
    this.log({ ...job, state: 'cancelled' }, 'cancelled', { error });
    for (const childId of this.childrenOf(job.id)) {
      const child = this.mustGet(childId);
      if (child.state === 'waiting') this.cancelTree(child, { code: 'PARENT_CANCELLED', message: `job ${job.id} it waits for was cancelled` });
    }
  }

  private revive(job: Job): void {
    const now = this.now();
    const pending = this.parentsOf(job.id).filter((p) => this.mustGet(p).state !== 'succeeded').length;
    this.st.revive.run(pending > 0 ? 'waiting' : 'queued', pending, now, now, job.id);
    this.log(job, 'retried', { from: job.state });
    for (const childId of this.childrenOf(job.id)) {
      const child = this.mustGet(childId);
      if (child.state !== 'cancelled' || child.lastError?.code !== 'PARENT_CANCELLED') continue;
      // A child another cancelled parent still holds back stays cancelled until that one is retried too.
      const otherCancelled = this.parentsOf(childId).some((p) => p !== job.id && this.mustGet(p).state === 'cancelled');
      if (!otherCancelled) this.revive(child);
    }
  }
}

/** Why a command's job ends when the command is gone: it runs only in that command, and running it again resumes. */
function commandGone(owner: string): JobError {
  return { code: 'CANCELLED', message: `the command that ran it (${owner}) is gone; run it again to resume` };
}

function prepare(db: Db) {
  const s = (sql: string): Database.Statement => db.prepare(sql);
  /** A statement that reads whole job rows as JobValues. */
  const whole = (sql: string): Database.Statement => db.prepare(sql).raw(true);
  return {
    insert: s(`INSERT INTO jobs (kind, payload, state, priority, run_after, max_attempts, idempotency_key, resources, reserved_for, depth, pending_parents, created_at, updated_at)
               VALUES (@kind, @payload, @state, @priority, @run_after, @max_attempts, @key, @resources, @reserved, @depth, @pending, @now, @now)`),
    addDep: s(`INSERT OR IGNORE INTO job_deps (child, parent) VALUES (?, ?)`),
    byKey: s(`SELECT id FROM jobs WHERE idempotency_key = ?`),
    get: whole(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`),
    list: whole(`SELECT ${JOB_COLUMNS} FROM jobs WHERE (@state IS NULL OR state = @state) AND (@kind IS NULL OR kind = @kind) AND id < @before
             AND (@field IS NULL OR json_extract(payload, @field) = @equals)
             ORDER BY id DESC LIMIT @limit`),
    parents: s(`SELECT parent FROM job_deps WHERE child = ? ORDER BY parent`),
    children: s(`SELECT child FROM job_deps WHERE parent = ? ORDER BY child`),
    counts: s(`SELECT state, count(*) AS n FROM jobs GROUP BY state`),
    nextDue: s(`SELECT min(run_after) AS t FROM jobs INDEXED BY jobs_due WHERE state = 'queued' AND run_after > ?`),
    // Candidates carry only what the choice needs: reading whole rows (payloads) of a page of them cost five times as much.
    ready: s(`SELECT id, kind, resources, reserved_for FROM jobs INDEXED BY jobs_ready WHERE state = 'queued' AND run_after <= ? ORDER BY priority DESC, run_after, id LIMIT ? OFFSET ?`),
    readyRemote: s(`SELECT id, kind, resources, reserved_for FROM jobs INDEXED BY jobs_ready_remote WHERE state = 'queued' AND instr(resources, '"remote:') > 0 AND run_after <= ? ORDER BY priority DESC, run_after, id LIMIT ? OFFSET ?`),
    runningKinds: s(`SELECT kind, resources FROM jobs INDEXED BY jobs_running WHERE state = 'running'`),
    running: whole(`SELECT ${JOB_COLUMNS} FROM jobs WHERE state = 'running'`),
    reservedWaiting: whole(`SELECT ${JOB_COLUMNS} FROM jobs WHERE reserved_for IS NOT NULL AND state IN ('queued', 'waiting')`),
    expired: whole(`SELECT ${JOB_COLUMNS} FROM jobs INDEXED BY jobs_running WHERE state = 'running' AND lease_expires < ?`),
    start: whole(`UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?, lease_expires = ?, started_at = ?, updated_at = ?
              WHERE id = ? AND state = 'queued' RETURNING ${JOB_COLUMNS}`),
    heartbeat: s(`UPDATE jobs SET lease_expires = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ?
                  RETURNING cancel_requested`),
    setProgress: s(`UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ?`),
    succeed: whole(`UPDATE jobs SET state = 'succeeded', result = ?, lease_owner = NULL, lease_expires = NULL, finished_at = ?, updated_at = ?
                WHERE id = ? AND state = 'running' AND lease_owner = ? AND attempts = ? RETURNING ${JOB_COLUMNS}`),
    parentDone: s(`UPDATE jobs SET pending_parents = pending_parents - 1,
                     state = CASE WHEN state = 'waiting' AND pending_parents = 1 THEN 'queued' ELSE state END,
                     updated_at = ? WHERE id = ?`),
    retryLater: s(`UPDATE jobs SET state = 'queued', last_error = ?, run_after = ?, lease_owner = NULL, lease_expires = NULL, updated_at = ? WHERE id = ?`),
    die: s(`UPDATE jobs SET state = 'dead', last_error = ?, lease_owner = NULL, lease_expires = NULL, finished_at = ?, updated_at = ? WHERE id = ?`),
    cancel: s(`UPDATE jobs SET state = 'cancelled', last_error = ?, lease_owner = NULL, lease_expires = NULL, finished_at = ?, updated_at = ? WHERE id = ?`),
    requestCancel: s(`UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?`),
    release: s(`UPDATE jobs SET state = 'queued', attempts = attempts - 1, lease_owner = NULL, lease_expires = NULL, updated_at = ? WHERE id = ?`),
    requeue: s(`UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires = NULL, updated_at = ? WHERE id = ?`),
    revive: s(`UPDATE jobs SET state = ?, pending_parents = ?, attempts = 0, cancel_requested = 0, run_after = ?, finished_at = NULL, updated_at = ? WHERE id = ?`),
  };
}
