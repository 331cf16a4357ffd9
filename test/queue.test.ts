import { describe, expect, it } from 'vitest';
import { openStore, type Db } from '../core/store/db.ts';
import { JobQueue, Runner, backoffDelay, ABORT_LEASE_LOST, type JobEvent, type JobHandler } from '../core/queue/index.ts';
import { RushesError } from '../core/errors.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { until } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-queue-');

function freshQueue(options: ConstructorParameters<typeof JobQueue>[1] = {}): { db: Db; queue: JobQueue; home: string } {
  const home = scratch();
  const db = openStore(home);
  return { db, queue: new JobQueue(db, options), home };
}

describe('job queue', () => {
  it('enqueues with kind, payload, priority, run-after and max attempts, and survives reopening the file', () => {
    const { db, queue, home } = freshQueue();
    const later = Date.now() + 60_000;
    const { id, created } = queue.enqueue({ kind: 'noop', payload: { a: 1 }, priority: 5, runAfter: later, maxAttempts: 7 });
    expect(created).toBe(true);
    db.close();
    const reopened = new JobQueue(openStore(home));
    const job = reopened.get(id)!;
    expect(job).toMatchObject({ kind: 'noop', payload: { a: 1 }, priority: 5, runAfter: later, maxAttempts: 7, state: 'queued', attempts: 0 });
    expect(reopened.events({ jobId: id }).map((e) => e.type)).toEqual(['created']);
    reopened.db.close();
  });

  it('gives the same job for the same idempotency key, never a second one', () => {
    const { queue } = freshQueue();
    const a = queue.enqueue({ kind: 'noop', idempotencyKey: 'card:A001' });
    const b = queue.enqueue({ kind: 'noop', idempotencyKey: 'card:A001', payload: { other: true } });
    expect(b).toEqual({ id: a.id, created: false });
    expect(queue.list()).toHaveLength(1);
  });

  it('claims by priority, then age, and holds future jobs back', () => {
    const { queue } = freshQueue();
    const low = queue.enqueue({ kind: 'k' }).id;
    const high = queue.enqueue({ kind: 'k', priority: 10 }).id;
    queue.enqueue({ kind: 'k', priority: 100, runAfter: Date.now() + 60_000 });
    const claimed = queue.claim('me', 1000, 10, {}, () => true).map((j) => j.id);
    expect(claimed).toEqual([high, low]);
  });

  it('respects concurrency limits per kind and per resource, across every running job', () => {
    const { queue } = freshQueue();
    for (let i = 0; i < 3; i++) queue.enqueue({ kind: 'offload', resources: ['volume:1'] });
    queue.enqueue({ kind: 'offload', resources: ['volume:2'] });
    for (let i = 0; i < 5; i++) queue.enqueue({ kind: 'hash' });
    const limits = { kinds: { hash: 2 }, resources: { 'volume:*': 1 } };
    const first = queue.claim('a', 1000, 100, limits, () => true);
    expect(first.filter((j) => j.kind === 'offload').map((j) => j.resources)).toEqual([['volume:1'], ['volume:2']]);
    expect(first.filter((j) => j.kind === 'hash')).toHaveLength(2);
    // Another worker sees the same limits: nothing more fits until something finishes.
    expect(queue.claim('b', 1000, 100, limits, () => true)).toEqual([]);
    queue.finish([{ id: first[0].id, owner: 'a', attempt: 1, type: 'succeeded' }]);
    expect(queue.claim('b', 1000, 100, limits, () => true).map((j) => j.resources)).toEqual([['volume:1']]);
  });

  it('runs children only after all their parents succeeded (fan-out and fan-in)', () => {
    const { queue } = freshQueue();
    const root = queue.enqueue({ kind: 'offload', idempotencyKey: 'root' }).id;
    const [a, b] = queue.enqueueMany([
      { kind: 'inspect', parents: [root], idempotencyKey: 'a' },
      { kind: 'inspect', parents: [root], idempotencyKey: 'b' },
    ]);
    const done = queue.enqueue({ kind: 'card-ready', parentKeys: ['a', 'b'] }).id;
    expect(queue.get(a.id)!.state).toBe('waiting');
    const take = () => queue.claim('w', 1000, 10, {}, () => true).map((j) => j.id);
    expect(take()).toEqual([root]);
    queue.finish([{ id: root, owner: 'w', attempt: 1, type: 'succeeded' }]);
    expect(take()).toEqual([a.id, b.id]);
    queue.finish([{ id: a.id, owner: 'w', attempt: 1, type: 'succeeded' }]);
    expect(queue.get(done)!.state).toBe('waiting');
    queue.finish([{ id: b.id, owner: 'w', attempt: 1, type: 'succeeded' }]);
    expect(take()).toEqual([done]);
    expect(queue.parentsOf(done)).toEqual([a.id, b.id]);
  });

  it('retries with exponential backoff and jitter, then keeps the last error on a dead job', () => {
    let now = 1_000_000;
    const { queue } = freshQueue({ now: () => now, backoff: { baseMs: 1000, maxMs: 60_000 }, random: () => 0.5 });
    const id = queue.enqueue({ kind: 'k', maxAttempts: 3 }).id;
    const fail = (message: string) => {
      const [job] = queue.claim('w', 1000, 1, {}, () => true);
      expect(job.id).toBe(id);
      queue.finish([{ id, owner: 'w', attempt: job.attempts, type: 'failed', error: { code: 'DEST_IO', message }, retryable: true }]);
    };
    fail('first');
    expect(queue.get(id)).toMatchObject({ state: 'queued', runAfter: now + 750, lastError: { message: 'first' } });
    expect(queue.claim('w', 1000, 1, {}, () => true)).toEqual([]); // not due yet
    now += 750;
    fail('second');
    expect(queue.get(id)!.runAfter).toBe(now + 1500);
    now += 1500;
    fail('third');
    expect(queue.get(id)).toMatchObject({ state: 'dead', attempts: 3, lastError: { code: 'DEST_IO', message: 'third' } });
    expect(queue.events({ jobId: id }).map((e) => e.type)).toEqual(['created', 'started', 'failed', 'started', 'failed', 'started', 'failed', 'dead']);
  });

  it('backoff grows exponentially, is capped, and jitters within [half, full]', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
  });

  it('puts a job back in the queue when its lease expires, and counts the lost attempt', () => {
    let now = 5_000;
    const { queue } = freshQueue({ now: () => now });
    const id = queue.enqueue({ kind: 'k', maxAttempts: 2 }).id;
    queue.claim('dead-worker', 1000, 1, {}, () => true);
    now += 500;
    expect(queue.requeueExpired()).toBe(0);
    now += 600;
    expect(queue.requeueExpired()).toBe(1);
    expect(queue.get(id)).toMatchObject({ state: 'queued', attempts: 1 });
    queue.claim('dead-worker-2', 1000, 1, {}, () => true);
    now += 2000;
    queue.requeueExpired();
    expect(queue.get(id)).toMatchObject({ state: 'dead', lastError: { code: 'LEASE_LOST' } });
    // An outcome from a worker that lost its lease does not count.
    queue.finish([{ id, owner: 'dead-worker-2', attempt: 2, type: 'succeeded' }]);
    expect(queue.get(id)!.state).toBe('dead');
  });

  it('heartbeats keep a lease alive', () => {
    let now = 0;
    const { queue } = freshQueue({ now: () => now });
    const id = queue.enqueue({ kind: 'k' }).id;
    queue.claim('w', 1000, 1, {}, () => true);
    for (let i = 0; i < 5; i++) {
      now += 600;
      expect(queue.heartbeat([{ id, owner: 'w', attempt: 1 }], 1000)).toEqual({ lost: [], cancel: [] });
      expect(queue.requeueExpired()).toBe(0);
    }
    expect(queue.get(id)!.state).toBe('running');
  });

  it('cancels a queued job and everything waiting on it; retry brings them all back', () => {
    const { queue } = freshQueue();
    const parent = queue.enqueue({ kind: 'k' }).id;
    const child = queue.enqueue({ kind: 'k', parents: [parent] }).id;
    const grandchild = queue.enqueue({ kind: 'k', parents: [child] }).id;
    queue.cancel(parent);
    expect([parent, child, grandchild].map((id) => queue.get(id)!.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(queue.get(grandchild)!.lastError!.code).toBe('PARENT_CANCELLED');
    queue.retry(parent);
    expect([parent, child, grandchild].map((id) => queue.get(id)!.state)).toEqual(['queued', 'waiting', 'waiting']);
    expect(() => queue.retry(parent)).toThrow(/only dead or cancelled/);
  });

  it('ignores the outcome and heartbeat of an attempt whose lease was lost, even from the same owner', () => {
    let now = 0;
    const { queue } = freshQueue({ now: () => now });
    const id = queue.enqueue({ kind: 'k' }).id;
    queue.claim('w', 1000, 1, {}, () => true);
    now += 2000;
    queue.requeueExpired();
    const [again] = queue.claim('w', 1000, 1, {}, () => true);
    expect(again.attempts).toBe(2);
    // The stalled first attempt wakes up: it is told it lost the lease, and its outcome does not count.
    expect(queue.heartbeat([{ id, owner: 'w', attempt: 1 }], 1000)).toEqual({ lost: [id], cancel: [] });
    queue.finish([{ id, owner: 'w', attempt: 1, type: 'failed', error: { code: 'ERROR', message: 'stale' }, retryable: false }]);
    expect(queue.get(id)).toMatchObject({ state: 'running', attempts: 2 });
    queue.finish([{ id, owner: 'w', attempt: 2, type: 'succeeded', result: 'fresh' }]);
    expect(queue.get(id)).toMatchObject({ state: 'succeeded', result: 'fresh' });
  });

  it('counts a parent named twice once', () => {
    const { queue } = freshQueue();
    const parent = queue.enqueue({ kind: 'k', idempotencyKey: 'p' }).id;
    const child = queue.enqueue({ kind: 'k', parents: [parent], parentKeys: ['p'] }).id;
    expect(queue.get(child)!.pendingParents).toBe(1);
    queue.claim('w', 1000, 1, {}, () => true);
    queue.finish([{ id: parent, owner: 'w', attempt: 1, type: 'succeeded' }]);
    expect(queue.get(child)).toMatchObject({ state: 'queued', pendingParents: 0 });
  });

  it('a child a rule adds when its first parent succeeds still waits for the other parent', () => {
    const { queue } = freshQueue();
    const a = queue.enqueue({ kind: 'a' }).id;
    const b = queue.enqueue({ kind: 'b', runAfter: Date.now() + 60_000 }).id;
    queue.addReactor((event, job, q) => {
      if (event.type === 'succeeded' && job.id === a) q.enqueue({ kind: 'both', parents: [a, b], idempotencyKey: 'both' });
    });
    queue.claim('w', 1000, 1, {}, () => true);
    queue.finish([{ id: a, owner: 'w', attempt: 1, type: 'succeeded' }]);
    const both = queue.list({ kind: 'both' })[0];
    expect(both).toMatchObject({ state: 'waiting', pendingParents: 1 });
  });

  it('a rule that throws is rolled back on its own and noted; the job it reacted to still succeeds', () => {
    const { queue } = freshQueue();
    queue.addReactor((event, _job, q) => {
      if (event.type !== 'succeeded') return;
      q.enqueue({ kind: 'half-done' });
      throw new Error('rule is broken');
    });
    const id = queue.enqueue({ kind: 'k' }).id;
    queue.claim('w', 1000, 1, {}, () => true);
    queue.finish([{ id, owner: 'w', attempt: 1, type: 'succeeded' }]);
    expect(queue.get(id)!.state).toBe('succeeded');
    expect(queue.list({ kind: 'half-done' })).toEqual([]);
    const failed = queue.events({ jobId: id }).find((e) => e.type === 'rule-failed');
    expect(failed?.data).toEqual({ on: 'succeeded', error: 'rule is broken' });
  });

  it('records a result that cannot be stored as a permanent failure, without losing the other outcomes', () => {
    const { queue } = freshQueue();
    const bad = queue.enqueue({ kind: 'k' }).id;
    const good = queue.enqueue({ kind: 'k' }).id;
    queue.claim('w', 1000, 2, {}, () => true);
    queue.finish([
      { id: bad, owner: 'w', attempt: 1, type: 'succeeded', result: { frames: 10n } },
      { id: good, owner: 'w', attempt: 1, type: 'succeeded', result: 'ok' },
    ]);
    expect(queue.get(bad)).toMatchObject({ state: 'dead', lastError: { code: 'INTERNAL' } });
    expect(queue.get(bad)!.lastError!.message).toMatch(/could not be recorded.*BigInt/);
    expect(queue.get(good)).toMatchObject({ state: 'succeeded', result: 'ok' });
  });

  it('an attempt that fails after a cancel was asked for ends cancelled, not retried', () => {
    const { queue } = freshQueue();
    const id = queue.enqueue({ kind: 'k' }).id;
    queue.claim('w', 1000, 1, {}, () => true);
    queue.cancel(id);
    queue.finish([{ id, owner: 'w', attempt: 1, type: 'failed', error: { code: 'ERROR', message: 'aborted' }, retryable: true }]);
    expect(queue.get(id)).toMatchObject({ state: 'cancelled', lastError: { code: 'CANCELLED' } });
  });

  it('retrying one of two cancelled parents leaves their child cancelled until the other is retried too', () => {
    const { queue } = freshQueue();
    const p1 = queue.enqueue({ kind: 'k' }).id;
    const p2 = queue.enqueue({ kind: 'k' }).id;
    const child = queue.enqueue({ kind: 'k', parents: [p1, p2] }).id;
    queue.cancel(p1);
    queue.cancel(p2);
    queue.retry(p1);
    expect(queue.get(child)!.state).toBe('cancelled');
    queue.retry(p2);
    expect(queue.get(child)).toMatchObject({ state: 'waiting', pendingParents: 2 });
  });

  it('rejects unknown parents with a clear error and enqueues nothing of the batch', () => {
    const { queue } = freshQueue();
    expect(() => queue.enqueueMany([{ kind: 'k', idempotencyKey: 'x' }, { kind: 'k', parents: [999] }])).toThrow(/no job 999/);
    expect(queue.list()).toEqual([]);
  });
});

describe('runner', () => {
  function startRunner(queue: JobQueue, handlers: Record<string, JobHandler>, extra: Partial<ConstructorParameters<typeof Runner>[1]> = {}): Runner {
    const runner = new Runner(queue, { handlers, concurrency: 4, leaseMs: 2000, pollMs: 50, ...extra });
    runner.start();
    return runner;
  }

  it('runs jobs through handlers with progress, and logs created, started, progress, succeeded', async () => {
    const { queue } = freshQueue();
    const seen: JobEvent[] = [];
    queue.subscribe((e) => seen.push(e));
    const runner = startRunner(queue, {
      double: async ({ job, progress }) => {
        progress({ step: 1 });
        return { value: (job.payload as { n: number }).n * 2 };
      },
    });
    const id = queue.enqueue({ kind: 'double', payload: { n: 21 } }).id;
    await until(() => queue.get(id)!.state === 'succeeded');
    expect(queue.get(id)!.result).toEqual({ value: 42 });
    expect(queue.events({ jobId: id }).map((e) => e.type)).toEqual(['created', 'started', 'progress', 'succeeded']);
    expect(seen.filter((e) => e.jobId === id).map((e) => e.type)).toEqual(['created', 'started', 'progress', 'succeeded']);
    await runner.stop();
  });

  it('retries a job that throws with backoff, then marks it dead with its error', async () => {
    const { queue } = freshQueue({ backoff: { baseMs: 20, maxMs: 100 } });
    const attempts: number[] = [];
    const runner = startRunner(queue, {
      flaky: async ({ job }) => {
        attempts.push(Date.now());
        throw new Error(`boom on attempt ${job.attempts}`);
      },
    });
    const id = queue.enqueue({ kind: 'flaky', maxAttempts: 3 }).id;
    await until(() => queue.get(id)!.state === 'dead');
    expect(attempts).toHaveLength(3);
    expect(attempts[1] - attempts[0]).toBeGreaterThanOrEqual(10); // half of the 20 ms base, at least
    expect(queue.get(id)!.lastError).toEqual({ code: 'ERROR', message: 'boom on attempt 3' });
    await runner.stop();
  });

  it('does not retry permanent errors', async () => {
    const { queue } = freshQueue({ backoff: { baseMs: 10, maxMs: 10 } });
    const runner = startRunner(queue, {
      bad: async () => {
        throw new RushesError('SOURCE_MISSING', '/media/A001 does not exist', { path: '/media/A001' });
      },
      worse: async () => {
        throw new RushesError('INTERNAL', 'never works');
      },
    });
    const a = queue.enqueue({ kind: 'bad' }).id;
    const b = queue.enqueue({ kind: 'worse' }).id;
    await until(() => queue.get(a)!.state === 'dead' && queue.get(b)!.state === 'dead');
    expect(queue.get(a)).toMatchObject({ attempts: 1, lastError: { code: 'SOURCE_MISSING', path: '/media/A001' } });
    expect(queue.get(b)).toMatchObject({ attempts: 1, lastError: { code: 'INTERNAL' } });
    await runner.stop();
  });

  it('cancellation reaches a running job through its AbortSignal and it stops promptly', async () => {
    const { queue } = freshQueue();
    let abortedAfter = -1;
    const runner = startRunner(queue, {
      long: ({ signal }) =>
        new Promise((_, reject) => {
          const t0 = Date.now();
          signal.addEventListener('abort', () => {
            abortedAfter = Date.now() - t0;
            reject(new Error('stopped'));
          });
        }),
    });
    const id = queue.enqueue({ kind: 'long' }).id;
    await until(() => queue.get(id)!.state === 'running');
    const t = Date.now();
    queue.cancel(id);
    await until(() => queue.get(id)!.state === 'cancelled');
    expect(Date.now() - t).toBeLessThan(1000);
    expect(abortedAfter).toBeGreaterThanOrEqual(0);
    await runner.stop();
  });

  it('a cancel written by another process reaches the job at the next heartbeat', async () => {
    const { queue, home } = freshQueue();
    const runner = startRunner(queue, { long: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('x')))) }, { heartbeatMs: 100 });
    const id = queue.enqueue({ kind: 'long' }).id;
    await until(() => queue.get(id)!.state === 'running');
    const other = new JobQueue(openStore(home)); // a `rushes jobs cancel` against the store
    other.cancel(id);
    await until(() => queue.get(id)!.state === 'cancelled', 3000);
    other.db.close();
    await runner.stop();
  });

  it('graceful stop lets running jobs reach a checkpoint and releases them without using an attempt', async () => {
    const { queue } = freshQueue();
    const runner = startRunner(queue, {
      long: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => setTimeout(() => reject(new Error('checkpoint')), 50))),
    });
    const id = queue.enqueue({ kind: 'long' }).id;
    await until(() => queue.get(id)!.state === 'running');
    await runner.stop(5000);
    expect(queue.get(id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(queue.get(id)!.leaseOwner).toBeUndefined();
  });

  it('a new runner takes over at once the jobs of a runner that died', async () => {
    const { queue } = freshQueue();
    const id = queue.enqueue({ kind: 'k' }).id;
    // A worker on this host whose process no longer exists (pid 2^22 + 1 is above pid_max's usual range).
    queue.claim(`${(await import('node:os')).hostname()}:4194305:deadbeef`, 3_600_000, 1, {}, () => true);
    const runner = startRunner(queue, { k: async () => 'ok' });
    await until(() => queue.get(id)!.state === 'succeeded', 3000);
    expect(queue.events({ jobId: id }).map((e) => e.type)).toEqual(['created', 'started', 'requeued', 'started', 'succeeded']);
    await runner.stop();
  });

  it('a job whose lease was lost is aborted, and its late outcome does not overwrite the new attempt', async () => {
    const { queue, home } = freshQueue();
    let reason: unknown;
    const runner = startRunner(
      queue,
      {
        slow: ({ signal }) =>
          new Promise((resolve) =>
            signal.addEventListener('abort', () => {
              reason = signal.reason;
              resolve('stale result');
            }),
          ),
      },
      { heartbeatMs: 100 },
    );
    const id = queue.enqueue({ kind: 'slow' }).id;
    await until(() => queue.get(id)!.state === 'running');
    // Another process whose clock is an hour ahead sees the lease expired and takes the job.
    const thief = new JobQueue(openStore(home), { now: () => Date.now() + 3_600_000 });
    thief.requeueExpired();
    const [taken] = thief.claim('thief', 3_600_000, 1, {}, () => true);
    expect(taken.attempts).toBe(2);
    await until(() => reason !== undefined, 3000);
    expect(reason).toBe(ABORT_LEASE_LOST);
    await new Promise((r) => setTimeout(r, 100));
    expect(queue.get(id)).toMatchObject({ state: 'running', leaseOwner: 'thief' });
    thief.finish([{ id, owner: 'thief', attempt: 2, type: 'succeeded', result: 'fresh' }]);
    expect(queue.get(id)!.result).toBe('fresh');
    thief.db.close();
    await runner.stop();
  });

  it('keeps outcomes while the store is locked and records them once it is free', async () => {
    const { queue, home } = freshQueue();
    queue.db.pragma('busy_timeout = 20');
    let release!: () => void;
    const finished = new Promise<void>((r) => (release = r));
    const runner = startRunner(queue, { k: () => finished.then(() => 'done') });
    const id = queue.enqueue({ kind: 'k' }).id;
    await until(() => queue.get(id)!.state === 'running');
    const locker = openStore(home);
    locker.exec('BEGIN IMMEDIATE');
    release();
    await new Promise((r) => setTimeout(r, 300)); // the runner's write fails with SQLITE_BUSY meanwhile
    locker.exec('COMMIT');
    locker.close();
    await until(() => queue.get(id)!.state === 'succeeded', 5000);
    expect(queue.get(id)!.result).toBe('done');
    await runner.stop();
  });

  it('holds one job per resource and per-kind limits while running', async () => {
    const { queue } = freshQueue();
    let active = 0;
    let peak = 0;
    const handler: JobHandler = async () => {
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
    };
    const runner = startRunner(queue, { w: handler }, { limits: { resources: { 'volume:*': 1 } } });
    for (let i = 0; i < 6; i++) queue.enqueue({ kind: 'w', resources: ['volume:7'] });
    await until(() => queue.counts().succeeded === 6);
    expect(peak).toBe(1);
    await runner.stop();
  });

  it('runs jobs that wait on another engine (a remote: resource) beside its own slots, as many as their limit allows', async () => {
    const { queue } = freshQueue();
    const gate: (() => void)[] = [];
    const running = { local: 0, remote: 0 };
    const handler: JobHandler = async ({ job }) => {
      const where = job.resources.includes('remote:swarm') ? 'remote' : 'local';
      running[where]++;
      await new Promise<void>((r) => gate.push(r));
      running[where]--;
    };
    const runner = startRunner(queue, { w: handler }, { concurrency: 1, limits: { resources: { 'remote:swarm': 3 } } });
    for (let i = 0; i < 5; i++) queue.enqueue({ kind: 'w', resources: ['remote:swarm'] });
    for (let i = 0; i < 2; i++) queue.enqueue({ kind: 'w' });
    // One local job in the runner's one slot, and three remote ones beside it: no more.
    await until(() => running.local === 1 && running.remote === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(running).toEqual({ local: 1, remote: 3 });
    while (queue.counts().succeeded !== 7) {
      gate.splice(0).forEach((open) => open());
      await new Promise((r) => setTimeout(r, 5));
      expect(running.local).toBeLessThanOrEqual(1);
      expect(running.remote).toBeLessThanOrEqual(3);
    }
    await runner.stop();
  });

  it('leaves kinds it has no handler for to other runners', async () => {
    const { queue } = freshQueue();
    const runner = startRunner(queue, { mine: async () => 1 });
    const other = queue.enqueue({ kind: 'theirs' }).id;
    const mine = queue.enqueue({ kind: 'mine' }).id;
    await until(() => queue.get(mine)!.state === 'succeeded');
    expect(queue.get(other)!.state).toBe('queued');
    await runner.stop();
  });

  it('starts a child within milliseconds of its parent finishing', async () => {
    const { queue } = freshQueue();
    const times: Record<string, number> = {};
    const runner = startRunner(queue, {
      step: async ({ job }) => {
        times[`start${job.id}`] = performance.now();
        times[`end${job.id}`] = performance.now();
      },
    });
    const parent = queue.enqueue({ kind: 'step' }).id;
    const child = queue.enqueue({ kind: 'step', parents: [parent] }).id;
    await until(() => queue.get(child)!.state === 'succeeded');
    // Only sanity (the bench measures latency): the child ran after the parent ended.
    expect(times[`start${child}`]).toBeGreaterThan(times[`end${parent}`]);
    await runner.stop();
  });
});
