/**
 * What the live pages show, and how a batch of events changes it — pure, so it is tested
 * as data. Progress and the last file copied come in the events themselves; for a change of
 * state the events say only what happened, so the record is fetched again (`refetch`), once
 * per batch however many events asked for it.
 */
import type { BusEvent, Card, Job, OffloadProgress } from '../api/types.ts';

export interface LiveData {
  cards: ReadonlyMap<number, Card>;
  /** Whether the daemon watches for cards (an `ingest` config). */
  watching: boolean;
  /** Offload jobs, for the cards' destinations after their offload ended. */
  offloads: ReadonlyMap<number, Job>;
  /** The latest progress of each running offload, by job id. */
  progress: ReadonlyMap<number, OffloadProgress>;
  /** The file each running offload finished last, by job id. */
  lastFile: ReadonlyMap<number, string>;
  /** Bumped when any job changes state: pages that list jobs fetch again. */
  jobsVersion: number;
  /** Bumped when a clip is inspected or rendered: pages that list clips fetch again. */
  clipsVersion: number;
}

export const EMPTY: LiveData = { cards: new Map(), watching: false, offloads: new Map(), progress: new Map(), lastFile: new Map(), jobsVersion: 0, clipsVersion: 0 };

export interface Refetch {
  /** Cards whose record changed. */
  cards: Set<number>;
  /** The offload jobs changed state. */
  offloads: boolean;
}

/** Events that change a card's record (progress is live only and carries no card). */
const changesCard = (e: BusEvent) => e.topic === 'card' && e.type !== 'card.progress' && e.cardId !== undefined;

export function applyEvents(data: LiveData, events: readonly BusEvent[]): { data: LiveData; refetch: Refetch } {
  const refetch: Refetch = { cards: new Set(), offloads: false };
  let progress: Map<number, OffloadProgress> | undefined;
  let lastFile: Map<number, string> | undefined;
  let { jobsVersion, clipsVersion } = data;
  for (const e of events) {
    if (changesCard(e)) refetch.cards.add(e.cardId!);
    else if (e.topic === 'job' && e.type === 'progress') {
      if (e.kind === 'offload' && e.jobId !== undefined) (progress ??= new Map(data.progress)).set(e.jobId, e.data as OffloadProgress);
    } else if (e.topic === 'job') {
      jobsVersion++;
      if (e.kind === 'offload') refetch.offloads = true;
    } else if (e.topic === 'offload' && e.type === 'file.completed' && e.jobId !== undefined) {
      (lastFile ??= new Map(data.lastFile)).set(e.jobId, e.path ?? '');
    } else if (e.topic === 'clip' || e.topic === 'render') clipsVersion++;
    // A card's cloud copy moved on: its record (with its cloud state) is fetched again.
    else if (e.topic === 'sync') {
      const cardId = (e.data as { cardId?: number } | undefined)?.cardId;
      if (cardId !== undefined) refetch.cards.add(cardId);
    }
  }
  return { data: { ...data, progress: progress ?? data.progress, lastFile: lastFile ?? data.lastFile, jobsVersion, clipsVersion }, refetch };
}

/** Cards fetched again, merged: a record never replaces a newer one (a list fetched before an event answered after it). */
export function mergeCards(data: LiveData, cards: readonly Card[], o: { all?: boolean; watching?: boolean } = {}): LiveData {
  const next = new Map(o.all ? [] : data.cards);
  for (const c of cards) {
    const known = data.cards.get(c.id);
    next.set(c.id, known && known.updatedAt > c.updatedAt ? known : c);
  }
  return { ...data, cards: next, watching: o.watching ?? data.watching };
}

/** The offload jobs fetched again; progress of jobs that ended is dropped (their result says how they ended). */
export function mergeOffloads(data: LiveData, jobs: readonly Job[]): LiveData {
  const offloads = new Map(jobs.map((j) => [j.id, j]));
  const running = (id: number) => offloads.get(id)?.state === 'running' || !offloads.has(id);
  const progress = new Map([...data.progress].filter(([id]) => running(id)));
  const lastFile = new Map([...data.lastFile].filter(([id]) => running(id)));
  return { ...data, offloads, progress, lastFile };
}

/** Cards newest first. */
export const cardsInOrder = (data: LiveData): Card[] => [...data.cards.values()].sort((a, b) => b.id - a.id);
