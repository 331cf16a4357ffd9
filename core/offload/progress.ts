/**
 * Counts bytes and files per destination and turns them into throttled progress events
 * with a smoothed rate and an ETA.
 */
import type { DestinationProgress } from './events.ts';

const RATE_WINDOW_MS = 3000;

class DestinationCounter {
  writtenBytes = 0;
  verifiedBytes = 0;
  doneFiles = 0;
  failed = false;
  private samples: { t: number; work: number }[] = [];

  constructor(
    readonly destination: string,
    readonly totalFiles: number,
    readonly totalBytes: number,
    private readonly verifies: boolean,
  ) {}

  private get work(): number {
    return this.writtenBytes + this.verifiedBytes;
  }

  private get totalWork(): number {
    return this.totalBytes * (this.verifies ? 2 : 1);
  }

  snapshot(now: number): DestinationProgress {
    this.samples.push({ t: now, work: this.work });
    while (this.samples.length > 2 && now - this.samples[0].t > RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.t) / 1000;
    const rate = dt > 0 ? (this.work - first.work) / dt : 0;
    const remaining = Math.max(0, this.totalWork - this.work);
    return {
      destination: this.destination,
      totalFiles: this.totalFiles,
      totalBytes: this.totalBytes,
      doneFiles: this.doneFiles,
      writtenBytes: this.writtenBytes,
      verifiedBytes: this.verifiedBytes,
      rate,
      etaSeconds: remaining === 0 ? 0 : rate > 0 ? remaining / rate : null,
      failed: this.failed,
    };
  }
}

export class ProgressTracker {
  private readonly counters = new Map<string, DestinationCounter>();
  private lastEmit = 0;

  constructor(
    destinations: readonly string[],
    totals: { files: number; bytes: number },
    verifies: boolean,
    private readonly emit: (p: DestinationProgress[]) => void,
    private readonly intervalMs = 250,
  ) {
    for (const d of destinations) this.counters.set(d, new DestinationCounter(d, totals.files, totals.bytes, verifies));
  }

  private get(destination: string): DestinationCounter {
    const c = this.counters.get(destination);
    if (!c) throw new Error(`no progress counter for ${destination}`);
    return c;
  }

  /** Work already done by an earlier run counts as done, so bars and ETA start where it stopped. */
  credit(destination: string, files: number, bytes: number, verified: boolean): void {
    const c = this.get(destination);
    c.doneFiles += files;
    c.writtenBytes += bytes;
    if (verified) c.verifiedBytes += bytes;
  }

  written(destination: string, bytes: number): void {
    this.get(destination).writtenBytes += bytes;
    this.maybeEmit();
  }

  verified(destination: string, bytes: number): void {
    this.get(destination).verifiedBytes += bytes;
    this.maybeEmit();
  }

  fileDone(destination: string): void {
    this.get(destination).doneFiles += 1;
    this.maybeEmit();
  }

  destinationFailed(destination: string): void {
    this.get(destination).failed = true;
    this.flush();
  }

  private maybeEmit(): void {
    if (Date.now() - this.lastEmit >= this.intervalMs) this.flush();
  }

  flush(): void {
    const now = Date.now();
    this.lastEmit = now;
    this.emit([...this.counters.values()].map((c) => c.snapshot(now)));
  }
}
