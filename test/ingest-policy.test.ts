/**
 * The ingest policy as data: cards in, decisions out, no disks and no store. What the
 * decisions do to the daemon's cards end to end is in ingest.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Card } from '../core/watch/card-store.ts';
import { CARD_STATES } from '../core/watch/card-states.ts';
import { decideByContent, decideStart, mustLookAtDisk, removal, rollFolderConflict, superseded } from '../core/watch/policy.ts';

function card(p: Partial<Card> & { id: number }): Card {
  const state = p.state ?? 'detected';
  return { path: `/watch/card${p.id}`, present: true, state, targets: [], safeToEject: state === 'verified', detectedAt: 0, updatedAt: 0, ...p };
}

/** A card that settled and was identified, as startOffload finds it. */
const identified = (p: Partial<Card> & { id: number }) =>
  card({ camera: 'arri', roll: 'A001', label: 'A001R1AB', clips: 3, evidence: 'ARRI clip names', fingerprint: 'xxh128:aa', targets: ['/raid1/A001', '/raid2/A001'], ...p });

describe('ingest policy: a settled card by its content', () => {
  it('is a duplicate of an earlier verified card with the same fingerprint (the newest), and nothing gives way', () => {
    const verified = card({ id: 3, state: 'verified' });
    const offloading = card({ id: 4, state: 'offloading', jobId: 9 });
    expect(decideByContent([offloading, verified, card({ id: 1, state: 'verified' })])).toEqual({ kind: 'duplicate', of: verified });
  });

  it('is new otherwise; an earlier card still offloading the same content (its job queued) gives way to it', () => {
    const offloading = card({ id: 4, state: 'offloading', jobId: 9 });
    const earlier = [offloading, card({ id: 3, state: 'failed', jobId: 8 }), card({ id: 2, state: 'copied', jobId: 7 }), card({ id: 1, state: 'offloading' })];
    expect(decideByContent(earlier)).toEqual({ kind: 'new', supersede: [offloading] });
    expect(decideByContent([])).toEqual({ kind: 'new', supersede: [] });
  });
});

describe('ingest policy: a roll folder at a destination', () => {
  const mine = { fingerprint: 'xxh128:aa' };
  const target = '/raid1/Show/ARRI/A001';

  it('conflicts when another card offloaded other content there, naming it', () => {
    const other = card({ id: 2, roll: 'A001', fingerprint: 'xxh128:bb', jobId: 5, state: 'verified' });
    expect(rollFolderConflict(mine, { target, cards: [card({ id: 3, fingerprint: 'xxh128:aa', jobId: 6 }), other] })).toEqual({
      target,
      with: 2,
      reason: `${target} already holds roll A001 from card 2 with other content`,
    });
  });

  it('does not conflict with earlier offloads of the same content, whatever the folder holds', () => {
    const cards = [card({ id: 2, fingerprint: 'xxh128:aa', jobId: 5, state: 'verified' })];
    expect(mustLookAtDisk(cards)).toBe(false);
    expect(rollFolderConflict(mine, { target, cards })).toBeUndefined();
  });

  it('asks the disk only when no queued offload explains the folder, and conflicts when it holds files', () => {
    // Cards that never had an offload queued (a conflict, a waiting card) cannot have put files there.
    const cards = [card({ id: 2, fingerprint: 'xxh128:bb', state: 'conflict' }), card({ id: 3, state: 'detected', jobId: 4 })];
    expect(mustLookAtDisk(cards)).toBe(true);
    expect(rollFolderConflict(mine, { target, cards, holdsFiles: false })).toBeUndefined();
    expect(rollFolderConflict(mine, { target, cards, holdsFiles: true })).toEqual({ target, reason: `${target} already exists and holds files that no card with this content put there` });
    expect(rollFolderConflict(mine, { target, cards: [], holdsFiles: true })?.with).toBeUndefined();
  });
});

