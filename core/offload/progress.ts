/**
 * Counts bytes and files per destination and turns them into throttled progress events
 * with a smoothed rate and an ETA.
 */
import type { DestinationProgress } from './events.ts';
import { etaSeconds, RateWindow } from '../util/progress.ts';

class DestinationCounter {
  bytesDone = 0;
  verifiedBytes = 0;
  filesDone = 0;
  failed = false;
  private readonly rate = new RateWindow();

  constructor(
    readonly destination: string,
    readonly filesTotal: number,
    readonly bytesTotal: number,
    private readonly verifies: boolean,
  ) {}

  private get work(): number {
    return this.bytesDone + this.verifiedBytes;
  }

  private get totalWork(): number {
    return this.bytesTotal * (this.verifies ? 2 : 1);
  }

  snapshot(now: number): DestinationProgress {
    const rate = this.rate.sample(now, this.work);
    return {
      destination: this.destination,
      filesTotal: this.filesTotal,
      bytesTotal: this.bytesTotal,
      filesDone: this.filesDone,
      bytesDone: this.bytesDone,
      verifiedBytes: this.verifiedBytes,
      rate,
      etaSeconds: etaSeconds(this.totalWork - this.work, rate),
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
    c.filesDone += files;
    c.bytesDone += bytes;
    if (verified) c.verifiedBytes += bytes;
  }

  written(destination: string, bytes: number): void {
    this.get(destination).bytesDone += bytes;
    this.maybeEmit();
  }

  verified(destination: string, bytes: number): void {
    this.get(destination).verifiedBytes += bytes;
    this.maybeEmit();
  }

  fileDone(destination: string): void {
    this.get(destination).filesDone += 1;
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
