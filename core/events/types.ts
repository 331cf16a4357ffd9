/**
 * The one typed event stream. Each part of Rushes adds its topic to `EventMap` where its
 * events are defined (module augmentation), so the union below lists every event there is
 * while this module imports none of them:
 *
 *   declare module '../events/types.ts' {
 *     interface EventMap { card: { cardId: number; type: CardEventType; data?: unknown } }
 *   }
 *
 * Topics today: job (queue), card (watch), offload, mhl, clip (inspect), render.
 */

export interface EventMap {}

/**
 * What a reactor is given beside an event: the state of its subject right after the change
 * (the job, the card). Topics whose reactors need one add it here, like EventMap.
 */
export interface SnapshotMap {}

export type Topic = Extract<keyof EventMap, string>;

/** Every topic, for requests that name some (an event stream's filter). */
export const TOPICS: readonly Topic[] = ['job', 'card', 'offload', 'mhl', 'clip', 'render', 'sync'] as Topic[];

/** What every event carries besides its topic's own fields. */
export interface EventBase<T extends string> {
  topic: T;
  /** Position in the append-only log; absent for live-only events (progress). */
  seq?: number;
  /** Milliseconds since the epoch. */
  at: number;
  type: string;
  data?: unknown;
}

export type BusEvent = { [T in Topic]: EventBase<T> & EventMap[T] }[Topic];
export type EventOf<T extends Topic> = Extract<BusEvent, { topic: T }>;
export type SnapshotOf<T extends Topic> = T extends keyof SnapshotMap ? SnapshotMap[T] : undefined;

export type { Progress } from '../util/progress.ts';
