/**
 * The page's live state: loaded once from the API, then kept current by the event stream
 * alone (no polling). Events arrive batched per frame (batcher.ts); a batch updates progress
 * in place and asks for the records whose state changed, each fetch coalesced.
 */
import { get, withQuery } from '../api/client.ts';
import { EVENT_TYPES } from '../api/event-types.ts';
import type { BusEvent, Card, Job } from '../api/types.ts';
import { desktop } from '../desktop.ts';
import { FrameBatcher, coalesced } from './batcher.ts';
import { EMPTY, applyEvents, mergeCards, mergeOffloads, type LiveData } from './live-data.ts';
import { noticeFor } from './notify.ts';
import { LiveStats, type LiveStatsView } from './stats.ts';

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'down';

export interface LiveSnapshot {
  data: LiveData;
  connection: Connection;
  stats: LiveStatsView;
  /** The last failure to load something, shown until the next success. */
  error?: string;
  /** Whether the cards have been loaded once (the Cards page is usable). */
  loaded: boolean;
}

export type CardList = { cards: Card[]; watching: boolean };
/** The cards the page shows: the first request the page makes (it also says whether it is signed in). */
export const CARDS_PATH = '/api/cards?limit=500';

/** A few cards changed: fetched one by one; more than this: the list again. */
const MAX_SINGLE_FETCHES = 8;

export class LiveStore {
  private snapshot: LiveSnapshot = { data: EMPTY, connection: 'connecting', stats: { total: 0, perSecond: 0, lagMs: 0, maxLagMs: 0, peakPerSecond: 0 }, loaded: false };
  private readonly listeners = new Set<() => void>();
  private readonly stats = new LiveStats();
  private source?: EventSource;
  private readonly pendingCards = new Set<number>();

  /** `initial`: the cards the page was started with (the first request it made), drawn at once. */
  constructor(private readonly initial?: CardList) {
    if (initial) this.takeCards(initial);
  }

  private readonly fetchCards = coalesced(async () => this.takeCards(await get<CardList>(CARDS_PATH)), (e) => this.failed(e));

  private readonly fetchChangedCards = coalesced(async () => {
    const ids = [...this.pendingCards];
    this.pendingCards.clear();
    if (ids.length > MAX_SINGLE_FETCHES) return this.fetchCards();
    const cards = await Promise.all(ids.map((id) => get<{ card: Card }>(`/api/cards/${id}`).then((r) => r.card)));
    this.update({ data: mergeCards(this.snapshot.data, cards) });
  }, (e) => this.failed(e));

  private readonly fetchOffloads = coalesced(async () => {
    const { jobs } = await get<{ jobs: Job[] }>(withQuery('/api/jobs', { kind: 'offload', limit: 200 }));
    this.update({ data: mergeOffloads(this.snapshot.data, jobs) });
  }, (e) => this.failed(e));

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): LiveSnapshot => this.snapshot;

  /** The rate and lag as of now (the rate falls to 0 when events stop). */
  statsNow(): LiveStatsView {
    return this.stats.view(Date.now());
  }

  /**
   * Opens the event stream and loads what is there now (the cards the page was started with
   * are not asked for again); events that arrive meanwhile only ask for fresher records.
   */
  start(): void {
    const batcher = new FrameBatcher<BusEvent>((batch) => this.apply(batch));
    const source = new EventSource('/api/events');
    this.source = source;
    for (const type of EVENT_TYPES) source.addEventListener(type, (m) => batcher.push(JSON.parse((m as MessageEvent<string>).data) as BusEvent));
    let opened = false;
    source.onopen = () => {
      this.update({ connection: 'live' });
      // After a reconnect the stream replays the stored events missed; the lists are fetched again for what was live only.
      if (opened) void this.refresh();
      opened = true;
    };
    if (!this.initial) void this.fetchCards();
    void this.fetchOffloads();
    source.onerror = () => this.update({ connection: source.readyState === EventSource.CLOSED ? 'down' : 'reconnecting' });
  }

  stop(): void {
    this.source?.close();
  }

  refresh(): Promise<unknown> {
    return Promise.all([this.fetchCards(), this.fetchOffloads()]);
  }

  private apply(batch: BusEvent[]): void {
    const now = Date.now();
    this.stats.record(batch, now);
    const { data, refetch } = applyEvents(this.snapshot.data, batch);
    this.update({ data, stats: this.stats.view(now) });
    for (const id of refetch.cards) this.pendingCards.add(id);
    if (refetch.cards.size) void this.fetchChangedCards();
    if (refetch.offloads) void this.fetchOffloads();
    const bridge = desktop();
    if (bridge) for (const e of batch) {
      const notice = noticeFor(e, data.cards);
      if (notice) bridge.notify(notice);
    }
  }

  private takeCards({ cards, watching }: CardList): void {
    this.update({ data: mergeCards(this.snapshot.data, cards, { all: true, watching }), loaded: true, error: undefined });
  }

  private failed(e: unknown): void {
    this.update({ error: (e as Error).message });
  }

  private update(change: Partial<LiveSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const l of this.listeners) l();
  }
}
