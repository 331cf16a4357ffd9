/**
 * Automatic ingest: a card appears, settles, is identified and fingerprinted, and — unless
 * it is a duplicate or conflicts with what a destination already holds — its offload is
 * queued. When the offload ends, the card is marked safe to eject (every destination read
 * back from the medium) or failed. While an offloaded card stays inserted it is looked at
 * again now and then: one that gained or changed a file since loses "safe to eject" and is
 * offloaded again (growth.ts). The card's record and events live in the store, so a
 * restart picks up where it was: offloads resume through the queue, and cards still
 * settling are looked at again when the watcher reports them.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, isAbsolute, relative } from 'node:path';
import { RushesError, errno, errorRecord } from '../errors.ts';
import type { OffloadPayload, OffloadRequest } from '../offload/job.ts';
import { FINAL_STATES, isJobOf, type JobError, type JobEvent, type JobQueue, type JobSpec } from '../queue/index.ts';
import type { Card, CardStore } from './card-store.ts';
import { ignoreMatcher, type IgnoreMatcher } from '../fs/ignore.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { fingerprintCard } from './fingerprint.ts';
import { identifyCard, sanitizeRoll } from './identify.ts';
import type { CardIdentity } from './types.ts';
import { renderLayout } from './layout.ts';
import { filesNotCopied, waitForUncopiedFiles, type CopiedFiles } from './growth.ts';
import { scanCard } from './scan.ts';
import { waitUntilStable } from './stability.ts';
import type { IngestSettings } from './settings.ts';
import { CardWatcher } from './watcher.ts';

export interface IngestDeps {
  cards: CardStore;
  queue: JobQueue;
  settings: IngestSettings;
  /** Checks an offload request against the disks and makes its job (planOffloadJob). */
  planOffload(req: OffloadRequest): Promise<JobSpec>;
  /** What an offload read of each file it copied (OffloadStore.sourceFiles). */
  copiedFiles(offloadId: string): CopiedFiles;
  log?: Logger;
}

/** What settling a card found. */
interface Settled {
  identity: CardIdentity;
  fingerprint: string;
  files: number;
  bytes: number;
}

/** How often a card's offload progress is passed on. */
const PROGRESS_EVERY_MS = 1000;

export class Ingest {
  private readonly watcher: CardWatcher;
  /** Cards settling now, by path: aborting stops the wait. */
  private readonly settling = new Map<string, AbortController>();
  /** Offloaded cards still inserted, by card id: aborting stops looking at them. */
  private readonly afterOffload = new Map<number, AbortController>();
  private readonly lastProgress = new Map<number, number>();
  private readonly log: Logger;
  /** Set by stop(): nothing new is started after it (a job can still end in the runner's grace period). */
  private stopped = false;
  /** What is never card content, and volumes that are never cards. */
  private readonly ignore: IgnoreMatcher;
  private readonly ignoreVolumes: IgnoreMatcher;
  private unsubscribe?: () => void;
  private unsubscribeCards?: () => void;

  constructor(private readonly d: IngestDeps) {
    this.log = d.log ?? silentLogger;
    this.ignore = ignoreMatcher(d.settings.ignore);
    this.ignoreVolumes = ignoreMatcher(d.settings.ignoreVolumes);
    this.watcher = new CardWatcher({
      roots: d.settings.roots,
      usePolling: d.settings.usePolling,
      log: this.log,
      // A failure here (the store closed under a shutdown, a disk error) is logged, never an unhandled rejection that ends the daemon.
      onAppear: (path) => void this.appeared(path).catch((e: unknown) => this.log.error('handling a new card failed', { path, error: (e as Error).message })),
      onDisappear: (path) => this.disappeared(path),
    });
  }

  async start(): Promise<void> {
    this.reconcile();
    this.unsubscribe = this.d.queue.subscribe((e) => e.type === 'progress' && this.progress(e));
    // A workflow rule moves the card on when its offload ends (core/workflow/standard-rules.ts); once that has committed, an offloaded card still inserted is looked at again.
    this.unsubscribeCards = this.d.cards.subscribe((e) => (e.type === 'card.safe-to-eject' || e.type === 'card.copied') && this.watchAfterOffload(e.cardId));
    await this.watcher.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribeCards?.();
    for (const c of [...this.settling.values(), ...this.afterOffload.values()]) c.abort();
    await this.watcher.stop();
  }

