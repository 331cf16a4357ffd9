/**
 * Work that blocks its thread step after step lets the event loop turn every so often
 * (core/util/turns.ts): a Ctrl-C or a progress line waits at most ~20 ms, and the steps pay
 * for a turn only that often.
 */
import { describe, expect, it } from 'vitest';
import { loopTurnDue } from '../core/util/turns.ts';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('loopTurnDue', () => {
  it('asks for a turn of the event loop once 20 ms have passed since the last, and not again right after', async () => {
    busy(25);
    let turned = false;
    setImmediate(() => (turned = true)); // queued before the turn asked for below
    const due = loopTurnDue();
    expect(due).toBeInstanceOf(Promise);
    await due;
    expect(turned).toBe(true); // it resolved after the loop turned, not as a microtask
    expect(loopTurnDue()).toBeUndefined();
    busy(5);
    expect(loopTurnDue()).toBeUndefined();
  });
});
