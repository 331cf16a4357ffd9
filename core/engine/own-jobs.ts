/**
 * A job a command runs itself: `rushes offload` and `rushes render` put their work in the
 * queue like the daemon's (the same records, events and volume limits), reserved for this
 * process's runner, and follow it to its end. A first Ctrl-C cancels it at its next
 * checkpoint; if the command dies, the job is cancelled rather than run by someone else
 * (the person runs the command again to resume).
 */
import { isErrorCode, RushesError } from '../errors.ts';
import type { EventBus } from '../events/bus.ts';
import type { BusEvent } from '../events/types.ts';
import { FINAL_STATES, type Job, type JobQueue, type JobSpec } from '../queue/index.ts';

/** The error a job that did not succeed ended with, as a RushesError the CLI maps to its exit code. */
export function jobFailure(job: Job): RushesError {
  const e = job.lastError;
  const code = e && isErrorCode(e.code) ? e.code : job.state === 'cancelled' ? 'CANCELLED' : 'ERROR';
  return new RushesError(code, e?.message ?? `job ${job.id} ended ${job.state}`, { path: e?.path });
}

/** Whether a bus event is about this job: its own events, or its service's events that carry its id. */
function about(e: BusEvent, id: number): boolean {
  return (e.topic === 'job' ? e.jobId : (e as { jobId?: number }).jobId) === id;
}

/**
 * Enqueues `spec` reserved for `owner` and resolves with the job once it is final. The
 * runner of `owner` (started by the caller) runs it when the limits let it, trying it
 * `spec.maxAttempts` times (default once).
 */
export function runOwnJob(queue: JobQueue, bus: EventBus, owner: string, spec: JobSpec, o: { signal?: AbortSignal; onEvent?: (e: BusEvent) => void } = {}): Promise<Job> {
  o.signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    let id = 0;
    const finish = () => {
      unsubscribe();
      o.signal?.removeEventListener('abort', onAbort);
      resolve(queue.get(id)!);
    };
    const unsubscribe = bus.subscribe((e) => {
      if (!id || !about(e, id)) return;
      o.onEvent?.(e);
      if (e.topic === 'job' && FINAL_STATES.has(queue.get(id)?.state ?? 'queued')) finish();
    });
    const onAbort = () => {
      const job = queue.get(id);
      if (job && !FINAL_STATES.has(job.state)) queue.cancel(id, 'cancelled by Ctrl-C');
    };
    try {
      id = queue.enqueue({ ...spec, reservedFor: owner, maxAttempts: spec.maxAttempts ?? 1 }).id;
    } catch (e) {
      unsubscribe();
      reject(e);
      return;
    }
    o.signal?.addEventListener('abort', onAbort, { once: true });
    // Final already (a job with this idempotency key had ended): nothing more will come.
    if (FINAL_STATES.has(queue.get(id)!.state)) finish();
  });
}
