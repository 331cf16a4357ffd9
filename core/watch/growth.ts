/**
 * A card after its offload, while it stays inserted. A card in a reader does not change,
 * but a folder in a watch folder can: a copy into it that stalled for longer than the
 * stability window and then went on. A file the offload did not copy — new, or with
 * another size or modification time than the one copied — means the card is no longer
 * covered by its offload, so it must lose "safe to eject" and be offloaded again, into the
 * same roll folders (files already there are read back and kept, the new ones copied, and
 * a new ASC MHL generation records them all).
 */
import type { Logger } from '../util/log.ts';
import type { Card, CardStore } from './card-store.ts';
import { isOffloaded } from './card-states.ts';
import { sleep } from './stability.ts';
import type { CardSnapshot, SettledCard } from './types.ts';

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

export interface GrowthOptions {
  cards: CardStore;
  /** What the card's finished offload read of each file it copied; undefined when it has none. */
  copiedBy(card: Card): CopiedFiles | undefined;
  /** Lists a card as detection does (its ignore rules). */
  scan(root: string): Promise<CardSnapshot>;
  /** The first gap between two looks at an offloaded card. */
  intervalMs: number;
  /** Whether detection is settling this folder now: a card seen again after a restart is decided there. */
  isSettling(path: string): boolean;
  /** Waits for the card to settle again; undefined when it was pulled, the daemon stops, or it could not be read (it has failed then). */
  settle(card: Card): Promise<SettledCard | undefined>;
  /** Records what settling found with the card's roll folders `targets`, and queues its offload (or waits), as for any settled card. */
  offload(card: Card, settled: SettledCard, targets: string[]): Promise<void>;
  log: Logger;
}

/** Watches offloaded cards while they stay inserted, and offloads again one that grew. */
export class GrowthWatch {
  /** Offloaded cards still inserted, by card id: aborting stops looking at them. */
  private readonly watching = new Map<number, AbortController>();
  /** Set by stop(): nothing is offloaded again after it. */
  private stopped = false;

  constructor(private readonly o: GrowthOptions) {}

  stop(): void {
    this.stopped = true;
    for (const c of this.watching.values()) c.abort();
  }

  /** Looks at an offloaded card until it is pulled; if it gains or changes a file, it is offloaded again. */
  watch(cardId: number): void {
    if (this.stopped || this.watching.has(cardId)) return;
    const card = this.o.cards.get(cardId);
    const copied = card?.present && isOffloaded(card.state) ? this.o.copiedBy(card) : undefined;
    if (!card || !copied) return;
    const controller = new AbortController();
    this.watching.set(cardId, controller);
    waitForUncopiedFiles(card.path, copied, {
      intervalMs: this.o.intervalMs,
      signal: controller.signal,
      scan: this.o.scan,
      onError: (e) => this.o.log.warn('could not look at an offloaded card again', { card: cardId, error: (e as Error).message }),
    })
      .then(
        (changed) => (changed.length > 0 ? this.grew(cardId, changed) : undefined),
        () => undefined, // aborted: pulled, or the daemon stops
      )
      .catch((e: unknown) => this.o.log.error('offloading a changed card again failed', { card: cardId, error: (e as Error).message }))
      .finally(() => {
        if (this.watching.get(cardId) === controller) this.watching.delete(cardId);
      });
  }

  /** Stops looking at a card: it was pulled. */
  forget(cardId: number): void {
    this.watching.get(cardId)?.abort();
  }

  /**
   * A card the store knows as inserted, settled again (`again`) after a restart or a second
   * report of its folder: true when it is still that card — unchanged (an offloaded one is
   * watched again) or grown while nobody looked (offloaded again); false when another card
   * came in under the same name.
   */
  async seenAgain(card: Card, again: SettledCard): Promise<boolean> {
    if (again.fingerprint === card.fingerprint) {
      this.watch(card.id);
      return true;
    }
    const changed = await this.uncopiedOnSameCard(card);
    if (!changed || this.stopped) return false;
    const changing = this.markChanged(card, changed);
    if (changing) await this.offloadAgain(changing, again);
    return true;
  }

  /** The card holds files its offload did not copy: no longer safe to eject; once it settles again it is offloaded again. */
  private async grew(cardId: number, changed: string[]): Promise<void> {
    const card = this.o.cards.get(cardId);
    // A folder being settled by detection (a restart) is decided there.
    if (this.stopped || !card?.present || !isOffloaded(card.state) || this.o.isSettling(card.path)) return;
    const changing = this.markChanged(card, changed);
    const settled = changing && (await this.o.settle(changing));
    if (settled) await this.offloadAgain(changing, settled);
  }

  /** Takes "safe to eject" away, naming the files; undefined when the card has moved on meanwhile. */
  private markChanged(card: Card, changed: string[]): Card | undefined {
    const changing = this.o.cards.move(card.id, { state: 'detected' }, { type: 'card.changed', data: { files: changed.length, first: changed.slice(0, 20), targets: card.targets } });
    if (changing) this.o.log.warn('card changed after its offload; no longer safe to eject, offloading it again', { card: card.id, files: changed.length, first: changed[0] });
    return changing;
  }

  private async offloadAgain(card: Card, s: SettledCard): Promise<void> {
    if (this.stopped) return;
    // It keeps the camera, roll and folders it was offloaded under, whatever the new files suggest.
    const kept = { ...s.identity, camera: card.camera ?? s.identity.camera, roll: card.roll ?? s.identity.roll, evidence: card.evidence ?? s.identity.evidence };
    await this.o.offload(card, { ...s, identity: kept }, card.targets);
  }

  /**
   * The files on an offloaded card that its offload did not copy — when every file it did
   * copy is still there as it was; otherwise (another card under the same mount name, a
   * file gone) undefined.
   */
  private async uncopiedOnSameCard(card: Card): Promise<string[] | undefined> {
    const copied = isOffloaded(card.state) ? this.o.copiedBy(card) : undefined;
    if (!copied) return undefined;
    const now = await this.o.scan(card.path).catch(() => undefined);
    if (!now) return undefined;
    const onCard = new Map(now.files.map((f) => [f.path, f]));
    for (const [path, was] of copied) {
      const is = onCard.get(path);
      if (!is || is.size !== was.size || is.mtimeMs !== was.mtimeMs) return undefined;
    }
    const changed = filesNotCopied(now, copied);
    return changed.length > 0 ? changed : undefined;
  }
}
