import { describe, expect, it } from 'vitest';
import { openStore } from '../core/store/db.ts';
import { EventBus } from '../core/events/bus.ts';
import type { BusEvent } from '../core/events/types.ts';
import '../core/queue/index.ts';
import '../core/watch/card-store.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-event-log-');

describe('the event log', () => {
  it('replays every event exactly as it was appended, after a reopen', () => {
    const home = scratch();
    const bus = new EventBus(openStore(home), { now: () => 1_700_000_000_000 });
    const appended: BusEvent[] = [
      bus.append<'job'>({ topic: 'job', jobId: 3, kind: 'offload', type: 'started', data: { attempt: 1, owner: 'h:1:x' } }, 3),
      bus.append<'card'>({ topic: 'card', cardId: 3, type: 'card.copied', at: 42, data: { roll: 'A001' } }, 3),
      bus.append<'job'>({ topic: 'job', jobId: 3, kind: 'offload', type: 'succeeded' }, 3),
    ];
    bus.db.close();
    const again = new EventBus(openStore(home));
    expect(again.replay()).toEqual(appended);
    expect(again.replay({ topics: ['job'], subject: 3 })).toEqual([appended[0], appended[2]]);
    expect(again.replay({ topics: ['card'], subject: '3' })).toEqual([appended[1]]);
    expect(again.replay({ afterSeq: appended[0].seq, topics: ['job'] })).toEqual([appended[2]]);
    expect(again.lastSeq()).toBe(appended[2].seq);
    again.db.close();
  });

  it('replays rows written whole, as the log stored them before topic and time left the body', () => {
    const bus = new EventBus(openStore(scratch()));
    const whole = { topic: 'job', jobId: 9, kind: 'inspect', type: 'failed', at: 5, data: { error: { code: 'X', message: 'm' } } };
    bus.db.prepare('INSERT INTO events (topic, subject, at, body) VALUES (?, ?, ?, ?)').run('job', '9', 5, JSON.stringify(whole));
    const [seen] = bus.replay({ topics: ['job'], subject: 9 });
    expect(seen).toEqual({ ...whole, seq: seen.seq });
    bus.db.close();
  });
});