  /**
   * Starts a card's offload by request: a card waiting for confirmation, one that failed,
   * or — with `force` — a duplicate. A conflict needs another roll name, never a merge.
   */
  async startOffload(id: number, o: { force?: boolean; roll?: string } = {}): Promise<Card> {
    const card = this.d.cards.get(id);
    if (!card) throw new RushesError('USAGE', `no card ${id}`);
    if (!card.present) throw new RushesError('SOURCE_MISSING', `card ${id} (${card.path}) is no longer there`, { path: card.path });
    if (!card.fingerprint || !card.camera || !card.roll || card.state === 'detected' || this.settling.has(card.path)) throw new RushesError('USAGE', `card ${id} is still settling; it can start once it is identified`);
    if (card.state === 'offloading' || card.state === 'verified') throw new RushesError('USAGE', `card ${id} is ${card.state}; there is nothing to start`);
    if (card.state === 'duplicate' && !o.force) throw new RushesError('USAGE', `card ${id} duplicates card ${card.relatedCard}, which was offloaded and verified; send {"force": true} to copy it again`);
    if (card.state === 'conflict' && !o.roll) throw new RushesError('USAGE', `card ${id} conflicts with what ${card.targets.join(', ')} hold${card.targets.length === 1 ? 's' : ''}; send {"roll": "<another roll name>"} to offload it under another name`);
    const identity = { camera: card.camera, roll: o.roll ? sanitizeRoll(o.roll) : card.roll, volumeLabel: card.label, clipCount: card.clips ?? 0, evidence: card.evidence ?? '' };
    const targets = this.targetsFor(identity, new Date(card.detectedAt));
    if (o.roll) {
      const conflict = await this.conflictAt(card, targets);
      if (conflict) {
        this.d.cards.update(card.id, { targets, roll: identity.roll, relatedCard: conflict.with }, { type: 'card.conflict', data: { targets, reason: conflict.reason } });
        throw new RushesError('DEST_CONFLICT', conflict.reason, { path: conflict.target });
      }
    }
    return this.enqueueOffload({ ...card, roll: identity.roll, targets });
  }

  // ---- detection --------------------------------------------------------------------

  /** Cards the store thinks are present but whose folder is gone (pulled while we were down). */
  private reconcile(): void {
    for (const card of this.d.cards.present()) {
      fsp.stat(card.path).catch(() => this.markRemoved(card));
    }
  }

  private async appeared(path: string): Promise<void> {
    if (this.settling.has(path) || this.excluded(path)) return;
    const previous = this.d.cards.latestAt(path);
    // Still the same insertion (a restart, or the watcher reporting it again): carry on with it.
    let card = previous?.present ? previous : undefined;
    if (card && card.state !== 'detected') {
      const again = await this.settle(path, card);
      if (!again) return;
      if (again.fingerprint === card.fingerprint) {
        if (card.state === 'verified' || card.state === 'copied') this.watchAfterOffload(card.id);
        return;
      }
      // Everything its offload copied is still there, and more: the card grew while we were down.
      const changed = await this.uncopiedOnSameCard(card);
      if (changed && !this.stopped) {
        await this.offloadAgain(this.markChanged(card, changed), again);
        return;
      }
      // Another card under the same mount name while we were not looking: the old one left.
      this.markRemoved(card);
      card = undefined;
    }
    card ??= this.d.cards.create(path, this.isMountRoot(dirname(path)) ? basename(path) : undefined);
    this.log.info('card detected', { card: card.id, path });
    const settled = await this.settle(path, card);
    if (settled) await this.identified(card, settled);
  }

