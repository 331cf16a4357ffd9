/**
 * How the page keeps up with the engine: events a second, and how far behind it draws them
 * (the time from the engine stamping an event to the page applying it; both clocks are this
 * machine's, or near enough on a LAN). The status bar shows it; the UI benchmark reads it.
 */
export interface LiveStatsView {
  /** Events applied since the page opened. */
  total: number;
  /** Over the last second. */
  perSecond: number;
  /** Of the last batch applied: how long ago its oldest event was stamped. */
  lagMs: number;
  /** The worst lag since the page opened. */
  maxLagMs: number;
  /** The most events applied in one second since the page opened. */
  peakPerSecond: number;
}

export class LiveStats {
  private total = 0;
  private lagMs = 0;
  private maxLagMs = 0;
  private peakPerSecond = 0;
  private recent: { t: number; n: number }[] = [];

  record(batch: readonly { at: number }[], now: number): void {
    if (batch.length === 0) return;
    this.total += batch.length;
    this.recent.push({ t: now, n: batch.length });
    const oldest = batch.reduce((m, e) => Math.min(m, e.at), Infinity);
    this.lagMs = Math.max(0, now - oldest);
    this.maxLagMs = Math.max(this.maxLagMs, this.lagMs);
    this.peakPerSecond = Math.max(this.peakPerSecond, this.lastSecond(now));
  }

  private lastSecond(now: number): number {
    while (this.recent.length && now - this.recent[0]!.t > 1000) this.recent.shift();
    return this.recent.reduce((n, r) => n + r.n, 0);
  }

  view(now: number): LiveStatsView {
    return { total: this.total, perSecond: this.lastSecond(now), lagMs: this.lagMs, maxLagMs: this.maxLagMs, peakPerSecond: this.peakPerSecond };
  }
}
