/**
 * The event log and bus: every event of every topic is appended to one table in the store,
 * in the transaction that made the change it reports, and announced to listeners only once
 * that transaction has committed. So after a crash the state and the log agree, and a
 * listener never hears of a change that was rolled back.
 *
 * Reactors (the workflow's rules) run inside that same transaction, each in a savepoint: a
 * reactor that throws is undone alone and noted as a `rule-failed` event of the same
 * subject, and the change that triggered it stands.
 *
 * Live-only events (progress) skip the table and go straight to listeners.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../store/db.ts';
import type { BusEvent, EventOf, SnapshotOf, Topic } from './types.ts';

export type Listener = (e: BusEvent) => void;
export type Reactor<T extends Topic> = (e: EventOf<T>, snapshot: SnapshotOf<T>) => void;

export interface ReplayFilter {
  afterSeq?: number;
  topics?: readonly Topic[];
  subject?: string | number;
  limit?: number;
}

interface EventRow {
  seq: number;
  topic: Topic;
  at: number;
  /** The event's other fields as JSON (rows written before this change also repeat topic and at). */
  body: string;
}

export class EventBus {
  readonly now: () => number;
  private readonly listeners = new Set<Listener>();
  private readonly reactors = new Map<string, Reactor<Topic>[]>();
  /** Events of the open transaction, announced once it commits. */
  private pending: BusEvent[] = [];
  private readonly st: ReturnType<typeof prepare>;

  constructor(
    readonly db: Db,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.st = prepare(db);
  }

  /** Hears every event once it is committed, and live ones at once; returns unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs inside the transaction of every event of `topic` appended from now on (workflow rules). */
  react<T extends Topic>(topic: T, reactor: Reactor<T>): void {
    const list = this.reactors.get(topic) ?? [];
    list.push(reactor as unknown as Reactor<Topic>);
    this.reactors.set(topic, list);
  }

  /**
   * Runs `fn` as one IMMEDIATE transaction (or inside the open one) and announces the events
   * it appended after it commits. Everything a change touches — its table, its event, the
   * jobs rules enqueue for it — commits together.
   */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    let out: T;
    try {
      out = this.st.tx.immediate(fn) as T;
    } catch (e) {
      this.pending = [];
      throw e;
    }
    const events = this.pending;
    this.pending = [];
    for (const e of events) this.announce(e);
    return out;
  }

  /** Runs `fn` inside the open transaction as a savepoint: if it throws, only its own writes and events are undone. */
  savepoint<T>(fn: () => T): T {
    const mark = this.pending.length;
    try {
      return this.st.tx(fn) as T;
    } catch (e) {
      this.pending.length = mark;
      throw e;
    }
  }

  /**
   * Appends an event about `subject` (the id of the job, card, offload… it is about) and lets
   * the topic's reactors respond in the same transaction, given `snapshot` (the subject as it
   * now stands). Opens a transaction when none is open.
   */
  append<T extends Topic>(event: Omit<EventOf<T>, 'seq' | 'at'> & { at?: number }, subject: string | number, snapshot?: SnapshotOf<T>): EventOf<T> {
    return this.transaction(() => {
      const stored = this.store(event, subject);
      for (const react of this.reactors.get(event.topic) ?? []) {
        try {
          this.savepoint(() => react(stored as EventOf<Topic>, snapshot as SnapshotOf<Topic>));
        } catch (e) {
          this.store({ ...event, type: 'rule-failed', data: { on: event.type, error: (e as Error).message } }, subject);
        }
      }
      return stored;
    });
  }

  /** Tells listeners without storing (progress). */
  announceLive<T extends Topic>(event: Omit<EventOf<T>, 'seq' | 'at'> & { at?: number }): void {
    this.announce({ ...event, at: event.at ?? this.now() } as unknown as BusEvent);
  }

  /**
   * The persisted log, oldest first, after `afterSeq`: of some topics, or of one subject
   * (which then needs its one topic: job 7 and card 7 are different things).
   */
  replay(filter: ReplayFilter = {}): BusEvent[] {
    const after = filter.afterSeq ?? 0;
    const limit = Math.min(filter.limit ?? 1000, 100_000);
    let rows: EventRow[];
    if (filter.subject !== undefined) {
      if (filter.topics?.length !== 1) throw new Error('a replay of one subject names its one topic');
      rows = this.st.replaySubject.all(filter.topics[0], String(filter.subject), after, limit) as EventRow[];
    } else {
      rows = this.st.replay.all({ after, topics: filter.topics?.length ? JSON.stringify(filter.topics) : null, limit }) as EventRow[];
    }
    return rows.map((r) => ({ topic: r.topic, ...(JSON.parse(r.body) as Omit<BusEvent, 'topic'>), at: r.at, seq: r.seq }) as BusEvent);
  }

  /** The newest position in the log (0 when empty): where a live stream starts. */
  lastSeq(): number {
    return (this.st.lastSeq.get() as { seq: number | null }).seq ?? 0;
  }

  private store<T extends Topic>(event: Omit<EventOf<T>, 'seq' | 'at'> & { at?: number }, subject: string | number): EventOf<T> {
    const at = event.at ?? this.now();
    // topic and at have their own columns; the body holds the rest (the log grows by every byte, and so does each commit).
    const { topic, at: _at, ...rest } = event;
    const seq = Number(this.st.append.run(topic, String(subject), at, JSON.stringify(rest)).lastInsertRowid);
    const stored = { ...event, at, seq } as EventOf<T>;
    this.pending.push(stored);
    return stored;
  }

  private announce(e: BusEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener (an event stream whose client went away) must never break a change.
      }
    }
  }
}

function prepare(db: Db) {
  const s = (sql: string): Database.Statement => db.prepare(sql);
  return {
    tx: db.transaction((fn: () => unknown) => fn()),
    append: s(`INSERT INTO events (topic, subject, at, body) VALUES (?, ?, ?, ?)`),
    replay: s(`SELECT seq, topic, at, body FROM events WHERE seq > @after AND (@topics IS NULL OR topic IN (SELECT value FROM json_each(@topics))) ORDER BY seq LIMIT @limit`),
    replaySubject: s(`SELECT seq, topic, at, body FROM events INDEXED BY events_by_subject WHERE topic = ? AND subject = ? AND seq > ? ORDER BY seq LIMIT ?`),
    lastSeq: s(`SELECT max(seq) AS seq FROM events`),
  };
}
