export * from './types.ts';
export { JobQueue, type Outcome, type Lease, type ListFilter, type QueueOptions } from './queue.ts';
export { Runner, isRetryable, handles, type Handlers, ABORT_CANCEL, ABORT_SHUTDOWN, ABORT_LEASE_LOST, type JobContext, type JobHandler, type RunnerOptions } from './runner.ts';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
export { isRemoteJob, REMOTE_CLASS, type Limits } from './limits.ts';
