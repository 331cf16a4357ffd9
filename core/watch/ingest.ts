/**
 * Automatic ingest, wired together. Detection (detector.ts) reports a card, and what it is
 * once it has settled; the policy (policy.ts) decides — duplicate, conflict, resume, start
 * or wait — from facts gathered here; this file records each decision in the card store
 * and queues the offload. The end of the offload moves the card on by workflow rule; while
 * an offloaded card stays inserted, growth.ts watches it and offloads it again if it grows.
 * The card's record and events live in the store, so a restart picks up where it was:
 * offloads resume through the queue, and cards still settling are looked at again when the
 * watcher reports them.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname } from 'node:path';
import { RushesError, errno } from '../errors.ts';
import type { OffloadPayload, OffloadRequest } from '../offload/job.ts';
import { FINAL_STATES, isJobOf, type JobEvent, type JobQueue, type JobSpec } from '../queue/index.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import type { Card, CardStore } from './card-store.ts';
import { canMove } from './card-states.ts';
import { CardDetector, cardError } from './detector.ts';
import { GrowthWatch, type CopiedFiles } from './growth.ts';
import { cardTargets } from './layout.ts';
import { decideByContent, decideStart, mustLookAtDisk, nothingToStart, removal, rollFolderConflict, superseded, type Conflict, type Refusal } from './policy.ts';
import type { IngestSettings } from './settings.ts';
import type { SettledCard } from './types.ts';

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

/** How often a card's offload progress is passed on: often enough that a card's bars move smoothly, live only (not stored). */
const PROGRESS_EVERY_MS = 250;

export class Ingest {
  private readonly detector: CardDetector;
  private readonly growth: GrowthWatch;
  private readonly lastProgress = new Map<number, number>();
  private readonly log: Logger;
  private unsubscribe?: () => void;
  private unsubscribeCards?: () => void;

  constructor(private readonly d: IngestDeps) {
    this.log = d.log ?? silentLogger;
    this.detector = new CardDetector({
      settings: d.settings,
      log: this.log,
      appeared: (path, label) => this.appeared(path, label),
      removed: (path) => this.removed(path),
    });
    this.growth = new GrowthWatch({
      cards: d.cards,
      copiedBy: (card) => {
        const offloadId = this.offloadIdOf(card);
        return offloadId === undefined ? undefined : d.copiedFiles(offloadId);
      },
      scan: (root) => this.detector.scan(root),
      intervalMs: Math.max(d.settings.pollMs, d.settings.stableMs),
      isSettling: (path) => this.detector.isSettling(path),
      settle: (card) => this.settle(card),
      offload: (card, settled, targets) => this.startOrWait(this.recordSettled(card, settled, targets)),
      log: this.log,
    });
  }

  async start(): Promise<void> {
    this.unsubscribe = this.d.queue.subscribe((e) => e.type === 'progress' && this.progress(e));
    // A workflow rule moves the card on when its offload ends (core/workflow/standard-rules.ts); once that has committed, an offloaded card still inserted is looked at again.
    this.unsubscribeCards = this.d.cards.subscribe((e) => (e.type === 'card.safe-to-eject' || e.type === 'card.copied') && this.growth.watch(e.cardId));
    await this.detector.start(this.d.cards.present().map((c) => c.path));
  }

  /** Nothing new is started after it (a job can still end in the runner's grace period). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribeCards?.();
    this.growth.stop();
    await this.detector.stop();
  }

  /**
   * Starts a card's offload by request: a card waiting for confirmation, one that failed,
   * or — with `force` — a duplicate. A conflict needs another roll name, never a merge.
   */
  async startOffload(id: number, o: { force?: boolean; roll?: string } = {}): Promise<Card> {
    const card = this.d.cards.get(id);
    if (!card) throw new RushesError('USAGE', `no card ${id}`);
    const decision = decideStart(card, { ...o, settling: this.detector.isSettling(card.path) });
    if ('refused' in decision) throw refusalError(decision.refused);
    const { identity, checkRollFolders } = decision.start;
    const targets = cardTargets(this.d.settings, identity, new Date(card.detectedAt));
    if (checkRollFolders) {
      const conflict = await this.conflictAt(card, targets);
      if (conflict) {
        this.d.cards.update(card.id, { targets, roll: identity.roll, relatedCard: conflict.with }, { type: 'card.conflict', data: { targets, reason: conflict.reason } });
        throw new RushesError('DEST_CONFLICT', conflict.reason, { path: conflict.target });
      }
    }
    return this.enqueueOffload({ ...card, roll: identity.roll, targets });
  }

  // ---- what detection reports --------------------------------------------------------

  private async appeared(path: string, label: string | undefined): Promise<void> {
    const previous = this.d.cards.latestAt(path);
    // Still the same insertion (a restart, or the watcher reporting it again): carry on with it.
    let card = previous?.present ? previous : undefined;
    if (card && card.state !== 'detected') {
      const again = await this.settle(card);
      if (!again || (await this.growth.seenAgain(card, again))) return;
      // Another card under the same mount name while we were not looking: the old one left.
      this.markRemoved(card);
      card = undefined;
    }
    card ??= this.d.cards.create(path, label);
    this.log.info('card detected', { card: card.id, path });
    const settled = await this.settle(card);
    if (settled) await this.identified(card, settled);
  }