  /** Waits for the folder to stop changing, then identifies and fingerprints it. */
  private async settle(path: string, card: Card): Promise<Settled | undefined> {
    const controller = new AbortController();
    this.settling.set(path, controller);
    try {
      const snapshot = await waitUntilStable(path, {
        stableMs: this.d.settings.stableMs,
        pollMs: this.d.settings.pollMs,
        signal: controller.signal,
        scan: (root) => scanCard(root, this.ignore),
      });
      const identity = identifyCard(snapshot, { volumeLabel: card.label, folderName: basename(path) });
      const fingerprint = await fingerprintCard(snapshot);
      return { identity, fingerprint, files: snapshot.files.length, bytes: snapshot.bytes };
    } catch (e) {
      if (controller.signal.aborted) return undefined;
      const error = toJobError(e, path);
      this.log.warn('card could not be read', { card: card.id, ...error });
      this.d.cards.update(card.id, { state: 'failed', error, finishedAt: Date.now() }, { type: 'card.failed', data: { error } });
      return undefined;
    } finally {
      if (this.settling.get(path) === controller) this.settling.delete(path);
    }
  }

  private async identified(card: Card, s: Settled): Promise<void> {
    const targets = this.targetsFor(s.identity, new Date(card.detectedAt));
    card = this.recordSettled(card, s, targets);

    const earlier = this.d.cards.withFingerprint(s.fingerprint, card.id);
    const verified = earlier.find((c) => c.state === 'verified');
    if (verified) {
      this.d.cards.update(card.id, { state: 'duplicate', relatedCard: verified.id, finishedAt: Date.now() }, { type: 'card.duplicate', data: { of: verified.id, targets: verified.targets } });
      this.log.info('card is a duplicate; not copied again', { card: card.id, of: verified.id });
      return;
    }
    // The same card came back before its offload finished: the old attempt gives way, the new one resumes it.
    for (const old of earlier.filter((c) => c.state === 'offloading' && c.jobId !== undefined)) this.supersede(old, card);

    const conflict = await this.conflictAt(card, targets);
    if (conflict) {
      this.d.cards.update(card.id, { state: 'conflict', relatedCard: conflict.with }, { type: 'card.conflict', data: { targets, with: conflict.with, reason: conflict.reason } });
      this.log.warn('card conflicts with a destination; not copied', { card: card.id, reason: conflict.reason });
      return;
    }
    await this.startOrWait(card);
  }

  /** Stores what settling found, with the folders the card goes to. */
  private recordSettled(card: Card, s: Settled, targets: string[]): Card {
    const { identity } = s;
    this.log.info('card identified', { card: card.id, camera: identity.camera, roll: identity.roll, files: s.files, bytes: s.bytes });
    return this.d.cards.update(
      card.id,
      { camera: identity.camera, roll: identity.roll, clips: identity.clipCount, evidence: identity.evidence, fingerprint: s.fingerprint, files: s.files, bytes: s.bytes, targets, identifiedAt: Date.now() },
      { type: 'card.identified', data: { camera: identity.camera, roll: identity.roll, label: identity.volumeLabel, clips: identity.clipCount, files: s.files, bytes: s.bytes, fingerprint: s.fingerprint, evidence: identity.evidence } },
    );
  }

  /** Queues the card's offload, or (autoStart off) leaves it waiting for someone to start it. */
  private async startOrWait(card: Card): Promise<void> {
    if (!this.d.settings.autoStart) {
      this.d.cards.update(card.id, { state: 'waiting' }, { type: 'card.waiting', data: { targets: card.targets } });
      return;
    }
    try {
      await this.enqueueOffload(card);
    } catch (e) {
      const error = toJobError(e, card.path);
      this.d.cards.update(card.id, { state: 'failed', error, finishedAt: Date.now() }, { type: 'card.failed', data: { error } });
    }
  }

  private disappeared(path: string): void {
    // Forget the wait at once: the card may be back before the aborted wait has unwound.
    this.settling.get(path)?.abort();
    this.settling.delete(path);
    const card = this.d.cards.latestAt(path);
    if (card?.present) this.markRemoved(card);
  }

  // ---- after the offload --------------------------------------------------------------

