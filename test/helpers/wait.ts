/** Polling waits for tests: until a probe gives a value, or a check holds, or the time is up. */

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves once `check()` is true. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  await waitFor('a condition', () => (check() ? true : undefined), timeoutMs, 5);
}
