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
}
