/**
 * The one progress shape: how far a long operation is, in bytes and files, how fast, and
 * how long it has left. A render also counts frames; an offload reports one per destination.
 */
export interface Progress {
  bytesDone: number;
  /** 0 when unknown (a render does not know its output's size until it ends). */
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
  /** Bytes per second over the last seconds (frames per second when only frames are counted). */
  rate: number;
  etaSeconds: number | null;
  framesDone?: number;
  framesTotal?: number;
  /** Where a function handed to other machines is: its backend, its task there, and that task's state as the engine names it. */
  remote?: { backend: string; task: string; state: string };
}

/**
 * A rate over the last few seconds of a growing count: a stalled link shows as a falling
 * rate within seconds rather than an average since the start that hides it.
 */
export class RateWindow {
  private samples: { t: number; n: number }[] = [];

  constructor(private readonly windowMs = 3000) {}

  /** Records the count at `now` and returns the rate (per second) over the window. */
  sample(now: number, n: number): number {
    this.samples.push({ t: now, n });
    while (this.samples.length > 2 && now - this.samples[0].t > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.t) / 1000;
    return dt > 0 ? (n - first.n) / dt : 0;
  }
}

/** Seconds left at `rate`, 0 when nothing is left, null when the rate is unknown. */
export function etaSeconds(remaining: number, rate: number): number | null {
  return remaining <= 0 ? 0 : rate > 0 ? remaining / rate : null;
}

/**
 * Counts bytes and files into the one progress shape and hands it on at most every
 * `intervalMs`, so 10,000 small files do not flood a terminal or a page; `flush()` sends
 * the current figures at once.
 */
export class ProgressCounter {
  bytesDone = 0;
  filesDone = 0;
  private readonly window = new RateWindow();
  private last = 0;

  constructor(
    /** May grow as more is found (an MHL scan counts folder by folder). */
    public bytesTotal: number,
    public filesTotal: number,
    private readonly emit?: (p: Progress) => void,
    private readonly intervalMs = 250,
  ) {}

  bytes(n: number): void {
    this.bytesDone += n;
    this.maybeEmit();
  }

  file(): void {
    this.filesDone++;
    this.maybeEmit();
  }

  flush(): void {
    if (!this.emit) return;
    const now = Date.now();
    this.last = now;
    const rate = this.window.sample(now, this.bytesDone);
    this.emit({ bytesDone: this.bytesDone, bytesTotal: this.bytesTotal, filesDone: this.filesDone, filesTotal: this.filesTotal, rate, etaSeconds: etaSeconds(this.bytesTotal - this.bytesDone, rate) });
  }

  private maybeEmit(): void {
    if (Date.now() - this.last >= this.intervalMs) this.flush();
  }
}