  /** Settles the card's folder; a card that cannot be read fails. */
  private async settle(card: Card): Promise<SettledCard | undefined> {
    const result = await this.detector.settle(card.path, card.label);
    if (result && 'unreadable' in result) {
      const error = result.unreadable;
      this.log.warn('card could not be read', { card: card.id, ...error });
      this.d.cards.move(card.id, { state: 'failed', error, finishedAt: Date.now() }, { type: 'card.failed', data: { error } });
      return undefined;
    }
    return result?.settled;
  }

  private removed(path: string): void {
    const card = this.d.cards.latestAt(path);
    if (card?.present) this.markRemoved(card);
  }

  private markRemoved(card: Card): void {
    this.growth.forget(card.id);
    const { change, event } = removal(card, Date.now());
    this.d.cards.update(card.id, change, event);
    this.log.info('card removed', { card: card.id, path: card.path, state: card.state, safeToEject: card.safeToEject });
  }

  // ---- a settled card: decide, record, queue ----------------------------------------

  private async identified(card: Card, s: SettledCard): Promise<void> {
    const targets = cardTargets(this.d.settings, s.identity, new Date(card.detectedAt));
    card = this.recordSettled(card, s, targets);

    const byContent = decideByContent(this.d.cards.withFingerprint(s.fingerprint, card.id));
    if (byContent.kind === 'duplicate') {
      const { of } = byContent;
      // Moves are refused for a card that moved on meanwhile (pulled while it was decided): nothing more to say about it.
      if (this.d.cards.move(card.id, { state: 'duplicate', relatedCard: of.id, finishedAt: Date.now() }, { type: 'card.duplicate', data: { of: of.id, targets: of.targets } })) {
        this.log.info('card is a duplicate; not copied again', { card: card.id, of: of.id });
      }
      return;
    }
    for (const old of byContent.supersede) this.supersede(old, card);

    const conflict = await this.conflictAt(card, targets);
    if (conflict) {
      if (this.d.cards.move(card.id, { state: 'conflict', relatedCard: conflict.with }, { type: 'card.conflict', data: { targets, with: conflict.with, reason: conflict.reason } })) {
        this.log.warn('card conflicts with a destination; not copied', { card: card.id, reason: conflict.reason });
      }
      return;
    }
    await this.startOrWait(card);
  }

  /** Stores what settling found, with the folders the card goes to. */
  private recordSettled(card: Card, s: SettledCard, targets: string[]): Card {
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
      this.d.cards.move(card.id, { state: 'waiting' }, { type: 'card.waiting', data: { targets: card.targets } });
      return;
    }
    try {
      await this.enqueueOffload(card);
    } catch (e) {
      const error = cardError(e, card.path);
      this.d.cards.move(card.id, { state: 'failed', error, finishedAt: Date.now() }, { type: 'card.failed', data: { error } });
    }
  }

  /** The first of the card's roll folders that conflicts (policy.ts), in order; the disk is asked only about a folder no card explains. */
  private async conflictAt(card: Card, targets: string[]): Promise<Conflict | undefined> {
    for (const target of targets) {
      const cards = this.d.cards.withTarget(target, card.id);
      const conflict = rollFolderConflict(card, { target, cards, holdsFiles: mustLookAtDisk(cards) ? await holdsFiles(target) : undefined });
      if (conflict) return conflict;
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
      // Started twice at once, or moved on while its offload was planned: no second job.
      const current = this.d.cards.get(card.id)!;
      if (!canMove(current.state, 'offloading')) throw refusalError(nothingToStart(current));
      const { id } = this.d.queue.enqueue({ ...spec, payload, idempotencyKey: `card:${card.id}:offload:${attempt}` });
      return this.d.cards.update(card.id, { state: 'offloading', roll: card.roll, targets, jobId: id, error: undefined }, { type: 'card.offload-started', data: { job: id, targets } });
    });
  }

  private supersede(old: Card, by: Card): void {
    const { change, event, cancelReason } = superseded(old, by, Date.now());
    const job = old.jobId === undefined ? undefined : this.d.queue.get(old.jobId);
    if (job && !FINAL_STATES.has(job.state)) this.d.queue.cancel(job.id, cancelReason);
    this.d.cards.move(old.id, change, event);
  }

  private offloadIdOf(card: Card): string | undefined {
    const job = card.jobId === undefined ? undefined : this.d.queue.get(card.jobId);
    return job && isJobOf(job, 'offload') ? job.result?.offloadId : undefined;
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
}

function refusalError(r: Refusal): RushesError {
  return new RushesError(r.code, r.message, { path: r.path });
}

async function holdsFiles(folder: string): Promise<boolean> {
  try {
    return (await fsp.readdir(folder)).length > 0;
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw e;
  }
}
