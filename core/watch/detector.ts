/**
 * Card detection: which folders are cards, when one appears or goes away, and — once it
 * has stopped changing — what it is (camera, roll, fingerprint). It knows no card records:
 * it reports paths and facts, and the ingest decides what they mean for the store.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, isAbsolute, relative } from 'node:path';
import { RushesError, errorRecord } from '../errors.ts';
import { ignoreMatcher, type IgnoreMatcher } from '../fs/ignore.ts';
import type { JobError } from '../queue/index.ts';
import type { Logger } from '../util/log.ts';
import { fingerprintCard } from './fingerprint.ts';
import { identifyCard } from './identify.ts';
import { scanCard } from './scan.ts';
import type { IngestSettings } from './settings.ts';
import { waitUntilStable } from './stability.ts';
import type { CardSnapshot, SettledCard } from './types.ts';
import { CardWatcher } from './watcher.ts';

export interface DetectorOptions {
  settings: IngestSettings;
  log: Logger;
  /** A folder that may be a card appeared; `label` is its volume name when it is mounted under a mount root. */
  appeared(path: string, label: string | undefined): Promise<void>;
  /** A card's folder went away: pulled, unmounted, or gone while the daemon was down. Any settling of it has stopped. */
  removed(path: string): void;
}

/** How settling a folder ended: its facts, why it could not be read, or undefined when it was stopped (pulled, or the daemon stops). */
export type SettleResult = { settled: SettledCard } | { unreadable: JobError } | undefined;

export class CardDetector {
  private readonly watcher: CardWatcher;
  /** Folders settling now: aborting stops the wait. */
  private readonly settling = new Map<string, AbortController>();
  /** What is never card content, and volumes that are never cards. */
  private readonly ignore: IgnoreMatcher;
  private readonly ignoreVolumes: IgnoreMatcher;

  constructor(private readonly o: DetectorOptions) {
    this.ignore = ignoreMatcher(o.settings.ignore);
    this.ignoreVolumes = ignoreMatcher(o.settings.ignoreVolumes);
    this.watcher = new CardWatcher({
      roots: o.settings.roots,
      usePolling: o.settings.usePolling,
      log: o.log,
      onAppear: (path) => this.appeared(path),
      onDisappear: (path) => this.disappeared(path),
    });
  }

  /**
   * Reports each of `knownPresent` (folders the store thinks are inserted) that is gone —
   * pulled while the daemon was down — then watches; resolves once the folders already
   * there have been reported.
   */
  async start(knownPresent: readonly string[]): Promise<void> {
    for (const path of knownPresent) fsp.stat(path).catch(() => this.o.removed(path));
    await this.watcher.start();
  }

  async stop(): Promise<void> {
    for (const c of this.settling.values()) c.abort();
    await this.watcher.stop();
  }

  isSettling(path: string): boolean {
    return this.settling.has(path);
  }

  /** Lists a card as detection sees it (the configured ignore rules applied). */
  scan(root: string): Promise<CardSnapshot> {
    return scanCard(root, this.ignore);
  }

  /** Waits for the folder to stop changing, then identifies and fingerprints it. */
  async settle(path: string, label: string | undefined): Promise<SettleResult> {
    const controller = new AbortController();
    this.settling.set(path, controller);
    try {
      const snapshot = await waitUntilStable(path, {
        stableMs: this.o.settings.stableMs,
        pollMs: this.o.settings.pollMs,
        signal: controller.signal,
        scan: (root) => this.scan(root),
      });
      const identity = identifyCard(snapshot, { volumeLabel: label, folderName: basename(path) });
      const fingerprint = await fingerprintCard(snapshot);
      return { settled: { identity, fingerprint, files: snapshot.files.length, bytes: snapshot.bytes } };
    } catch (e) {
      if (controller.signal.aborted) return undefined;
      return { unreadable: cardError(e, path) };
    } finally {
      if (this.settling.get(path) === controller) this.settling.delete(path);
    }
  }

  private appeared(path: string): void {
    if (this.settling.has(path) || this.excluded(path)) return;
    const label = this.o.settings.mountRoots.includes(dirname(path)) ? basename(path) : undefined;
    // A failure here (the store closed under a shutdown, a disk error) is logged, never an unhandled rejection that ends the daemon.
    this.o.appeared(path, label).catch((e: unknown) => this.o.log.error('handling a new card failed', { path, error: (e as Error).message }));
  }

  private disappeared(path: string): void {
    // Forget the wait at once: the card may be back before the aborted wait has unwound.
    this.settling.get(path)?.abort();
    this.settling.delete(path);
    this.o.removed(path);
  }

  /** Destinations (a RAID mounted beside the cards) and volumes the config names are never cards. */
  private excluded(path: string): boolean {
    if (this.ignoreVolumes.ignores(basename(path), true)) return true;
    return this.o.settings.destinations.some((d) => within(d, path) || within(path, d));
  }
}

function within(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A card that cannot be read or started: a RushesError says why; anything else is a read failure of the card. */
export function cardError(e: unknown, path: string): JobError {
  return e instanceof RushesError ? errorRecord(e, path) : errorRecord(new RushesError('SOURCE_UNREADABLE', `${path}: ${(e as Error).message}`, { path }));
}
