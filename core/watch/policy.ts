/**
 * The ingest policy: what happens to a card once it has settled, whether it may be started
 * by request, and what its removal means. Pure: the caller gathers the facts (earlier cards
 * from the store, whether a roll folder holds files) and carries out the decision, so every
 * rule here is tested as data.
 */
import type { JobError } from '../queue/index.ts';
import type { Card, CardEventType, CardUpdate } from './card-store.ts';
import { canMove } from './card-states.ts';
import { sanitizeRoll } from './identify.ts';
import type { CardIdentity } from './types.ts';

/** A card decided by its content against the earlier cards with the same fingerprint. */
export type ContentDecision =
  /** Already offloaded and verified as `of`: not copied again. */
  | { kind: 'duplicate'; of: Card }
  /** Copied like any new card; earlier cards still offloading the same content give way to it. */
  | { kind: 'new'; supersede: Card[] };

export function decideByContent(earlier: readonly Card[]): ContentDecision {
  const verified = earlier.find((c) => c.state === 'verified');
  if (verified) return { kind: 'duplicate', of: verified };
  // The same card came back before its offload finished (pulled mid-copy): the old attempt gives way, the new one resumes it.
  return { kind: 'new', supersede: earlier.filter((c) => c.state === 'offloading' && c.jobId !== undefined) };
}

/**
 * One destination roll folder as the caller found it: the other cards that went or go
 * there, and — asked of the disk only when none of them can have put files there
 * (`mustLookAtDisk`) — whether it holds files.
 */
export interface RollFolder {
  target: string;
  cards: readonly Card[];
  holdsFiles?: boolean;
}

export interface Conflict {
  target: string;
  /** The card whose other content the folder holds, when a card's offload put it there. */
  with?: number;
  reason: string;
}

/** Only cards whose offload was queued can have put files in a roll folder. */
function filledBy(cards: readonly Card[]): Card[] {
  return cards.filter((c) => c.fingerprint !== undefined && c.jobId !== undefined);
}

/** Whether the folder's content is unexplained by cards, so that only the disk can say whether it holds anything. */
export function mustLookAtDisk(cards: readonly Card[]): boolean {
  return filledBy(cards).length === 0;
}

/**
 * A conflict: the roll folder another card's content went to, or that holds files no card
 * with this content put there. Never merged, never overwritten.
 */
export function rollFolderConflict(card: Pick<Card, 'fingerprint'>, folder: RollFolder): Conflict | undefined {
  const { target } = folder;
  const users = filledBy(folder.cards);
  const other = users.find((c) => c.fingerprint !== card.fingerprint);
  if (other) return { target, with: other.id, reason: `${target} already holds roll ${other.roll} from card ${other.id} with other content` };
  if (users.length === 0 && folder.holdsFiles) return { target, reason: `${target} already exists and holds files that no card with this content put there` };
  return undefined;
}

/** Why a request to start a card's offload is refused: the error it answers with. */
export interface Refusal {
  code: 'USAGE' | 'SOURCE_MISSING';
  message: string;
  path?: string;
}

/** A request to start a card's offload that may go ahead: as what (the roll may be another), and whether its roll folders must be checked first. */
export interface StartPlan {
  identity: CardIdentity;
  /** Another roll name was asked for: its folders may hold other content. */
  checkRollFolders: boolean;
}

/**
 * Starting a card's offload by request: a card waiting for confirmation, copied (not safe to
 * format), or failed; a duplicate only with `force`; a conflict only under another roll
 * name, never merged. A card still settling cannot start.
 */
export function decideStart(card: Card, o: { settling: boolean; force?: boolean; roll?: string }): { refused: Refusal } | { start: StartPlan } {
  const { id } = card;
  if (!card.present) return { refused: { code: 'SOURCE_MISSING', message: `card ${id} (${card.path}) is no longer there`, path: card.path } };
  if (!card.fingerprint || !card.camera || !card.roll || card.state === 'detected' || o.settling) return { refused: { code: 'USAGE', message: `card ${id} is still settling; it can start once it is identified` } };
  if (!canMove(card.state, 'offloading')) return { refused: nothingToStart(card) };
  if (card.state === 'duplicate' && !o.force) return { refused: { code: 'USAGE', message: `card ${id} duplicates card ${card.relatedCard}, which was offloaded and verified; send {"force": true} to copy it again` } };
  if (card.state === 'conflict' && !o.roll) {
    const hold = card.targets.length === 1 ? 'holds' : 'hold';
    return { refused: { code: 'USAGE', message: `card ${id} conflicts with what ${card.targets.join(', ')} ${hold}; send {"roll": "<another roll name>"} to offload it under another name` } };
  }
  const identity = { camera: card.camera, roll: o.roll ? sanitizeRoll(o.roll) : card.roll, volumeLabel: card.label, clipCount: card.clips ?? 0, evidence: card.evidence ?? '' };
  return { start: { identity, checkRollFolders: Boolean(o.roll) } };
}

/** A card already offloading or verified: a second start has nothing to do. */
export function nothingToStart(card: Pick<Card, 'id' | 'state'>): Refusal {
  return { code: 'USAGE', message: `card ${card.id} is ${card.state}; there is nothing to start` };
}

/** A card update with the event that records it. */
export interface CardChange<C extends CardUpdate = CardUpdate> {
  change: C;
  event: { type: CardEventType; data?: unknown };
}

/**
 * A card pulled or unmounted: no longer present. One that had not settled yet fails (there
 * was nothing to offload); any other keeps its state — a verified card stays verified.
 */
export function removal(card: Card, now: number): CardChange {
  const unsettled = card.state === 'detected';
  const error: JobError = { code: 'SOURCE_MISSING', message: `${card.path} was removed before it stopped changing`, path: card.path };
  return {
    change: { present: false, ...(unsettled ? { state: 'failed' as const, error, finishedAt: now } : {}) },
    event: { type: 'card.removed', data: { path: card.path, state: unsettled ? 'failed' : card.state, safeToEject: card.safeToEject } },
  };
}

/** An earlier card superseded by the same card inserted again (`by`): it fails and is no longer there; its job is cancelled with `cancelReason`. */
export function superseded(old: Card, by: Pick<Card, 'id'>, now: number): CardChange<CardUpdate & { state: 'failed' }> & { cancelReason: string } {
  const error: JobError = { code: 'SOURCE_MISSING', message: `superseded: the card came back as card ${by.id}`, path: old.path };
  return {
    change: { state: 'failed', present: false, error, finishedAt: now },
    event: { type: 'card.failed', data: { error } },
    cancelReason: `card ${old.id} came back as card ${by.id}; its offload resumes there`,
  };
}
