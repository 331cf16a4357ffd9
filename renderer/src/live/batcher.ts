/**
 * Events reach the page as fast as the engine makes them — during a 10,000-file offload,
 * hundreds a second. Drawing each would keep the page busy painting and let it fall behind;
 * instead they are queued and handed over once per frame, in one batch.
 */

/** Runs `flush` soon: at the next frame where the page is drawn, else within a quarter second. */
export type Schedule = (flush: () => void) => void;

export const frameSchedule: Schedule = (flush) => {
  // A hidden tab gets no animation frames; the queue must still drain.
  if (typeof document !== 'undefined' && !document.hidden && typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 250);
};

export class FrameBatcher<T> {
  private queue: T[] = [];
  private scheduled = false;

  constructor(
    private readonly deliver: (batch: T[]) => void,
    private readonly schedule: Schedule = frameSchedule,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.flush());
  }

  /** Hands over everything queued so far, as one batch. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length) this.deliver(batch);
  }
}

/**
 * A fetch that events ask for again and again (the job list after each job event): at most
 * one runs at a time, and asks made while it runs make it run once more, not once each.
 */
export function coalesced(task: () => Promise<void>, onError: (e: unknown) => void = () => undefined): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const loop = async () => {
    try {
      do {
        again = false;
        await task().catch(onError);
      } while (again);
    } finally {
      running = undefined;
    }
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = loop();
    return running;
  };
}
