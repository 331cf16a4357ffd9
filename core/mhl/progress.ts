/** Turns byte and file counts into MhlProgress events: the one progress counter, with the phase and the file just hashed. */
import { ProgressCounter } from '../util/progress.ts';
import type { MhlProgress } from './model.ts';

const MIN_INTERVAL_MS = 100;

export class MhlProgressCounter {
  private readonly counter: ProgressCounter;
  private lastPath: string | undefined;

  constructor(filesTotal: number, bytesTotal: number, emit?: (p: MhlProgress) => void) {
    this.counter = new ProgressCounter(bytesTotal, filesTotal, emit && ((p) => emit({ ...p, phase: 'hash', path: this.lastPath })), MIN_INTERVAL_MS);
  }

  bytes(n: number): void {
    this.counter.bytes(n);
  }

  fileDone(path: string): void {
    this.lastPath = path;
    // The last file always reports, so a bar ends at 100 %.
    if (this.counter.filesDone + 1 < this.counter.filesTotal) return this.counter.file();
    this.counter.filesDone++;
    this.counter.flush();
  }
}
