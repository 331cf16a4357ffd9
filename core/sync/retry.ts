/**
 * Sending a request again, the way links really fail: a store that is busy or down and a
 * link that drops are waited out with exponential backoff and jitter, for as long as the
 * give-up time allows (a link that is gone for minutes and returns costs only the wait);
 * a request whose bytes arrived corrupted is sent again at once, a few times; anything else
 * is final at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RushesError } from '../errors.ts';
import { causeText, describeRef, failureKind, syncError, type ObjectRef } from './errors.ts';

export interface RetryPolicy {
  /** The first wait after a transient failure; each further one doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A request that has failed transiently for this long, without one success, is given up (SYNC_UNREACHABLE). */
  giveUpAfterMs: number;
  /** Times a request is sent when the store keeps receiving other bytes than were sent (then SYNC_INTEGRITY). */
  integrityAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  giveUpAfterMs: 15 * 60_000,
  integrityAttempts: 3,
};

/** The wait before transient attempt `n` (0-based): half fixed, half random, so many uploads do not retry in step. */
export function backoffDelay(n: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(n, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** What a caller hears about a failure that will be retried (for logs and tests). */
export interface RetryNotice {
  what: string;
  ref: ObjectRef;
  kind: 'transient' | 'corrupt';
  cause: string;
  attempt: number;
  delayMs: number;
}

export interface RetryContext {
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (n: RetryNotice) => void;
}

export function cancelled(ref: ObjectRef, signal: AbortSignal): RushesError {
  return new RushesError('CANCELLED', `upload of ${describeRef(ref)} was cancelled`, { path: ref.path, cause: signal.reason });
}

/**
 * Runs `op` until it succeeds or fails for good. `what` names the request in messages
 * ("upload of part 3 of").
 */
export async function withRetry<T>(what: string, ref: ObjectRef, ctx: RetryContext, op: (attempt: number) => Promise<T>): Promise<T> {
  let transientSince: number | undefined;
  let transient = 0;
  let corrupt = 0;
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw cancelled(ref, ctx.signal);
    try {
      return await op(attempt);
    } catch (e) {
      if (ctx.signal?.aborted) throw cancelled(ref, ctx.signal);
      const kind = failureKind(e);
      if (kind === 'final') throw syncError(e, what, ref);
      if (kind === 'corrupt') {
        corrupt++;
        if (corrupt >= ctx.policy.integrityAttempts) {
          throw new RushesError('SYNC_INTEGRITY', `${what} ${describeRef(ref)} failed: the store received other bytes than were sent, ${corrupt} times (${causeText(e)})`, { path: ref.path, cause: e });
        }
        ctx.onRetry?.({ what, ref, kind, cause: causeText(e), attempt, delayMs: 0 });
        continue;
      }
      const now = Date.now();
      transientSince ??= now;
      if (now - transientSince >= ctx.policy.giveUpAfterMs) {
        throw new RushesError(
          'SYNC_UNREACHABLE',
          `${what} ${describeRef(ref)} failed: the object store did not answer for ${Math.round((now - transientSince) / 100) / 10} s, giving up (${causeText(e)})`,
          { path: ref.path, cause: e },
        );
      }
      const delayMs = Math.min(backoffDelay(transient++, ctx.policy), Math.max(0, transientSince + ctx.policy.giveUpAfterMs - now));
      ctx.onRetry?.({ what, ref, kind, cause: causeText(e), attempt, delayMs });
      try {
        await sleep(delayMs, undefined, { signal: ctx.signal });
      } catch {
        throw cancelled(ref, ctx.signal!);
      }
    }
  }
}
