/**
 * The worker-thread pool: the main thread does no hashing (the hash libraries in this
 * thread are never called while an offload and an MHL verify run), errors and progress
 * cross the thread boundary intact, and cancellation stops a task between chunks.
 */
import { createHash, Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RushesError } from '../core/errors.ts';
import { hashBytes } from '../core/hash/index.ts';
import { hashFile, pooledHashing } from '../core/runtime/hashing.ts';
import { verifyHistory } from '../core/mhl/index.ts';
import { offload } from '../core/offload/run.ts';
import { destroyPool, poolSize, runTask } from '../core/runtime/pool.ts';
import { fromWire, toWire } from '../core/runtime/wire.ts';
import { openStore } from '../core/store/db.ts';
import { makeSmallCard, pseudoRandomBytes, writeFile, xxhsum } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders();
afterAll(destroyPool);

/**
 * Counts calls into every hash library in *this* thread: the native xxhash classes and one-shot functions,
 * OpenSSL hashes (md5, sha1, sha512 for c4) and new hash-wasm instances (xxh128). Worker
 * threads load their own copies of these modules, so their hashing does not count here.
 */
function countMainThreadHashing(): { calls: () => number; restore: () => void } {
  let calls = 0;
  const restores: (() => void)[] = [];
  const wrap = <T extends object>(target: T, key: keyof T & string) => {
    const original = target[key] as (...a: unknown[]) => unknown;
    target[key] = function (this: unknown, ...a: unknown[]) {
      calls++;
      return original.apply(this, a);
    } as T[keyof T & string];
    restores.push(() => (target[key] = original as T[keyof T & string]));
  };
  const xxhash = createRequire(import.meta.url)('@node-rs/xxhash') as typeof import('@node-rs/xxhash');
  wrap(xxhash.Xxh64.prototype, 'update');
  wrap(xxhash.xxh3.Xxh3.prototype, 'update');
  wrap(xxhash, 'xxh64'); // the one-shot functions (hashBytes of xxh64 and xxh3)
  wrap(xxhash.xxh3, 'xxh64');
  wrap(Object.getPrototypeOf(createHash('md5')) as Hash, 'update');
  wrap(WebAssembly, 'instantiate');
  return { calls: () => calls, restore: () => restores.forEach((r) => r()) };
}

describe('the main thread does no hashing', () => {
  const formats = ['xxh64', 'xxh3', 'xxh128', 'md5', 'sha1', 'c4'] as const;

  beforeAll(async () => {
    // Start the workers first, so the counting below sees only the work itself.
    await runTask('hashBytes', { format: 'xxh64', data: new Uint8Array(1) });
  });

  it('the counters see hashing in this thread (control)', async () => {
    const spy = countMainThreadHashing();
    try {
      for (const f of formats) await hashBytes(f, Buffer.from('abc'));
    } finally {
      spy.restore();
    }
    expect(spy.calls()).toBeGreaterThanOrEqual(formats.length - 1); // hash-wasm may reuse an idle instance
  });

  it('during an offload with every format and an MHL verify of the copy with the pool\'s hashing (as the engine and the CLI run them)', async () => {
    const base = scratch();
    const card = join(base, 'A001');
    makeSmallCard(card);
    writeFile(card, 'Clips/big.mov', pseudoRandomBytes(9 * 1024 * 1024 + 17, 99));
    const db = openStore(join(base, 'home'));
    const spy = countMainThreadHashing();
    let summary, report;
    try {
      summary = await offload({ source: card, destinations: [join(base, 'r1'), join(base, 'r2')], formats: [...formats], db });
      report = await verifyHistory(join(base, 'r1', 'A001'), { hashing: pooledHashing });
    } finally {
      spy.restore();
      db.close();
    }
    expect(summary.status).toBe('completed');
    expect(report.exitCode).toBe(0);
    expect(report.filesVerified).toBe(7);
    expect(spy.calls()).toBe(0);
    // The work was done, in the workers: the copy's digest is xxhsum's.
    const r = await hashFile(join(base, 'r2', 'A001', 'Clips/big.mov'), ['xxh64']);
    expect(r.digests.xxh64).toBe(xxhsum(join(card, 'Clips/big.mov')));
  });
});

describe('tasks across the thread boundary', () => {
  it('reports every byte once as progress', async () => {
    const path = writeFile(scratch(), 'f.bin', pseudoRandomBytes(13 * 1024 * 1024 + 5, 3));
    let seen = 0;
    const r = await hashFile(path, ['xxh64'], { onBytes: (n) => (seen += n) });
    expect(r.bytes).toBe(13 * 1024 * 1024 + 5);
    expect(seen).toBe(r.bytes);
  });

  it('a worker error keeps its errno code, so callers can tell a missing file', async () => {
    const e = await hashFile(join(scratch(), 'nope.bin'), ['xxh64']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as { code?: string }).code).toBe('ENOENT');
  });

  it('a RushesError comes back as the same RushesError', () => {
    const cause = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const back = fromWire(toWire(new RushesError('DEST_FULL', 'destination is full writing /x', { path: '/x', cause })));
    expect(back).toBeInstanceOf(RushesError);
    expect(back).toMatchObject({ code: 'DEST_FULL', path: '/x', message: 'destination is full writing /x' });
    expect((back.cause as { code?: string }).code).toBe('ENOSPC');
  });

  it('cancelling stops the task and rejects with the signal reason', async () => {
    // Long enough (three slow hashes) that the first progress poll comes well before the end.
    const size = 128 * 1024 * 1024;
    const path = writeFile(scratch(), 'long.bin', pseudoRandomBytes(size, 5));
    const controller = new AbortController();
    let seen = 0;
    const reason = new Error('stop');
    const e = await hashFile(path, ['md5', 'sha1', 'c4'], {
      direct: false,
      signal: controller.signal,
      onBytes: (n) => {
        seen += n;
        controller.abort(reason);
      },
    }).catch((x: unknown) => x);
    expect(e).toBe(reason);
    expect(seen).toBeLessThan(size);
  });

  it('is sized from the machine, at least 2 threads, and RUSHES_WORKERS overrides it', () => {
    expect(poolSize({})).toBeGreaterThanOrEqual(2);
    expect(poolSize({ RUSHES_WORKERS: '5' })).toBe(5);
    expect(poolSize({ RUSHES_WORKERS: 'many' })).toBe(poolSize({}));
  });
});
