/**
 * The cards that detection found, in the SQLite store, and what happened to each in the one
 * event log (topic `card`). Every change and its event commit together, in the same
 * transaction as the jobs that react to it; listeners hear of an event once it is committed.
 */
import type Database from 'better-sqlite3';
import type { EventBus } from '../events/bus.ts';
import type { Db } from '../store/db.ts';
import { RushesError } from '../errors.ts';
import type { JobError } from '../queue/types.ts';
import { CARD_STATES, canMove, type CardState } from './card-states.ts';
import type { CameraFamily } from './types.ts';

export { CARD_STATES, type CardState } from './card-states.ts';

export type CardEventType =
  | 'card.detected' // a folder appeared; waiting for it to stop changing
  | 'card.identified' // stable; camera, roll and fingerprint known
  | 'card.waiting' // identified; waits for someone to start its offload
  | 'card.duplicate' // the same content was already offloaded and verified
  | 'card.conflict' // its roll folder at a destination holds other content
  | 'card.offload-started'
  | 'card.progress' // live only, not stored
  | 'card.safe-to-eject' // every destination verified from the medium
  | 'card.copied' // copied, but the verify mode did not read every byte back: not safe to format
  | 'card.changed' // gained or changed a file after its offload: not safe to eject, offloaded again
  | 'card.failed'
  | 'card.removed'; // pulled or unmounted

/** Every card event type, stored or live. */
export const CARD_EVENT_TYPES: readonly CardEventType[] = [
  'card.detected',
  'card.identified',
  'card.waiting',
  'card.duplicate',
  'card.conflict',
  'card.offload-started',
  'card.progress',
  'card.safe-to-eject',
  'card.copied',
  'card.changed',
  'card.failed',
  'card.removed',
];

export interface Card {
  id: number;
  path: string;
  present: boolean;
  state: CardState;
  label?: string;
  camera?: CameraFamily;
  roll?: string;
  clips?: number;
  evidence?: string;
  fingerprint?: string;
  files?: number;
  bytes?: number;
  /** The folder the card goes to at each destination (`…/A001`). */
  targets: string[];
  jobId?: number;
  /** The card this one duplicates or conflicts with. */
  relatedCard?: number;
  /** Derived: a card is safe to eject exactly when it is verified (every destination read back from the medium). */
  readonly safeToEject: boolean;
  error?: JobError;
  detectedAt: number;
  identifiedAt?: number;
  finishedAt?: number;
  updatedAt: number;
}

export interface CardEvent {
  topic: 'card';
  /** Absent for live-only progress. */
  seq?: number;
  cardId: number;
  type: CardEventType;
  at: number;
  data?: unknown;
}

declare module '../events/types.ts' {
  interface EventMap {
    card: Omit<CardEvent, 'topic' | 'seq' | 'at'>;
  }
  interface SnapshotMap {
    card: Card;
  }
}

interface CardRow {
  id: number;
  path: string;
  present: number;
  state: CardState;
  label: string | null;
  camera: string | null;
  roll: string | null;
  clips: number | null;
  evidence: string | null;
  fingerprint: string | null;
  files: number | null;
  bytes: number | null;
  targets: string | null;
  job_id: number | null;
  related_card: number | null;
  error: string | null;
  detected_at: number;
  identified_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

function toCard(r: CardRow): Card {
  return {
    id: r.id,
    path: r.path,
    present: r.present === 1,
    state: r.state,
    label: r.label ?? undefined,
    camera: (r.camera as CameraFamily | null) ?? undefined,
    roll: r.roll ?? undefined,
    clips: r.clips ?? undefined,
    evidence: r.evidence ?? undefined,
    fingerprint: r.fingerprint ?? undefined,
    files: r.files ?? undefined,
    bytes: r.bytes ?? undefined,
    targets: r.targets ? (JSON.parse(r.targets) as string[]) : [],
    jobId: r.job_id ?? undefined,
    relatedCard: r.related_card ?? undefined,
    safeToEject: r.state === 'verified',
    error: r.error ? (JSON.parse(r.error) as JobError) : undefined,
    detectedAt: r.detected_at,
    identifiedAt: r.identified_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
    updatedAt: r.updated_at,
  };
}

/** The fields a change may set; the rest stay. */
export type CardUpdate = Partial<Omit<Card, 'id' | 'detectedAt' | 'updatedAt' | 'safeToEject'>>;

const COLUMNS: Record<keyof CardUpdate, string> = {
  path: 'path',
  present: 'present',
  state: 'state',
  label: 'label',
  camera: 'camera',
  roll: 'roll',
  clips: 'clips',
  evidence: 'evidence',
  fingerprint: 'fingerprint',
  files: 'files',
  bytes: 'bytes',
  targets: 'targets',
  jobId: 'job_id',
  relatedCard: 'related_card',
  error: 'error',
  identifiedAt: 'identified_at',
  finishedAt: 'finished_at',
};

function columnValue(key: keyof CardUpdate, v: unknown): unknown {
  if (v === undefined) return null;
  if (key === 'present') return v ? 1 : 0;
  if (key === 'targets' || key === 'error') return JSON.stringify(v);
  return v;
}

/** Called inside the transaction that records a card event. */
export type CardReactor = (event: CardEvent, card: Card) => void;

export class CardStore {
  private readonly st: ReturnType<typeof prepare>;
  private readonly db: Db;

  constructor(private readonly bus: EventBus) {
    this.db = bus.db;
    this.st = prepare(bus.db);
  }

  addReactor(reactor: CardReactor): void {
    this.bus.react('card', reactor);
  }

