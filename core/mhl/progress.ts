/**
 * Turns byte and file counts into MhlProgress events: the one progress counter, with the phase
 * ('scan' while the totals still grow with what a scan finds, then 'hash') and the file just hashed.
 */
import { ProgressCounter, type Progress } from '../util/progress.ts';
import type { MhlProgress } from './model.ts';

const MIN_INTERVAL_MS = 100;

export class MhlProgressCounter {
  private readonly counter: ProgressCounter;
  private lastPath: string | undefined;
  /** Totals still grow with what a scan finds (grow), until setTotals. */
  private growing = false;

  constructor(
    filesTotal: number,
    bytesTotal: number,
    private readonly emit?: (p: MhlProgress) => void,
  ) {
    // While a scan still finds files, the totals are only what it found so far: no end to estimate.
    const phased = (p: Progress): MhlProgress => (this.growing ? { ...p, phase: 'scan', etaSeconds: null, path: this.lastPath } : { ...p, phase: 'hash', path: this.lastPath });
    this.counter = new ProgressCounter(bytesTotal, filesTotal, emit && ((p) => emit(phased(p))), MIN_INTERVAL_MS);
  }

  /** Says what is to be hashed, as far as it is known, before anything is. */
  announce(): void {
    const c = this.counter;
    this.emit?.({ phase: 'scan', filesDone: 0, filesTotal: c.filesTotal, bytesDone: 0, bytesTotal: c.bytesTotal, rate: 0, etaSeconds: null });
  }

  /** More files to count, found since the counter was made (an MHL scan finds new files folder by folder). */
  grow(files: number, bytes: number): void {
    this.growing = true;
    this.counter.filesTotal += files;
    this.counter.bytesTotal += bytes;
  }

  /** A file found and hashed at once, `bytesRead` of it (a scan hashes small files as it lists them); it counts as that many bytes, whatever its size when listed. */
  foundDone(path: string, bytesRead: number): void {
    this.grow(1, bytesRead);
    this.counter.bytesDone += bytesRead;
    this.fileDone(path);
  }

  /** The totals, once they are known exactly; when every file is done already, that end is reported now. */
  setTotals(files: number, bytes: number): void {
    this.growing = false;
    this.counter.filesTotal = files;
    this.counter.bytesTotal = bytes;
    if (this.counter.filesDone >= files) this.counter.flush();
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
    // The last file always reports, so a bar ends at 100 %. While a scan still finds files none is
    // known to be the last (each file found is also done at once: reporting each redrew a terminal 10,000 times).
    if (this.growing || this.counter.filesDone + 1 < this.counter.filesTotal) return this.counter.file();
    this.counter.filesDone++;
    this.counter.flush();
  }
}