describe('ingest policy: starting an offload by request', () => {
  const start = (c: Card, o: { settling?: boolean; force?: boolean; roll?: string } = {}) => decideStart(c, { settling: false, ...o });

  it('starts a waiting, copied or failed card as it was identified', () => {
    for (const state of ['waiting', 'copied', 'failed'] as const) {
      expect(start(identified({ id: 7, state })), state).toEqual({
        start: { identity: { camera: 'arri', roll: 'A001', volumeLabel: 'A001R1AB', clipCount: 3, evidence: 'ARRI clip names' }, checkRollFolders: false },
      });
    }
  });

  it('refuses a card that is gone, or still settling', () => {
    expect(start(identified({ id: 7, state: 'waiting', present: false }))).toEqual({ refused: { code: 'SOURCE_MISSING', message: 'card 7 (/watch/card7) is no longer there', path: '/watch/card7' } });
    const settling = { refused: { code: 'USAGE', message: 'card 7 is still settling; it can start once it is identified' } };
    expect(start(identified({ id: 7, state: 'detected' }))).toEqual(settling);
    expect(start(identified({ id: 7, state: 'failed' }), { settling: true })).toEqual(settling);
    expect(start(identified({ id: 7, state: 'waiting', fingerprint: undefined }))).toEqual(settling);
  });

  it('has nothing to start for a card offloading or verified', () => {
    expect(start(identified({ id: 7, state: 'offloading' }))).toEqual({ refused: { code: 'USAGE', message: 'card 7 is offloading; there is nothing to start' } });
    expect(start(identified({ id: 7, state: 'verified' }), { force: true })).toEqual({ refused: { code: 'USAGE', message: 'card 7 is verified; there is nothing to start' } });
  });

  it('copies a duplicate again only with force', () => {
    const duplicate = identified({ id: 7, state: 'duplicate', relatedCard: 3 });
    expect(start(duplicate)).toEqual({ refused: { code: 'USAGE', message: 'card 7 duplicates card 3, which was offloaded and verified; send {"force": true} to copy it again' } });
    expect(start(duplicate, { force: true })).toMatchObject({ start: { identity: { roll: 'A001' }, checkRollFolders: false } });
  });

  it('offloads a conflict only under another roll name, whose folders are checked first', () => {
    const conflict = identified({ id: 7, state: 'conflict', relatedCard: 3 });
    expect(start(conflict)).toEqual({ refused: { code: 'USAGE', message: 'card 7 conflicts with what /raid1/A001, /raid2/A001 hold; send {"roll": "<another roll name>"} to offload it under another name' } });
    expect(start({ ...conflict, targets: ['/raid1/A001'] })).toMatchObject({ refused: { message: expect.stringContaining('what /raid1/A001 holds;') } });
    expect(start(conflict, { roll: 'A001_B' })).toMatchObject({ start: { identity: { roll: 'A001_B', camera: 'arri' }, checkRollFolders: true } });
    // The new name is one folder name, like any roll.
    expect(start(conflict, { roll: 'A/001' })).toMatchObject({ start: { identity: { roll: 'A_001' } } });
  });
});

describe('ingest policy: a card that leaves', () => {
  it('fails a card pulled before it settled, and only marks any other as gone', () => {
    expect(removal(card({ id: 5, state: 'detected' }), 1000)).toEqual({
      change: { present: false, state: 'failed', finishedAt: 1000, error: { code: 'SOURCE_MISSING', message: '/watch/card5 was removed before it stopped changing', path: '/watch/card5' } },
      event: { type: 'card.removed', data: { path: '/watch/card5', state: 'failed', safeToEject: false } },
    });
    for (const state of CARD_STATES.filter((s) => s !== 'detected')) {
      expect(removal(card({ id: 5, state }), 1000), state).toEqual({ change: { present: false }, event: { type: 'card.removed', data: { path: '/watch/card5', state, safeToEject: state === 'verified' } } });
    }
  });

  it('fails an earlier card superseded by the same card inserted again, and says why its job is cancelled', () => {
    expect(superseded(card({ id: 4, state: 'offloading', jobId: 9 }), { id: 6 }, 1000)).toEqual({
      change: { state: 'failed', present: false, finishedAt: 1000, error: { code: 'SOURCE_MISSING', message: 'superseded: the card came back as card 6', path: '/watch/card4' } },
      event: { type: 'card.failed', data: { error: { code: 'SOURCE_MISSING', message: 'superseded: the card came back as card 6', path: '/watch/card4' } } },
      cancelReason: 'card 4 came back as card 6; its offload resumes there',
    });
  });
});