  /** Looks at an offloaded card until it is pulled; if it gains or changes a file, it is offloaded again. */
  private watchAfterOffload(cardId: number): void {
    const card = this.d.cards.get(cardId);
    const offloadId = card && this.offloadIdOf(card);
    if (this.stopped || !card?.present || (card.state !== 'verified' && card.state !== 'copied') || !offloadId || this.afterOffload.has(cardId)) return;
    const controller = new AbortController();
    this.afterOffload.set(cardId, controller);
    waitForUncopiedFiles(card.path, this.d.copiedFiles(offloadId), {
      intervalMs: Math.max(this.d.settings.pollMs, this.d.settings.stableMs),
      signal: controller.signal,
      scan: (root) => scanCard(root, this.ignore),
      onError: (e) => this.log.warn('could not look at an offloaded card again', { card: cardId, error: (e as Error).message }),
    })
      .then(
        (changed) => (changed.length > 0 ? this.grew(cardId, changed) : undefined),
        () => undefined, // aborted: pulled, or the daemon stops
      )
      .catch((e: unknown) => this.log.error('offloading a changed card again failed', { card: cardId, error: (e as Error).message }))
      .finally(() => {
        if (this.afterOffload.get(cardId) === controller) this.afterOffload.delete(cardId);
      });
  }

  /**
   * The card holds files its offload did not copy. It is no longer safe to eject; once it
   * settles again it is offloaded again into the same folders (files already there are
   * read back and kept, the new ones copied, a new ASC MHL generation records them all).
   */
  private async grew(cardId: number, changed: string[]): Promise<void> {
    const card = this.d.cards.get(cardId);
    // A folder being settled by appeared() (a restart) is decided there.
    if (this.stopped || !card?.present || (card.state !== 'verified' && card.state !== 'copied') || this.settling.has(card.path)) return;
    const changing = this.markChanged(card, changed);
    const settled = await this.settle(changing.path, changing);
    if (settled) await this.offloadAgain(changing, settled);
  }

  private markChanged(card: Card, changed: string[]): Card {
    this.log.warn('card changed after its offload; no longer safe to eject, offloading it again', { card: card.id, files: changed.length, first: changed[0] });
    return this.d.cards.update(card.id, { state: 'detected' }, { type: 'card.changed', data: { files: changed.length, first: changed.slice(0, 20), targets: card.targets } });
  }

  /** Records the settled card's new content and offloads it again into its roll folders. */
  private async offloadAgain(card: Card, s: Settled): Promise<void> {
    if (this.stopped) return;
    // It keeps the camera, roll and folders it was offloaded under, whatever the new files suggest.
    const kept = { ...s.identity, camera: card.camera ?? s.identity.camera, roll: card.roll ?? s.identity.roll, evidence: card.evidence ?? s.identity.evidence };
    await this.startOrWait(this.recordSettled(card, { ...s, identity: kept }, card.targets));
  }

  /**
   * The files on an offloaded card that its offload did not copy — when every file it did
   * copy is still there as it was; otherwise (another card under the same mount name, a
   * file gone) undefined.
   */
  private async uncopiedOnSameCard(card: Card): Promise<string[] | undefined> {
    const offloadId = this.offloadIdOf(card);
    if ((card.state !== 'verified' && card.state !== 'copied') || !offloadId) return undefined;
    const copied = this.d.copiedFiles(offloadId);
    const now = await scanCard(card.path, this.ignore).catch(() => undefined);
    if (!now) return undefined;
    const onCard = new Map(now.files.map((f) => [f.path, f]));
    for (const [path, was] of copied) {
      const is = onCard.get(path);
      if (!is || is.size !== was.size || is.mtimeMs !== was.mtimeMs) return undefined;
    }
    const changed = filesNotCopied(now, copied);
    return changed.length > 0 ? changed : undefined;
  }

  private offloadIdOf(card: Card): string | undefined {
    const job = card.jobId === undefined ? undefined : this.d.queue.get(card.jobId);
    return job && isJobOf(job, 'offload') ? job.result?.offloadId : undefined;
  }

  private markRemoved(card: Card): void {
    this.afterOffload.get(card.id)?.abort();
    const unsettled = card.state === 'detected';
    const error: JobError | undefined = unsettled ? { code: 'SOURCE_MISSING', message: `${card.path} was removed before it stopped changing`, path: card.path } : card.error;
    this.d.cards.update(card.id, { present: false, ...(unsettled ? { state: 'failed' as const, error, finishedAt: Date.now() } : {}) }, { type: 'card.removed', data: { path: card.path, state: unsettled ? 'failed' : card.state, safeToEject: card.safeToEject } });
    this.log.info('card removed', { card: card.id, path: card.path, state: card.state, safeToEject: card.safeToEject });
  }

  // ---- decisions --------------------------------------------------------------------

