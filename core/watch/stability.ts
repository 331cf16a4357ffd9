/**
 * Waits until a folder stops changing: a card still being copied into a watch folder (or a
 * volume still mounting) must not be offloaded early. The folder is listed every poll; it
 * is stable once its file list, sizes and modification times have not changed for the
 * whole window and it holds at least one file.
 */
import { createHash } from 'node:crypto';
import { scanCard } from './scan.ts';
import type { CardSnapshot } from './types.ts';

export interface StabilityOptions {
  /** How long nothing may change. */
  stableMs: number;
  /** How often to look; stretched to twice a scan's duration for very large cards. */
  pollMs: number;
  signal?: AbortSignal;
  scan?: (root: string) => Promise<CardSnapshot>;
  /** Told about every change seen (for progress: "still arriving, 812 files"). */
  onChange?: (snapshot: CardSnapshot) => void;
}

/** A short digest of the listing: equal digests mean nothing was added, removed, resized or touched. */
export function listingDigest(s: CardSnapshot): string {
  const h = createHash('sha1');
  for (const f of s.files) h.update(`${f.path}\0${f.size}\0${f.mtimeMs}\n`);
  return h.digest('hex');
}

/** Waits `ms`; rejects with the abort reason if `signal` aborts first. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Resolves with the stable listing; rejects if the folder vanishes or `signal` aborts. */
export async function waitUntilStable(root: string, o: StabilityOptions): Promise<CardSnapshot> {
  const scan = o.scan ?? scanCard;
  let digest = '';
  let since = 0;
  for (;;) {
    const t0 = performance.now();
    const snapshot = await scan(root);
    const now = performance.now();
    const d = listingDigest(snapshot);
    if (d !== digest) {
      digest = d;
      since = now;
      o.onChange?.(snapshot);
    } else if (snapshot.files.length > 0 && now - since >= o.stableMs) {
      return snapshot;
    }
    const scanMs = now - t0;
    // Wake exactly when the window would close, so stability is seen within one scan of it.
    const untilWindow = since + o.stableMs - now;
    const wait = Math.max(2 * scanMs, Math.min(o.pollMs, untilWindow > 0 ? untilWindow : o.pollMs));
    await sleep(wait, o.signal);
  }
}
