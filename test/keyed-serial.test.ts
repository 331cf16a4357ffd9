import { describe, expect, it } from 'vitest';
import { KeyedSerial } from '../core/util/limit.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('KeyedSerial', () => {
  it('runs tasks that share a key one at a time, in the order asked, and others beside them', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([serial.run('a', task('a1')), serial.run('b', task('b1')), serial.run('a', task('a2'))]);
    expect(results).toEqual(['a1', 'b1', 'a2']);
    // b1 starts while a1 runs; a2 only after a1 ended.
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
  });

  it('a failing task fails its own caller only; the next one with its key still runs', async () => {
    const serial = new KeyedSerial();
    const first = serial.run('m', async () => {
      await tick();
      throw new Error('boom');
    });
    const second = serial.run('m', async () => 'ran');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('ran');
  });
});
