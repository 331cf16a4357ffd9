/**
 * Workflow rules: an event and a condition map to the jobs to enqueue next. Rules are
 * data plus pure functions, so they are tested without a queue; `attachRules` runs them
 * inside the transaction that records the event, so a crash can never keep the event and
 * lose its follow-up jobs (or the reverse).
 *
 * Two guards keep a rule from looping: every follow-up job's idempotency key is derived
 * from the rule, the triggering job and the follow-up's own key, so the same event can
 * never enqueue twice; and each job carries its depth in the chain, which may not exceed
 * `maxDepth`.
 */
import type { JobQueue } from '../queue/queue.ts';
import type { Job, JobEvent, JobEventType, JobSpec } from '../queue/types.ts';

/** A job a rule asks for. `key` names it among this rule's jobs for one event; `after` lists sibling keys it waits for (fan-in). */
export interface FollowUp extends Omit<JobSpec, 'idempotencyKey' | 'depth' | 'parentKeys'> {
  key: string;
  after?: string[];
}

export interface Rule {
  name: string;
  /** The event type and job kind that trigger the rule. */
  on: { type: JobEventType; kind: string };
  /** Job kinds the rule enqueues; a rule is only enabled where all of them have handlers. */
  produces: string[];
  when?: (job: Job, event: JobEvent) => boolean;
  then: (job: Job, event: JobEvent) => FollowUp[];
}

export const DEFAULT_MAX_DEPTH = 16;

export interface Plan {
  specs: JobSpec[];
  /** Rules that matched but would have gone deeper than the guard allows. */
  refused: string[];
}

/** Which jobs the rules ask for in response to `event` on `job`. Pure. */
export function plan(rules: readonly Rule[], event: JobEvent, job: Job, maxDepth = DEFAULT_MAX_DEPTH): Plan {
  const out: Plan = { specs: [], refused: [] };
  for (const rule of rules) {
    if (rule.on.type !== event.type || rule.on.kind !== job.kind) continue;
    if (rule.when && !rule.when(job, event)) continue;
    const followUps = rule.then(job, event);
    if (followUps.length === 0) continue;
    if (job.depth + 1 > maxDepth) {
      out.refused.push(rule.name);
      continue;
    }
    const keyOf = (k: string) => `rule:${rule.name}:${job.id}:${k}`;
    for (const { key, after, ...spec } of followUps) {
      out.specs.push({ ...spec, idempotencyKey: keyOf(key), parentKeys: after?.map(keyOf), depth: job.depth + 1 });
    }
  }
  return out;
}

/** The rules whose every produced kind has a handler here. */
export function enabledRules(rules: readonly Rule[], handledKinds: Iterable<string>): Rule[] {
  const kinds = new Set(handledKinds);
  return rules.filter((r) => r.produces.every((k) => kinds.has(k)));
}

/** Runs `rules` on every event the queue records, in the same transaction. */
export function attachRules(queue: JobQueue, rules: readonly Rule[], maxDepth = DEFAULT_MAX_DEPTH): void {
  if (rules.length === 0) return;
  queue.addReactor((event, job) => {
    const { specs, refused } = plan(rules, event, job, maxDepth);
    if (specs.length) queue.enqueueMany(specs);
    for (const name of refused) queue.note(job, 'rule-refused', { rule: name, depth: job.depth, maxDepth });
  });
}
