/**
 * How fast uploads may go: a limit in bytes per second, changeable while they run, and a
 * day/time schedule ("full speed 20:00–06:00, 4 MiB/s in office hours"). `limitAt` is a pure
 * function of the schedule and the time; `Bandwidth` meters bytes against it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RushesError } from '../errors.ts';

/** Bytes per second, or null for full speed. */
export type Limit = number | null;

export interface BandwidthWindow {
  /** Days it applies to, 0 = Sunday … 6 = Saturday; every day when omitted. A window past midnight belongs to the day it starts. */
  days?: readonly number[];
  /** Local time "HH:MM" it starts at. */
  from: string;
  /** Local time "HH:MM" it ends at (exclusive); earlier than `from` runs past midnight; equal to `from`, all day. */
  to: string;
  limit: Limit;
}

export interface BandwidthSchedule {
  /** The limit outside every window. */
  limit: Limit;
  /** The first window that holds the time decides. */
  windows?: readonly BandwidthWindow[];
}

function minutesOf(hhmm: string): number {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RushesError('USAGE', `bandwidth schedule time "${hhmm}" is not HH:MM (00:00–23:59)`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Checks a schedule once, where it is configured: times, days and limits. */
export function checkSchedule(s: BandwidthSchedule): void {
  const checkLimit = (l: Limit) => {
    if (l !== null && !(Number.isFinite(l) && l > 0)) throw new RushesError('USAGE', `bandwidth limit ${l} must be a positive number of bytes per second, or null for full speed`);
  };
  checkLimit(s.limit);
  for (const w of s.windows ?? []) {
    minutesOf(w.from);
    minutesOf(w.to);
    checkLimit(w.limit);
    if (w.days?.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) throw new RushesError('USAGE', `bandwidth window days ${JSON.stringify(w.days)} must be 0 (Sunday) to 6 (Saturday)`);
  }
}

function windowHolds(w: BandwidthWindow, day: number, minute: number): boolean {
  const from = minutesOf(w.from);
  const to = minutesOf(w.to);
  const onDay = (d: number) => w.days === undefined || w.days.includes(d);
  if (from === to) return onDay(day);
  if (from < to) return onDay(day) && minute >= from && minute < to;
  // Past midnight: the evening part on its own day, the morning part on the next.
  return (onDay(day) && minute >= from) || (onDay((day + 6) % 7) && minute < to);
}

/** The limit in force at `at` (local time). */
export function limitAt(schedule: BandwidthSchedule, at: Date): Limit {
  const day = at.getDay();
  const minute = at.getHours() * 60 + at.getMinutes();
  const hit = (schedule.windows ?? []).find((w) => windowHolds(w, day, minute));
  return hit ? hit.limit : schedule.limit;
}

/** "8M", "512k", "1.5G" (binary units, as rclone's --bwlimit), a plain number of bytes, or "off" for full speed. */
export function parseLimit(text: string): Limit {
  const t = text.trim().toLowerCase();
  if (t === 'off' || t === '' || t === '0') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/.exec(t);
  if (!m) throw new RushesError('USAGE', `bandwidth "${text}" is not a rate such as 512k, 8M, 1G or off`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2] as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * scale);
}

/** How far ahead of the limit a burst may run: a quarter second of bytes, at least one chunk. */
const BURST_SECONDS = 0.25;
/** A waiter looks at the limit again at least this often, so a change applies within it. */
const RECHECK_MS = 250;

/**
 * Meters bytes against the schedule, shared by every upload of a sync so the limit holds
 * for all of them together.
 */
export class Bandwidth {
  private schedule: BandwidthSchedule;
  private nextFree = 0;
  private lastLimit: Limit = null;

  constructor(
    schedule: BandwidthSchedule | Limit = null,
    private readonly now: () => number = Date.now,
  ) {
    this.schedule = Bandwidth.toSchedule(schedule);
  }

  private static toSchedule(s: BandwidthSchedule | Limit): BandwidthSchedule {
    const schedule = s === null || typeof s === 'number' ? { limit: s } : s;
    checkSchedule(schedule);
    return schedule;
  }

  /** Changes the limit or the schedule; uploads under way follow within a quarter second. */
  set(schedule: BandwidthSchedule | Limit): void {
    this.schedule = Bandwidth.toSchedule(schedule);
  }

  limitNow(): Limit {
    return limitAt(this.schedule, new Date(this.now()));
  }

  /** Resolves when `bytes` may be sent. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const limit = this.limitNow();
      if (limit !== this.lastLimit) {
        // A new limit starts a new reckoning: debts at the old rate no longer mean anything.
        this.lastLimit = limit;
        this.nextFree = 0;
      }
      if (limit === null) return;
      // Generic cell rate: a sender may go once the clock has caught up with what was sent
      // before (with up to a quarter second of credit banked), and pushes it on by its bytes.
      const now = this.now();
      if (this.nextFree <= now) {
        this.nextFree = Math.max(this.nextFree, now - BURST_SECONDS * 1000) + (bytes / limit) * 1000;
        return;
      }
      const due = this.nextFree;
      await sleep(Math.min(RECHECK_MS, due - now), undefined, { signal });
    }
  }

  /** The chunk size senders should meter in: small enough for a smooth rate, large enough to be cheap. */
  chunkSize(): number {
    const limit = this.limitNow();
    return limit === null ? 256 * 1024 : Math.max(4096, Math.min(64 * 1024, Math.floor(limit / 8)));
  }
}
