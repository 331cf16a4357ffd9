/**
 * One way to turn whatever went wrong into the FailureReport an offload names in its events
 * and summary, so every step (survey, plan, copy, check, finish) words it the same.
 */
import { errorRecord } from '../errors.ts';
import type { FailureReport } from './events.ts';

/** `e` as a report about `path` (the error's own path wins), on `destination` when it is about one. */
export function failureReport(e: unknown, path: string, destination?: string): FailureReport {
  const r = errorRecord(e, path);
  return { path: r.path ?? path, destination, code: r.code, message: r.message };
}
