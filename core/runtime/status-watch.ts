/**
 * Follows many tasks of another engine (swarm tasks, AWS Batch jobs) with one request per
 * tick for all of them, rather than one each: every `pollMs`, `describe` answers the status of
 * each id being followed, and each listener hears its own whenever it changes.
 */
export class StatusWatch<T> {
  private readonly listeners = new Map<string, { last?: string; on: (s: T) => void }>();
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly describe: (ids: string[]) => Promise<Iterable<[string, T]>>,
    /** What makes two statuses different (a state, a message). */
    private readonly keyOf: (s: T) => string,
    private readonly pollMs: number,
  ) {}

  watch(id: string, on: (s: T) => void): () => void {
    this.listeners.set(id, { on });
    this.timer ??= setInterval(() => void this.poll(), this.pollMs);
    return () => {
      this.listeners.delete(id);
      if (this.listeners.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private async poll(): Promise<void> {
    if (this.polling || this.listeners.size === 0) return;
    this.polling = true;
    try {
      for (const [id, s] of await this.describe([...this.listeners.keys()])) {
        const l = this.listeners.get(id);
        const key = this.keyOf(s);
        if (!l || l.last === key) continue;
        l.last = key;
        l.on(s);
      }
    } catch {
      // The engine did not answer this tick; the next one asks again.
    } finally {
      this.polling = false;
    }
  }
}
