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

/**
 * Looks at the card every `intervalMs` until it holds a file the offload did not copy, and
 * resolves with those paths. Rejects when `signal` aborts or the card cannot be listed
 * (pulled: the watcher reports that separately).
 */
export async function waitForUncopiedFiles(root: string, copied: CopiedFiles, o: { intervalMs: number; signal: AbortSignal; scan: (root: string) => Promise<CardSnapshot> }): Promise<string[]> {
  for (;;) {
    await sleep(o.intervalMs, o.signal);
    const changed = filesNotCopied(await o.scan(root), copied);
    if (changed.length > 0) return changed;
  }
}
