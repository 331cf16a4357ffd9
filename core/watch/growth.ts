/**
 * A card after its offload, while it stays inserted. A card in a reader does not change,
 * but a folder in a watch folder can: a copy into it that stalled for longer than the
 * stability window and then went on. A file the offload did not copy — new, or with
 * another size or modification time than the one copied — means the card is no longer
 * covered by its offload, so it must lose "safe to eject" and be offloaded again.
 */
import { sleep } from './stability.ts';
import type { CardSnapshot } from './types.ts';

/** What the offload read of each file it copied, by path relative to the card. */
export type CopiedFiles = ReadonlyMap<string, { size: number; mtimeMs: number }>;

/** Paths on the card now that the offload did not copy as they are. Files gone since do not count: they were copied. */
export function filesNotCopied(now: CardSnapshot, copied: CopiedFiles): string[] {
  return now.files.filter((f) => {
    const was = copied.get(f.path);
    return !was || was.size !== f.size || was.mtimeMs !== f.mtimeMs;
  }).map((f) => f.path);
}

/** Looking stops after this long without a change: a copy that stalled for an hour is not coming back. */
export const WATCH_AFTER_OFFLOAD_MS = 60 * 60_000;
/** The longest gap between two looks, reached by doubling from the first. */
const LONGEST_INTERVAL_MS = 60_000;

/**
 * Looks at the card until it holds a file the offload did not copy, and resolves with
 * those paths; resolves with none once `forMs` passed without a change. The first look
 * comes after `intervalMs`, then the gap doubles up to a minute: a copy that goes on does
 * so soon, and a shelf of offloaded folders must not be listed every few seconds forever.
 * A look that fails (a network share's hiccup) is reported and the next one comes anyway;
 * a pulled card is the watcher's to report. Rejects only when `signal` aborts.
 */
export async function waitForUncopiedFiles(
  root: string,
  copied: CopiedFiles,
  o: { intervalMs: number; forMs?: number; signal: AbortSignal; scan: (root: string) => Promise<CardSnapshot>; onError?: (e: unknown) => void },
): Promise<string[]> {
  const until = Date.now() + (o.forMs ?? WATCH_AFTER_OFFLOAD_MS);
  let interval = o.intervalMs;
  while (Date.now() < until) {
    await sleep(interval, o.signal);
    interval = Math.min(interval * 2, Math.max(o.intervalMs, LONGEST_INTERVAL_MS));
    try {
      const changed = filesNotCopied(await o.scan(root), copied);
      if (changed.length > 0) return changed;
    } catch (e) {
      o.signal.throwIfAborted();
      o.onError?.(e);
    }
  }
  return [];
}
