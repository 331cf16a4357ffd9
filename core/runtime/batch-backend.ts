/**
 * The `aws-batch` backend: each invocation an AWS Batch job of the worker image, on the job
 * queue the config names, with the job definition registered for it (./batch-jobs.ts). The
 * job reads and writes the store itself (./remote-task.ts) and answers with its result record,
 * written last beside its outputs (./result-record.ts): Batch keeps no stdout, and the job's
 * status says only whether it succeeded. Runs that arrive together for one output folder (a
 * turnover's plates) go as one array job, each child running its own invocation; each run
 * still follows its own child, so a child that fails is retried by the queue alone. Cancel
 * and the deadline terminate the job.
 */
import type { BatchClient, JobDetail } from '@aws-sdk/client-batch';
import { RushesError } from '../errors.ts';
import type { BatchSettings } from './batch-jobs.ts';
import type { ExecuteOptions, Executor } from './executor.ts';
import { containerFailure, DEFAULT_TIMEOUT_MS } from './lockdown.ts';
import type { Invocation } from './protocol.ts';
import { readResultRecord, resultUri } from './result-record.ts';
import { invocationEnv, prepareTask, taskState, type RemoteTask } from './remote-task.ts';

export interface BatchOptions extends BatchSettings {
  /** Runs for one output folder that arrive within this long of each other go as one array job (default 250 ms; 0: never). */
  arrayWindowMs?: number;
  /** How often the jobs' states are asked for (default 2 s). */
  pollMs?: number;
}

/** The AWS SDK's Batch client, loaded when the first job is handed over (an engine that never uses Batch never loads it). */
type BatchJobs = typeof import('./batch-jobs.ts');
let batchJobs: Promise<BatchJobs> | undefined;
const loadBatchJobs = () => (batchJobs ??= import('./batch-jobs.ts'));

/** States a job does not leave. */
const JOB_FINAL = new Set(['SUCCEEDED', 'FAILED']);

/** A job's exit code where Batch reports one (AWS does; moto does not). */
function exitCodeOf(j: JobDetail): number | undefined {
  return j.container?.exitCode ?? j.attempts?.at(-1)?.container?.exitCode;
}

/** Batch takes arrays of 2 to 10,000 children. */
const MAX_ARRAY = 10_000;
/** After a terminate, how long to wait for Batch to say the job is over. */
const TERMINATE_WAIT_MS = 60_000;

interface Pending {
  task: RemoteTask;
  timeoutMs: number;
  submitted: (job: { id: string; run: string }) => void;
  failed: (e: unknown) => void;
}

