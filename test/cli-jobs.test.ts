/** `rushes jobs` against the store directly (no daemon running on the home). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobQueue, type Job } from '../core/queue/index.ts';
import { openStore } from '../core/store/db.ts';
import { runCli } from './helpers/cli.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-cli-jobs-');

describe('rushes jobs, on the store', () => {
  it('lists, shows, cancels and retries, and names bad input', async () => {
    const home = join(scratch(), 'home');
    const db = openStore(home);
    const queue = new JobQueue(db);
    const parent = queue.enqueue({ kind: 'offload', payload: { source: '/media/A001' } }).id;
    const child = queue.enqueue({ kind: 'inspect', parents: [parent] }).id;
    const [claimed] = queue.claim('w', 60_000, 1, {}, (j) => j.kind === 'offload');
    queue.finish([{ id: claimed.id, owner: 'w', attempt: claimed.attempts, type: 'failed', error: { code: 'DEST_FULL', message: 'destination is full writing /raid1/A001/C001.mov', path: '/raid1/A001/C001.mov' }, retryable: false }]);
    db.close();
    const jobs = (...args: string[]) => runCli(['--home', home, 'jobs', ...args]);

    const list = await jobs('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${parent}\\s+offload\\s+dead\\s+1/3.*DEST_FULL: destination is full writing /raid1/A001/C001.mov`));
    expect(list.stdout).toMatch(new RegExp(`${child}\\s+inspect\\s+waiting`));
    expect(JSON.parse((await jobs('list', '--state', 'waiting', '--json')).stdout).map((j: Job) => j.id)).toEqual([child]);

    const show = await jobs('show', String(child));
    expect(show.stdout).toContain(`waits for ${parent}`);
    expect(show.stdout).toMatch(/events:\n.*created/);

    const notCancelled = await jobs('cancel', String(parent));
    expect(notCancelled.code).toBe(2);
    expect(notCancelled.stderr).toContain(`job ${parent} is already dead`);
    const retried = await jobs('retry', String(parent), '--json');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(JSON.parse((await jobs('list', '--state', 'queued', '--json')).stdout).map((j: Job) => j.id)).toEqual([parent]);

    for (const [args, message] of [
      [['show', 'abc'], /job id is a whole number/],
      [['show', '9999'], /no job 9999/],
      [['list', '--state', 'sleeping'], /--state must be one of/],
      [['list', '--limit', '0'], /--limit must be/],
      [['retry', String(parent)], /is queued; only dead or cancelled jobs can be retried/],
    ] as const) {
      const r = await jobs(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }

    const stopped = await jobs('cancel', String(parent), '--json');
    expect(JSON.parse(stopped.stdout).state).toBe('cancelled');
    expect(JSON.parse((await jobs('show', String(child), '--json')).stdout).job).toMatchObject({ state: 'cancelled', lastError: { code: 'PARENT_CANCELLED' } });
  });
});
