/**
 * Workflow rules: every "after X, do Y" of Rushes, as data. A rule names the events it
 * reacts to (a topic, event types, for jobs a kind) and maps the event and its subject (the
 * job, the card) to actions: jobs to enqueue, or a card to move to its next state. Rules are
 * pure, so they are tested without a queue; `attachRules` runs them inside the transaction
 * that records the event, so a crash can never keep the event and lose what follows from it
 * (or the reverse).
 *
 * Two guards keep a rule from looping: every follow-up job's idempotency key is derived
 * from the rule, the triggering event's subject and the follow-up's own key, so the same
 * event can never enqueue twice; and each job carries its depth in the chain, which may not
 * exceed `maxDepth`.
 */
import type { EventBus } from '../events/bus.ts';
import type { EventOf, SnapshotOf, Topic } from '../events/types.ts';
import type { JobQueue } from '../queue/queue.ts';
import type { Job, JobEvent, JobEventType, JobKind, JobOf, JobSpec } from '../queue/types.ts';
import type { Card, CardEvent, CardEventType, CardState, CardStore, CardUpdate } from '../watch/card-store.ts';

/** A job a rule asks for. `key` names it among this rule's jobs for one event; `after` lists sibling keys it waits for (fan-in). */
export interface FollowUp extends Omit<JobSpec, 'idempotencyKey' | 'depth' | 'parentKeys'> {
  key: string;
  after?: string[];
}

/** A card a rule moves on: only if it is still in one of the `from` states (the change it reacts to may have been overtaken). */
export interface CardChange {
  card: number;
  from: CardState[];
  change: CardUpdate;
  event: { type: CardEventType; data?: unknown };
}

export type Action = FollowUp | CardChange;

const isCardChange = (a: Action): a is CardChange => 'card' in a;

export interface Rule<T extends Topic = Topic> {
  name: string;
  /** The events that trigger the rule: a topic (default job), event types, and for jobs a kind. */
  on: { topic?: T; type: string | readonly string[]; kind?: string };
  /** Job kinds the rule enqueues; a rule is only enabled where all of them have handlers. */
  produces: string[];
  // Methods, not function properties: a rule of one topic is a Rule of any (its parameters are checked where it is written).
  when?(subject: SnapshotOf<T>, event: EventOf<T>): boolean;
  then(subject: SnapshotOf<T>, event: EventOf<T>): Action[];
}

/** A rule of any topic, as lists of rules hold them. */
export type AnyRule = Rule<any>;

/** A rule on the end of jobs of one kind, typed by what that kind declares. */
export function jobRule<K extends JobKind>(r: {
  name: string;
  on: { type: JobEventType | readonly JobEventType[]; kind: K };
  produces: string[];
  when?: (job: JobOf<K>, event: JobEvent) => boolean;
  then: (job: JobOf<K>, event: JobEvent) => Action[];
}): Rule {
  return r as unknown as Rule;
}

/** A rule on card events. */
export function cardRule(r: {
  name: string;
  on: { type: CardEventType | readonly CardEventType[] };
  produces: string[];
  when?: (card: Card, event: CardEvent) => boolean;
  then: (card: Card, event: CardEvent) => Action[];
}): Rule {
  return { ...r, on: { ...r.on, topic: 'card' } } as unknown as Rule;
}

export const DEFAULT_MAX_DEPTH = 16;

export interface Plan {
  specs: JobSpec[];
  cardChanges: CardChange[];
  /** Rules that matched but would have gone deeper than the guard allows. */
  refused: string[];
}

function matches(rule: AnyRule, event: EventOf<Topic>): boolean {
  if ((rule.on.topic ?? 'job') !== event.topic) return false;
  const types = typeof rule.on.type === 'string' ? [rule.on.type] : rule.on.type;
  if (!types.includes(event.type)) return false;
  return rule.on.kind === undefined || (event.topic === 'job' && event.kind === rule.on.kind);
}

/** How deep a follow-up of this event goes, and what its idempotency key is made from. */
function origin(event: EventOf<Topic>, subject: unknown): { depth: number; prefix: string } {
  if (event.topic === 'job') return { depth: (subject as Job).depth, prefix: String((subject as Job).id) };
  return { depth: 0, prefix: `${event.topic}-event:${event.seq}` };
}

/** What the rules ask for in response to `event` about `subject`. Pure. */
export function plan<T extends Topic>(rules: readonly AnyRule[], event: EventOf<T>, subject: SnapshotOf<T>, maxDepth = DEFAULT_MAX_DEPTH): Plan {
  const out: Plan = { specs: [], cardChanges: [], refused: [] };
  // A rule sees the subject and event of the topic it names (matches() checked it).
  const e = event as EventOf<Topic>;
  const s = subject as never;
  const { depth, prefix } = origin(e, subject);
  for (const rule of rules) {
    if (!matches(rule, e)) continue;
    if (rule.when && !rule.when(s, e as never)) continue;
    const actions = rule.then(s, e as never);
    const followUps = actions.filter((a): a is FollowUp => !isCardChange(a));
    out.cardChanges.push(...actions.filter(isCardChange));
    if (followUps.length === 0) continue;
    if (depth + 1 > maxDepth) {
      out.refused.push(rule.name);
      continue;
    }
    const keyOf = (k: string) => `rule:${rule.name}:${prefix}:${k}`;
    for (const { key, after, ...spec } of followUps) {
      out.specs.push({ ...spec, idempotencyKey: keyOf(key), parentKeys: after?.map(keyOf), depth: depth + 1 });
    }
  }
  return out;
}

/** The rules whose every produced kind has a handler here. */
export function enabledRules(rules: readonly AnyRule[], handledKinds: Iterable<string>): AnyRule[] {
  const kinds = new Set(handledKinds);
  return rules.filter((r) => r.produces.every((k) => kinds.has(k)));
}

/**
 * Runs `rules` on every job and card event, in the transaction that records it: enqueues
 * the jobs they ask for and moves cards on. `cards` may be left out where no card exists
 * (a queue on its own). Given as a function, the rules are asked for at each event, so
 * settings changed while the engine runs (webhooks, renders) take effect at once.
 */
export function attachRules(queue: JobQueue, rules: readonly AnyRule[] | (() => readonly AnyRule[]), maxDepth = DEFAULT_MAX_DEPTH, cards?: CardStore): void {
  const current = typeof rules === 'function' ? rules : () => rules;
  const fixed = typeof rules === 'function' ? undefined : rules;
  if (fixed?.length === 0) return;
  const act = (p: Plan) => {
    if (p.specs.length) queue.enqueueMany(p.specs);
    for (const c of p.cardChanges) cards?.transition(c.card, c.from, c.change, c.event);
  };
  const bus: EventBus = queue.bus;
  bus.react('job', (event, job) => {
    if (!job) return; // progress and notes carry no snapshot: nothing reacts to them
    const p = plan(current(), event, job, maxDepth);
    act(p);
    for (const name of p.refused) queue.note(job, 'rule-refused', { rule: name, depth: job.depth, maxDepth });
  });
  if (!fixed || fixed.some((r) => r.on.topic === 'card')) bus.react('card', (event: CardEvent, card) => act(plan(current(), event, card, maxDepth)));
}