export function batchBackend(options: BatchOptions = {}): Executor {
  let client: BatchClient | undefined;
  let watch: ReturnType<BatchJobs['jobWatch']> | undefined;
  // Set once the SDK is loaded (by `definition`, before any job is submitted or followed).
  let jobs!: BatchJobs;
  const clientOf = () => (client ??= jobs.batchClient(options));
  const watchOf = () => (watch ??= jobs.jobWatch(clientOf(), options.pollMs ?? 2000));
  let ready: Promise<string> | undefined;
  // The queue is checked and the definition registered once per backend, again after a failure.
  const definition = () =>
    (ready ??= (async () => {
      jobs = await loadBatchJobs();
      await jobs.assertQueue(clientOf(), options.jobQueue);
      return jobs.ensureJobDefinition(clientOf(), options);
    })().catch((e: unknown) => {
      ready = undefined;
      throw e;
    }));

  const groups = new Map<string, Pending[]>();
  const windowMs = options.arrayWindowMs ?? 250;

  /** Submits what gathered for one output folder: alone as a job, together as an array job. */
  async function submit(runs: Pending[]): Promise<void> {
    try {
      const first = runs[0]!.task;
      const timeoutMs = Math.max(...runs.map((r) => r.timeoutMs));
      const common = { queue: options.jobQueue!, definition: await definition(), timeoutMs };
      if (runs.length === 1) {
        const id = await jobs.submitJob(clientOf(), { ...common, name: `rushes-${first.invocation.id}`, env: { ...first.env, RUSHES_FN_INVOCATION: await invocationEnv(first) } });
        runs[0]!.submitted({ id, run: first.run });
        return;
      }
      // One run name for every child: each writes it into its own result record.
      const env = { ...first.env, RUSHES_FN_INVOCATION: await invocationEnv(first, runs.map((r) => r.task.invocation)) };
      const id = await jobs.submitJob(clientOf(), { ...common, name: `rushes-${first.invocation.fn}-array-${runs.length}`, env, arraySize: runs.length });
      runs.forEach((r, i) => r.submitted({ id: `${id}:${i}`, run: first.run }));
    } catch (e) {
      for (const r of runs) r.failed(e);
    }
  }

  /** The job a run's task becomes: gathered with others for the same folder, or alone. */
  function jobFor(task: RemoteTask, timeoutMs: number): Promise<{ id: string; run: string }> {
    return new Promise((submitted, failed) => {
      const run: Pending = { task, timeoutMs, submitted, failed };
      if (windowMs <= 0) return void submit([run]);
      const key = task.invocation.output!.uri;
      const group = groups.get(key);
      if (group) {
        group.push(run);
        if (group.length >= MAX_ARRAY) {
          groups.delete(key);
          void submit(group);
        }
        return;
      }
      groups.set(key, [run]);
      setTimeout(() => {
        const gathered = groups.get(key);
        if (gathered?.[0] !== run) return;
        groups.delete(key);
        void submit(gathered);
      }, windowMs);
    });
  }

  /** Follows a job to its end; a stop terminates it and waits (a while) for Batch to say it is over. */
  function follow(id: string, o: ExecuteOptions, stop: AbortSignal): Promise<JobDetail> {
    return new Promise((resolve, reject) => {
      let stopping = false;
      const unwatch = watchOf().watch(id, (j) => {
        if (!JOB_FINAL.has(j.status ?? '')) return void (stopping || o.onProgress?.(taskState('aws-batch', id, j.status ?? 'SUBMITTED')));
        unwatch();
        stop.removeEventListener('abort', onStop);
        if (stopping) reject(stop.reason);
        else resolve(j);
      });
      const onStop = () => {
        stopping = true;
        const why = stop.reason instanceof Error ? stop.reason.message : String(stop.reason);
        const gaveUp = setTimeout(() => {
          unwatch();
          reject(stop.reason);
        }, TERMINATE_WAIT_MS);
        gaveUp.unref();
        jobs.terminateJob(clientOf(), id, why).catch(() => undefined);
      };
      if (stop.aborted) onStop();
      else stop.addEventListener('abort', onStop, { once: true });
    });
  }

  return {
    backend: 'aws-batch',
    async run<R>(inv: Invocation, o: ExecuteOptions = {}): Promise<R> {
      o.signal?.throwIfAborted();
      await definition();
      const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const task = await prepareTask(inv, 'aws-batch', { timeoutMs, env: options.env, signal: o.signal });
      const what = `${inv.fn} of ${inv.input.uri}`;
      const job = await jobFor(task, timeoutMs);
      o.onProgress?.(taskState('aws-batch', job.id, 'SUBMITTED'));
      const stop = new AbortController();
      const onAbort = () => stop.abort(o.signal!.reason instanceof Error ? o.signal!.reason : new Error('cancelled'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => stop.abort(new RushesError('RENDER_TIMEOUT', `${what} took longer than ${Math.round(timeoutMs / 1000)} s; its AWS Batch job ${job.id} was terminated`)), timeoutMs);
      try {
        if (o.signal?.aborted) onAbort();
        const done = await follow(job.id, o, stop.signal);
        if (done.status === 'FAILED') throw jobFailure(done, what);
        const out = task.invocation.output!.uri;
        const record = await readResultRecord<R>(out, inv.id);
        if (record?.run !== job.run)
          throw new RushesError('TASK_LOST', `AWS Batch job ${job.id} running ${what} succeeded, but ${resultUri(out, inv.id)} ${record ? "is another run's" : 'is missing'}: its outputs are not taken as finished`);
        return record.result;
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

/**
 * Why a job failed: its exit code where Batch reports one (AWS does) stands for the function's
 * error; without one (moto, a job that never started), the task is lost and worth another try.
 */
function jobFailure(j: JobDetail, what: string): RushesError {
  const exit = exitCodeOf(j);
  const reason = j.statusReason ?? j.attempts?.at(-1)?.statusReason ?? 'no reason given';
  const log = j.container?.logStreamName ? `; its log: ${j.container.logStreamName}` : '';
  if (exit === undefined) return new RushesError('TASK_LOST', `AWS Batch job ${j.jobId} running ${what} failed without an exit code (${reason})${log}`);
  const e = containerFailure(exit, undefined, what, undefined, { code: 'TASK_LOST', why: 'stopped from outside, out of its memory, or its instance went away' });
  return new RushesError(e.code, `AWS Batch job ${j.jobId} failed (${reason}): ${e.message}${log}`);
}
