/** Turns byte and file counts into MhlProgress events: the one progress counter, with the phase and the file just hashed. */
import { ProgressCounter } from '../util/progress.ts';
import type { MhlProgress } from './model.ts';

const MIN_INTERVAL_MS = 100;

export class MhlProgressCounter {
  private readonly counter: ProgressCounter;
  private lastPath: string | undefined;

  constructor(
    filesTotal: number,
    bytesTotal: number,
    private readonly emit?: (p: MhlProgress) => void,
  ) {
    this.counter = new ProgressCounter(bytesTotal, filesTotal, emit && ((p) => emit({ ...p, phase: 'hash', path: this.lastPath })), MIN_INTERVAL_MS);
  }

  /** Says what is to be hashed, as far as it is known, before anything is. */
  announce(): void {
    const c = this.counter;
    this.emit?.({ phase: 'scan', filesDone: 0, filesTotal: c.filesTotal, bytesDone: 0, bytesTotal: c.bytesTotal, rate: 0, etaSeconds: null });
  }

  /** More files to count, found since the counter was made (an MHL scan finds new files folder by folder). */
  grow(files: number, bytes: number): void {
    this.setTotals(this.counter.filesTotal + files, this.counter.bytesTotal + bytes);
  }

  /** The totals, once they are known exactly. */
  setTotals(files: number, bytes: number): void {
    this.counter.filesTotal = files;
    this.counter.bytesTotal = bytes;
  }

  get filesDone(): number {
    return this.counter.filesDone;
  }

  get bytesDone(): number {
    return this.counter.bytesDone;
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
