/** Runs at most `concurrency` of the given tasks at once and resolves when all have settled. */
export async function forEachLimited<T>(items: Iterable<T>, concurrency: number, task: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failure: unknown;
  const lane = async (): Promise<void> => {
    for (;;) {
      if (failure !== undefined || signal?.aborted) return;
      const next = iterator.next();
      if (next.done) return;
      try {
        await task(next.value);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  if (failure !== undefined) throw failure;
  signal?.throwIfAborted();
}

/** A gate that lets at most `concurrency` of the tasks given to it run at once, the rest in the order they came. */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * A lane of background tasks with a fixed number of slots. `start` waits only for a free
 * slot, not for the task, so a producer (the copy) runs ahead of its consumer (the
 * read-back) by at most `concurrency` tasks: the two overlap on the device.
 */
export class TaskLane {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;

  constructor(private readonly concurrency: number) {}

  async start(task: () => Promise<void>): Promise<void> {
    while (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    const p: Promise<void> = task()
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => {
        this.running--;
        this.pending.delete(p);
        this.waiting.shift()?.();
      });
    this.pending.add(p);
  }

  /** Resolves when every started task has finished; rethrows the first failure. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.failure !== undefined) throw this.failure;
  }
}

/**
 * Runs tasks that share a key one after another (in the order they asked), tasks with
 * other keys freely: for a file that several writers rewrite whole, so the last one to
 * write is also the last one to have read what it writes.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget the key once nobody queued behind this task.
    void tail.then(() => this.tails.get(key) === tail && this.tails.delete(key));
    return result;
  }
}