  private targetsFor(identity: CardIdentity, date: Date): string[] {
    return this.d.settings.destinations.map((root) => renderLayout(root, this.d.settings.layout, { project: this.d.settings.project, date, identity }));
  }

  /**
   * A conflict: a destination roll folder that another card's content went to, or that
   * holds files no card with this content put there. Never merged, never overwritten.
   */
  private async conflictAt(card: Card, targets: string[]): Promise<{ target: string; with?: number; reason: string } | undefined> {
    for (const target of targets) {
      // Only cards whose offload was queued can have put files there.
      const users = this.d.cards.withTarget(target, card.id).filter((c) => c.fingerprint !== undefined && c.jobId !== undefined);
      const other = users.find((c) => c.fingerprint !== card.fingerprint);
      if (other) return { target, with: other.id, reason: `${target} already holds roll ${other.roll} from card ${other.id} with other content` };
      if (users.length === 0 && (await holdsFiles(target))) return { target, reason: `${target} already exists and holds files that no card with this content put there` };
    }
    return undefined;
  }

  private async enqueueOffload(card: Card): Promise<Card> {
    const targets = card.targets;
    const roll = basename(targets[0]);
    const spec = await this.d.planOffload({
      source: card.path,
      destinations: targets.map((t) => dirname(t)),
      roll,
      hashes: this.d.settings.hashes,
      verify: this.d.settings.verify,
      sourceVerify: this.d.settings.sourceVerify,
      ignore: this.d.settings.ignore,
      comment: `card ${card.roll ?? roll} (${card.camera ?? 'unknown camera'}) detected at ${card.path}`,
    });
    const attempt = this.d.cards.events({ cardId: card.id }).filter((e) => e.type === 'card.offload-started').length + 1;
    const payload: OffloadPayload = { ...(spec.payload as OffloadPayload), cardId: card.id };
    return this.d.queue.transaction(() => {
      const { id } = this.d.queue.enqueue({ ...spec, payload, idempotencyKey: `card:${card.id}:offload:${attempt}` });
      return this.d.cards.update(card.id, { state: 'offloading', roll: card.roll, targets, jobId: id, error: undefined }, { type: 'card.offload-started', data: { job: id, targets } });
    });
  }

  private supersede(old: Card, by: Card): void {
    const job = old.jobId === undefined ? undefined : this.d.queue.get(old.jobId);
    if (job && !FINAL_STATES.has(job.state)) this.d.queue.cancel(job.id, `card ${old.id} came back as card ${by.id}; its offload resumes there`);
    const error: JobError = { code: 'SOURCE_MISSING', message: `superseded: the card came back as card ${by.id}`, path: old.path };
    this.d.cards.update(old.id, { state: 'failed', present: false, error, finishedAt: Date.now() }, { type: 'card.failed', data: { error } });
  }

  private progress(e: JobEvent): void {
    if (e.kind !== 'offload') return;
    const last = this.lastProgress.get(e.jobId) ?? 0;
    if (Date.now() - last < PROGRESS_EVERY_MS) return;
    const card = this.d.cards.byJob(e.jobId);
    if (!card || card.state !== 'offloading') return;
    this.lastProgress.set(e.jobId, Date.now());
    this.d.cards.announceLive(card.id, 'card.progress', e.data);
  }

  // ---- what is not a card -----------------------------------------------------------

  private isMountRoot(folder: string): boolean {
    return this.d.settings.mountRoots.includes(folder);
  }

  /** Destinations (a RAID mounted beside the cards) and volumes the config names are never cards. */
  private excluded(path: string): boolean {
    const name = basename(path);
    if (this.ignoreVolumes.ignores(name, true)) return true;
    return this.d.settings.destinations.some((d) => within(d, path) || within(path, d));
  }
}

function within(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function holdsFiles(folder: string): Promise<boolean> {
  try {
    return (await fsp.readdir(folder)).length > 0;
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
}

/** A card that cannot be read: a RushesError says why; anything else is a read failure of the card. */
function toJobError(e: unknown, path: string): JobError {
  return e instanceof RushesError ? errorRecord(e, path) : errorRecord(new RushesError('SOURCE_UNREADABLE', `${path}: ${(e as Error).message}`, { path }));
}
