/** Turns byte and file counts into MhlProgress events, throttled so 10,000 small files do not flood a UI. */
import type { MhlProgress } from './model.ts';

const MIN_INTERVAL_MS = 100;

export class ProgressCounter {
  filesDone = 0;
  bytesDone = 0;
  private readonly started = Date.now();
  private lastEmit = 0;

  constructor(
    private readonly filesTotal: number,
    private readonly bytesTotal: number,
    private readonly emit?: (p: MhlProgress) => void,
  ) {}

  bytes(n: number): void {
    this.bytesDone += n;
    this.maybeEmit(false);
  }

  fileDone(path: string): void {
    this.filesDone++;
    this.maybeEmit(this.filesDone === this.filesTotal, path);
  }

  private maybeEmit(force: boolean, path?: string): void {
    if (!this.emit) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < MIN_INTERVAL_MS) return;
    this.lastEmit = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.bytesDone / seconds : 0;
    const remaining = Math.max(0, this.bytesTotal - this.bytesDone);
    this.emit({
      phase: 'hash',
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      rate,
      etaSeconds: remaining === 0 ? 0 : rate > 0 ? remaining / rate : null,
      path,
    });
  }
}
