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
