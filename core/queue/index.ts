export * from './types.ts';
export { JobQueue, type Outcome, type ListFilter, type QueueOptions } from './queue.ts';
export { Runner, PermanentJobError, jobError, isRetryable, type JobContext, type JobHandler, type RunnerOptions } from './runner.ts';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
export type { Limits } from './limits.ts';
