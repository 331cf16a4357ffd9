/** The job model shared by the queue, the runner, the rules, the API and the CLI. */
import type { ErrorRecord } from '../errors.ts';

export type JobState = 'waiting' | 'queued' | 'running' | 'succeeded' | 'dead' | 'cancelled';
export const JOB_STATES: readonly JobState[] = ['waiting', 'queued', 'running', 'succeeded', 'dead', 'cancelled'];
/** States a job never leaves on its own (retry and cancel are explicit). */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'dead', 'cancelled']);

export type JobEventType =
  | 'created'
  | 'started'
  | 'progress'
  | 'succeeded'
  | 'failed' // an attempt failed; data says whether it will be retried and when
  | 'dead' // no attempts left (or the error is permanent); lastError keeps why
  | 'cancelled'
  | 'cancel-requested'
  | 'requeued' // a lease expired or its worker died, or a shutdown released it
  | 'retried' // a person asked to run a dead or cancelled job again
  | 'rule-refused' // a workflow rule tried to go deeper than the loop guard allows
  | 'rule-failed'; // a workflow rule threw; what it did was rolled back, the event itself stands

/** Why an attempt failed, as the job keeps it. */
export type JobError = ErrorRecord;

/** What a caller asks for. Everything but `kind` has a default. */
export interface JobSpec {
  kind: string;
  payload?: unknown;
  /** Higher runs first. Default 0. */
  priority?: number;
  /** Milliseconds since the epoch; the job is not started before. Default now. */
  runAfter?: number;
  /** Attempts before the job is dead. Default 3. */
  maxAttempts?: number;
  /** The same key always names the same job: enqueueing it again returns the existing one. */
  idempotencyKey?: string;
  /** Keys the job holds while it runs, each limited by the runner (e.g. `volume:2049`). */
  resources?: string[];
  /** Jobs this one waits for, by id… */
  parents?: number[];
  /** …or by idempotency key (resolved in the same transaction, so a batch can fan in). */
  parentKeys?: string[];
  /** How many rule steps led here; the workflow's loop guard. */
  depth?: number;
  /**
   * Only the runner of this owner may run it: a command (`rushes offload`) runs its own job
   * in-process. If that command dies, the job is cancelled rather than left to another runner:
   * the person runs the command again to resume.
   */
  reservedFor?: string;
}

/**
 * Job kinds with their payload and result, each declared beside the service that runs it
 * (module augmentation), so the queue knows none of them while handlers and rules are typed:
 *
 *   declare module '../queue/types.ts' {
 *     interface JobKinds { offload: { payload: OffloadPayload; result: OffloadJobResult } }
 *   }
 */
export interface JobKinds {}

export type JobKind = Extract<keyof JobKinds, string>;
type Declared<K, F extends 'payload' | 'result'> = K extends JobKind ? (JobKinds[K] extends Record<F, infer T> ? T : never) : unknown;
export type PayloadOf<K extends string> = Declared<K, 'payload'>;
export type ResultOf<K extends string> = Declared<K, 'result'>;

/** A job of one kind: its payload and result as that kind declares them. */
export interface JobOf<K extends string> extends Job {
  kind: K;
  payload: PayloadOf<K>;
  result?: ResultOf<K>;
}

export function isJobOf<K extends JobKind>(job: Job, kind: K): job is JobOf<K> {
  return job.kind === kind;
}

/** A job spec whose payload is checked against its kind's. */
export function jobSpec<K extends JobKind>(kind: K, payload: PayloadOf<K>, rest: Omit<JobSpec, 'kind' | 'payload'> = {}): JobSpec {
  return { ...rest, kind, payload };
}

export interface Job {
  id: number;
  kind: string;
  payload: unknown;
  state: JobState;
  priority: number;
  runAfter: number;
  attempts: number;
  maxAttempts: number;
  idempotencyKey?: string;
  resources: string[];
  depth: number;
  pendingParents: number;
  reservedFor?: string;
  leaseOwner?: string;
  leaseExpires?: number;
  cancelRequested: boolean;
  progress?: unknown;
  result?: unknown;
  lastError?: JobError;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  updatedAt: number;
}

export interface JobEvent {
  topic: 'job';
  /** Position in the append-only log; absent for progress updates that were not persisted. */
  seq?: number;
  jobId: number;
  kind: string;
  type: JobEventType;
  at: number;
  data?: unknown;
}

declare module '../events/types.ts' {
  interface EventMap {
    job: Omit<JobEvent, 'topic' | 'seq' | 'at'>;
  }
  interface SnapshotMap {
    job: Job;
  }
}

export interface Enqueued {
  id: number;
  /** False when the idempotency key named a job that already existed. */
  created: boolean;
}
