/**
 * Where an offload's time goes. The steps of many files overlap (one file's read-back runs
 * while the next ones copy), so a phase's figure is the wall-clock time during which at
 * least one piece of its work was in flight, not a sum over files: a phase that shows 9 s
 * in a 10 s offload held the run up for most of it, one that shows 1 s hid behind the others.
 *
 * Work that runs in a worker thread reports its start and end (wall-clock milliseconds,
 * `performance.timeOrigin + performance.now()`, which every thread of the process shares).
 */
export const PHASES = ['plan', 'copy', 'durability', 'readBack', 'settle', 'store', 'mhl'] as const;
export type Phase = (typeof PHASES)[number];

/** Seconds each phase had work in flight. */
export type PhaseTimes = Record<Phase, number>;

/** Milliseconds on the wall clock every thread of the process shares. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export class PhaseClock {
  /** Per phase, the intervals [start, end) seen so far, flat. */
  private readonly spans = new Map<Phase, number[]>();

  add(phase: Phase, start: number, end: number): void {
    let list = this.spans.get(phase);
    if (!list) this.spans.set(phase, (list = []));
    list.push(start, end);
  }

  async time<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
    const start = wallMs();
    try {
      return await work();
    } finally {
      this.add(phase, start, wallMs());
    }
  }

  timeSync<T>(phase: Phase, work: () => T): T {
    const start = wallMs();
    try {
      return work();
    } finally {
      this.add(phase, start, wallMs());
    }
  }

  /** Each phase's busy time: the length of the union of its intervals. */
  totals(): PhaseTimes {
    const out = Object.fromEntries(PHASES.map((p) => [p, 0])) as PhaseTimes;
    for (const [phase, flat] of this.spans) out[phase] = +(unionMs(flat) / 1000).toFixed(3);
    return out;
  }
}

function unionMs(flat: number[]): number {
  const spans: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) spans.push([flat[i], flat[i + 1]]);
  spans.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = [-Infinity, -Infinity];
  for (const [s, e] of spans) {
    if (s > to) {
      if (to > from) total += to - from;
      [from, to] = [s, e];
    } else if (e > to) to = e;
  }
  if (to > from) total += to - from;
  return total;
}
