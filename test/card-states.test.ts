/**
 * The card state table: the promises it keeps (only an offload's end makes a card safe to
 * eject, a decision is made once per settling), and the card store refusing a move the
 * table does not list, on a real SQLite file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EventBus } from '../core/events/bus.ts';
import { isRushesError } from '../core/errors.ts';
import { openStore } from '../core/store/db.ts';
import { CARD_MOVES, CARD_STATES, canMove, type CardState } from '../core/watch/card-states.ts';
import { CardStore } from '../core/watch/card-store.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-card-states-');
const into = (to: CardState) => CARD_STATES.filter((from) => canMove(from, to));

describe('card states', () => {
  it('lists every state once, with moves only to known states', () => {
    expect(Object.keys(CARD_MOVES).sort()).toEqual([...CARD_STATES].sort());
    for (const next of Object.values(CARD_MOVES)) for (const to of next) expect(CARD_STATES).toContain(to);
  });

  it('are the states the docs explain', () => {
    const docs = readFileSync(new URL('../docs/ingest.md', import.meta.url), 'utf8');
    const table = docs.slice(docs.indexOf('## Card states'), docs.indexOf('`present` says'));
    expect([...table.matchAll(/^\| `([a-z]+)` \|/gm)].map((m) => m[1])).toEqual(CARD_STATES);
  });

  it('make a card safe to eject (or copied) only at the end of its offload, and fail from anywhere', () => {
    expect(into('verified')).toEqual(['offloading']);
    expect(into('copied')).toEqual(['offloading']);
    expect(into('failed')).toEqual(CARD_STATES);
  });

  it('decide a card once it has settled; only an offloaded card settles again (it grew)', () => {
    for (const decided of ['waiting', 'duplicate', 'conflict'] as const) expect(into(decided), decided).toEqual(['detected']);
    expect(into('detected')).toEqual(['verified', 'copied']);
  });

  it('start an offload by request from every state that is neither settling nor offloading nor verified', () => {
    expect(into('offloading')).toEqual(['detected', 'waiting', 'copied', 'duplicate', 'conflict', 'failed']);
  });
});

describe('the card store and the state table', () => {
  const store = () => new CardStore(new EventBus(openStore(scratch())));

  it('moves a card only where the table allows, and changes nothing otherwise', () => {
    const cards = store();
    const card = cards.create('/watch/A001', undefined);
    expect(cards.move(card.id, { state: 'verified' }, { type: 'card.safe-to-eject' })).toBeUndefined();
    expect(cards.get(card.id)).toMatchObject({ state: 'detected', safeToEject: false });
    expect(cards.move(card.id, { state: 'offloading', jobId: 1 }, { type: 'card.offload-started' })).toMatchObject({ state: 'offloading', jobId: 1 });
    expect(cards.transition(card.id, ['offloading'], { state: 'waiting' }, { type: 'card.waiting' })).toBeUndefined();
    expect(cards.transition(card.id, ['offloading'], { state: 'verified' }, { type: 'card.safe-to-eject' })).toMatchObject({ state: 'verified', safeToEject: true });
    expect(cards.events({ cardId: card.id }).map((e) => e.type)).toEqual(['card.detected', 'card.offload-started', 'card.safe-to-eject']);
  });

  it('refuses an update that makes a move the table does not list: a bug, not a race', () => {
    const cards = store();
    const card = cards.create('/watch/A002', undefined);
    let error: unknown;
    try {
      cards.update(card.id, { state: 'verified' }, { type: 'card.safe-to-eject' });
    } catch (e) {
      error = e;
    }
    expect(isRushesError(error) && [error.code, error.message]).toEqual(['INTERNAL', `card ${card.id} cannot go from detected to verified`]);
    expect(cards.events({ cardId: card.id }).map((e) => e.type)).toEqual(['card.detected']);
    // Facts without a move are recorded as they come.
    expect(cards.update(card.id, { roll: 'A002', files: 3 })).toMatchObject({ state: 'detected', roll: 'A002', files: 3 });
  });
});