  subscribe(listener: (e: CardEvent) => void): () => void {
    return this.bus.subscribe((e) => e.topic === 'card' && listener(e));
  }

  /** Records a new card and its `card.detected` event. */
  create(path: string, label: string | undefined): Card {
    return this.write(() => {
      const now = this.bus.now();
      const id = Number(this.st.insert.run(path, label ?? null, now, now).lastInsertRowid);
      this.append(id, 'card.detected', { path, label });
      return this.get(id)!;
    });
  }

  /**
   * Changes a card and, when `event` is given, logs it in the same transaction. A change of
   * state must be a move the state table lists (card-states.ts); any other is a bug, refused.
   */
  update(id: number, change: CardUpdate, event?: { type: CardEventType; data?: unknown }): Card {
    return this.write(() => {
      const from = change.state && this.get(id)?.state;
      if (from && !canMove(from, change.state!)) throw new RushesError('INTERNAL', `card ${id} cannot go from ${from} to ${change.state}`);
      const keys = (Object.keys(change) as (keyof CardUpdate)[]).filter((k) => k in COLUMNS);
      const sets = [...keys.map((k) => `${COLUMNS[k]} = ?`), 'updated_at = ?'];
      this.db.prepare(`UPDATE cards SET ${sets.join(', ')} WHERE id = ?`).run(...keys.map((k) => columnValue(k, change[k])), this.bus.now(), id);
      if (event) this.append(id, event.type, event.data);
      return this.get(id)!;
    });
  }

  /**
   * Moves a card on only while it is in one of the `from` states and the state table allows
   * the move from there; returns the card, or undefined when it had moved elsewhere.
   */
  transition(id: number, from: readonly CardState[], change: CardUpdate, event: { type: CardEventType; data?: unknown }): Card | undefined {
    return this.write(() => {
      const card = this.get(id);
      if (!card || !from.includes(card.state) || (change.state && !canMove(card.state, change.state))) return undefined;
      return this.update(id, change, event);
    });
  }

  /**
   * Moves a card to `change.state` if the state table allows it from wherever the card is now;
   * returns undefined, changing nothing, when it does not (the card moved on while a decision was made).
   */
  move(id: number, change: CardUpdate & { state: CardState }, event: { type: CardEventType; data?: unknown }): Card | undefined {
    return this.transition(id, CARD_STATES, change, event);
  }

  /** Tells listeners without storing (progress). */
  announceLive(cardId: number, type: CardEventType, data: unknown): void {
    this.bus.announceLive<'card'>({ topic: 'card', cardId, type, data });
  }

  get(id: number): Card | undefined {
    const row = this.st.get.get(id) as CardRow | undefined;
    return row && toCard(row);
  }

  list(filter: { state?: CardState; limit?: number; beforeId?: number } = {}): Card[] {
    const rows = this.st.list.all({ state: filter.state ?? null, before: filter.beforeId ?? Number.MAX_SAFE_INTEGER, limit: Math.min(filter.limit ?? 100, 10_000) }) as CardRow[];
    return rows.map(toCard);
  }

  /** The newest card seen at `path`, if any. */
  latestAt(path: string): Card | undefined {
    const row = this.st.latestAt.get(path) as CardRow | undefined;
    return row && toCard(row);
  }

  /** Earlier cards with this fingerprint, newest first. */
  withFingerprint(fingerprint: string, exceptId: number): Card[] {
    return (this.st.byFingerprint.all(fingerprint, exceptId) as CardRow[]).map(toCard);
  }

  /** Cards that went, or are going, to `target` (a destination roll folder), newest first. */
  withTarget(target: string, exceptId: number): Card[] {
    return (this.st.byTarget.all(target, exceptId) as CardRow[]).map(toCard);
  }

  /** Cards not known to be removed, oldest first (to reconcile with the disks at start). */
  present(): Card[] {
    return (this.st.present.all() as CardRow[]).map(toCard);
  }

  byJob(jobId: number): Card | undefined {
    const row = this.st.byJob.get(jobId) as CardRow | undefined;
    return row && toCard(row);
  }

  events(filter: { afterSeq?: number; cardId?: number; limit?: number } = {}): CardEvent[] {
    return this.bus.replay({ topics: ['card'], subject: filter.cardId, afterSeq: filter.afterSeq, limit: filter.limit }) as CardEvent[];
  }

  private write<T>(fn: () => T): T {
    return this.bus.transaction(fn);
  }

  private append(cardId: number, type: CardEventType, data?: unknown): void {
    this.bus.append<'card'>({ topic: 'card', cardId, type, data }, cardId, this.get(cardId)!);
  }
}

function prepare(db: Db) {
  const s = (sql: string): Database.Statement => db.prepare(sql);
  return {
    insert: s(`INSERT INTO cards (path, label, state, detected_at, updated_at) VALUES (?, ?, 'detected', ?, ?)`),
    get: s(`SELECT * FROM cards WHERE id = ?`),
    list: s(`SELECT * FROM cards WHERE (@state IS NULL OR state = @state) AND id < @before ORDER BY id DESC LIMIT @limit`),
    latestAt: s(`SELECT * FROM cards WHERE path = ? ORDER BY id DESC LIMIT 1`),
    byFingerprint: s(`SELECT * FROM cards WHERE fingerprint = ? AND id <> ? ORDER BY id DESC`),
    byTarget: s(`SELECT c.* FROM cards c, json_each(c.targets) t WHERE t.value = ? AND c.id <> ? ORDER BY c.id DESC`),
    byJob: s(`SELECT * FROM cards WHERE job_id = ? ORDER BY id DESC LIMIT 1`),
    present: s(`SELECT * FROM cards WHERE present = 1 ORDER BY id`),
  };
}
