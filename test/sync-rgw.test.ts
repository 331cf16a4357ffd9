/**
 * core/sync against a real Ceph RADOS Gateway on loopback (test/helpers/s3-servers.ts),
 * with a counting, corrupting, link-cutting proxy in front of it where a test needs to see
 * or break the traffic. RGW checks Content-MD5 on PutObject and UploadPart (BadDigest).
 */
import { CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore, type Db } from '../core/store/db.ts';
import { abandonUpload, abortStaleUploads, Bandwidth, createS3Client, SyncStore, syncFiles, type RetryNotice, type S3Endpoint, type SyncOptions, type SyncSummary, type SyncTarget } from '../core/sync/index.ts';
import { useRgw, rgwUnavailable } from './helpers/s3-fixtures.ts';
import { makeFile, objectSha256, type TestFile } from './helpers/s3-files.ts';
import { startProxy, type S3Proxy } from './helpers/s3-proxy.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const CHILD = fileURLToPath(new URL('./helpers/sync-child.ts', import.meta.url));
const missing = rgwUnavailable();

describe.skipIf(missing !== undefined)(`sync to Ceph RGW${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const rgw = useRgw();
  const scratch = scratchFolders('rushes-sync-rgw-');
  let bucketCount = 0;

  /** A fresh bucket, a fresh store and a client, per test. */
  async function setup(): Promise<{ dir: string; db: Db; client: S3Client; target: SyncTarget; bucket: string }> {
    const dir = scratch();
    const bucket = `rushes-test-${++bucketCount}`;
    const client = createS3Client(rgw().endpoint);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { dir, db: openStore(join(dir, 'home')), client, target: { endpoint: rgw().endpoint, bucket }, bucket };
  }

  const via = (proxy: S3Proxy): S3Endpoint => ({ ...rgw().endpoint, url: proxy.url });
  const fast = { baseDelayMs: 100, maxDelayMs: 1000, giveUpAfterMs: 60_000 };

  const expectNoFailures = (s: SyncSummary) => expect(s.objects.flatMap((o) => (o.error ? [o.error] : []))).toEqual([]);

  async function expectStored(client: S3Client, bucket: string, key: string, f: TestFile): Promise<void> {
    const got = await objectSha256(client, bucket, key);
    expect(got.size).toBe(f.size);
    expect(got.sha256).toBe(f.sha256);
    expect(got.metadata.xxh64).toBe(f.xxh64);
  }

  it('uploads small and multipart files that read back byte-identical, and records them synced', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const small = await makeFile(dir, 'A001/Clips/small.mxf', 70_000, 1);
    const empty = await makeFile(dir, 'A001/empty.txt', 0, 2);
    const large = await makeFile(dir, 'A001/Clips/large.mxf', 3 * PART + 12_345, 3);
    const progress: number[] = [];
    const summary = await syncFiles(
      target,
      [small, empty, large].map((f, i) => ({ path: f.path, key: `day1/${i}-${f.path.split('/').at(-1)}`, xxh64: f.xxh64 })),
      { store: db, partSize: PART, onProgress: (p) => progress.push(p.bytesDone) },
    );
    expectNoFailures(summary);
    expect(summary.uploaded).toBe(3);
    expect(summary.bytesDone).toBe(small.size + large.size);
    expect(progress.at(-1)).toBe(small.size + large.size);
    const big = summary.objects[2];
    expect(big.etag).toMatch(/^[0-9a-f]{32}-4$/);
    expect(big.partsSent).toBe(4);
    await expectStored(client, bucket, 'day1/0-small.mxf', small);
    await expectStored(client, bucket, 'day1/1-empty.txt', empty);
    await expectStored(client, bucket, 'day1/2-large.mxf', large);
    const store = new SyncStore(db);
    expect(store.countSynced({ endpoint: 'rgw', bucket })).toBe(3);
    expect(store.openUploads()).toEqual([]);
  });

  it('skips what is already there on a second run (HEAD), sending nothing', async () => {
    const { dir, db, target } = await setup();
    const files = await Promise.all([1, 2, 3].map((i) => makeFile(dir, `f${i}.bin`, i === 3 ? 2 * PART + 1 : 1000 * i, i)));
    const items = files.map((f, i) => ({ path: f.path, key: `k/${i}`, xxh64: f.xxh64 }));
    expect((await syncFiles(target, items, { store: db, partSize: PART })).uploaded).toBe(3);
    const proxy = await startProxy(rgw().url);
    try {
      const again = await syncFiles({ ...target, endpoint: via(proxy) }, items, { store: db, partSize: PART });
      expect(again.skipped).toBe(3);
      expect(again.uploaded).toBe(0);
      expect(proxy.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'HEAD']);
      // Without the caller's xxh64 the local copy is hashed and still matches.
      const third = await syncFiles({ ...target, endpoint: via(proxy) }, items.map(({ path, key }) => ({ path, key })), { store: db, partSize: PART });
      expect(third.skipped).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('lists the bucket once instead of a HEAD per file for a larger sync, and HEADs only what is there', async () => {
    const { dir, db, target } = await setup();
    const files = await Promise.all(Array.from({ length: 20 }, (_, i) => makeFile(dir, `frames/f${i}.dpx`, 3000 + i, 100 + i)));
    const items = files.map((f, i) => ({ path: f.path, key: `A001/frames/f${i}.dpx`, xxh64: f.xxh64 }));
    const proxy = await startProxy(rgw().url);
    try {
      const endpoint = via(proxy);
      expect((await syncFiles({ ...target, endpoint }, items.slice(0, 15).concat(items.slice(16)), { store: db })).uploaded).toBe(19);
      const methods = () => proxy.requests.map((r) => `${r.method}${r.query.has('list-type') ? ' list' : ''}`).sort();
      expect(methods()).toEqual(['GET list', ...Array(19).fill('PUT')]);
      proxy.requests.length = 0;
      const again = await syncFiles({ ...target, endpoint }, items, { store: db });
      expect([again.skipped, again.uploaded]).toEqual([19, 1]);
      expect(methods()).toEqual(['GET list', ...Array(19).fill('HEAD'), 'PUT']);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a local copy whose bytes are not the recorded xxh64, and records nothing', async () => {
    const { dir, db, target, bucket } = await setup();
    const f = await makeFile(dir, 'x.bin', 1000, 9);
    const g = await makeFile(dir, 'y.bin', 2 * PART + 7, 10);
    const s = await syncFiles(target, [{ path: f.path, key: 'x', xxh64: '0123456789abcdef' }, { path: g.path, key: 'y', xxh64: '0123456789abcdef' }], { store: db, partSize: PART });
    expect(s.objects.map((o) => o.error?.code)).toEqual(['SOURCE_CHANGED', 'SOURCE_CHANGED']);
    expect(s.objects[0].error?.message).toContain(f.path);
    expect(new SyncStore(db).countSynced({ endpoint: 'rgw', bucket })).toBe(0);
    // The multipart upload begun for y was aborted, not left on the store.
    const client = createS3Client(rgw().endpoint);
    expect((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
  });

  it('sends a part again when it arrives corrupted (RGW answers BadDigest), and the object is right', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const large = await makeFile(dir, 'big.mxf', 3 * PART, 4);
    const small = await makeFile(dir, 'small.xml', 50_000, 5);
    const proxy = await startProxy(rgw().url);
    const retries: RetryNotice[] = [];
    try {
      proxy.corrupt((r) => r.method === 'PUT' && r.query.get('partNumber') === '2');
      proxy.corrupt((r) => r.method === 'PUT' && r.path.endsWith('/small.xml') && !r.query.has('partNumber'));
      const s = await syncFiles(
        { ...target, endpoint: via(proxy) },
        [
          { path: large.path, key: 'big.mxf', xxh64: large.xxh64 },
          { path: small.path, key: 'small.xml', xxh64: small.xxh64 },
        ],
        { store: db, partSize: PART, onRetry: (n) => retries.push(n), retry: fast },
      );
      expectNoFailures(s);
      expect(proxy.partsSent().sort()).toEqual([1, 2, 2, 3]);
      expect(retries.map((r) => [r.kind, r.cause.split(' ')[0]])).toEqual(expect.arrayContaining([['corrupt', 'BadDigest'], ['corrupt', 'BadDigest']]));
      expect(retries).toHaveLength(2);
      await expectStored(client, bucket, 'big.mxf', large);
      await expectStored(client, bucket, 'small.xml', small);
    } finally {
      await proxy.close();
    }
  });

  it('resumes after kill -9 mid upload, sending only the parts the store lacks', async () => {
    const { dir, client, target, bucket } = await setup();
    const home = join(dir, 'home');
    const f = await makeFile(dir, 'A001C001.mxf', 10 * PART, 6);
    const job = join(dir, 'job.json');
    writeFileSync(job, JSON.stringify({ target, files: [{ path: f.path, key: 'A001/A001C001.mxf', xxh64: f.xxh64 }], home, limit: 8 * MiB, partSize: PART, partConcurrency: 2 }));
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, job], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    // kill -9 once at least three parts are acknowledged (and recorded), with more in flight.
    await waitFor('three parts acknowledged', () => {
      const done = out.split('\n').filter((l) => l.startsWith('{"bytesDone"')).map((l) => JSON.parse(l).bytesDone as number);
      if (child.exitCode !== null) throw new Error(`the child exited early: ${out}`);
      return (done.at(-1) ?? 0) >= 3 * PART ? true : undefined;
    }, 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const db = openStore(home);
    const store = new SyncStore(db);
    const open = store.openUpload({ endpoint: 'rgw', bucket, key: 'A001/A001C001.mxf' })!;
    expect(open).toBeDefined();
    expect(store.parts(open.id).length).toBeGreaterThanOrEqual(3);
    const listed = (await client.send(new ListPartsCommand({ Bucket: bucket, Key: open.key, UploadId: open.uploadId }))).Parts!.map((p) => p.PartNumber!);
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed.length).toBeLessThan(10);

    const proxy = await startProxy(rgw().url);
    try {
      const s = await syncFiles({ ...target, endpoint: via(proxy) }, [{ path: f.path, key: 'A001/A001C001.mxf', xxh64: f.xxh64 }], { store: db, partSize: PART });
      expectNoFailures(s);
      const sent = proxy.partsSent().sort((a, b) => a - b);
      const lacking = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((n) => !listed.includes(n));
      expect(sent).toEqual(lacking);
      expect(s.objects[0].partsResumed).toBe(listed.length);
      expect(s.objects[0].etag).toMatch(/-10$/);
      await expectStored(client, bucket, 'A001/A001C001.mxf', f);
      expect(store.openUploads()).toEqual([]);
    } finally {
      await proxy.close();
      db.close();
    }
  });

  it('gives up on a link that stays down past the give-up time, with a clear error', async () => {
    const { dir, db, target, bucket } = await setup();
    const f = await makeFile(dir, 'c.bin', 10_000, 8);
    const proxy = await startProxy(rgw().url);
    proxy.setDown(true);
    try {
      const s = await syncFiles({ ...target, endpoint: via(proxy) }, [{ path: f.path, key: 'c.bin', xxh64: f.xxh64 }], { store: db, retry: { baseDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 1500 } });
      expect(s.objects[0].error?.code).toBe('SYNC_UNREACHABLE');
      expect(s.objects[0].error?.message).toMatch(/s3:\/\/rushes-test-\d+\/c\.bin \(from .*c\.bin\).*did not answer/);
      expect(new SyncStore(db).countSynced({ endpoint: 'rgw', bucket })).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('reports bad credentials, a missing bucket and denied access clearly, recording nothing', async () => {
    const { dir, db, target, bucket } = await setup();
    const files = await Promise.all([1, 2].map((i) => makeFile(dir, `f${i}.bin`, 5000, i)));
    const items = files.map((f, i) => ({ path: f.path, key: `k${i}`, xxh64: f.xxh64 }));
    const store = new SyncStore(db);

    const badSecret: S3Endpoint = { ...rgw().endpoint, credentials: { accessKeyId: rgw().accessKeyId, secretAccessKey: 'wrong-secret' } };
    const auth = await syncFiles({ endpoint: badSecret, bucket }, items, { store: db });
    expect(auth.objects.map((o) => o.error?.code)).toEqual(['SYNC_AUTH', 'SYNC_AUTH']);
    expect(auth.objects[0].error?.message).toMatch(/refused the credentials.*SignatureDoesNotMatch/);
    expect(auth.objects[0].error?.message).not.toContain('wrong-secret');

    const unknownKey: S3Endpoint = { ...rgw().endpoint, credentials: { accessKeyId: 'NOSUCHKEY000', secretAccessKey: 'x' } };
    expect((await syncFiles({ endpoint: unknownKey, bucket }, items, { store: db })).objects[0].error?.code).toBe('SYNC_AUTH');

    const noBucket = await syncFiles({ ...target, bucket: 'no-such-bucket' }, items, { store: db });
    expect(noBucket.objects.map((o) => o.error?.code)).toEqual(['SYNC_NO_BUCKET', 'SYNC_NO_BUCKET']);
    expect(noBucket.objects[0].error?.message).toContain('s3://no-such-bucket/k0');

    // Another user's valid keys on this user's bucket.
    rgw().admin(['user', 'create', '--uid', 'other', '--display-name', 'other', '--access-key', 'OTHERKEY0001', '--secret-key', 'othersecret0001']);
    const other: S3Endpoint = { ...rgw().endpoint, credentials: { accessKeyId: 'OTHERKEY0001', secretAccessKey: 'othersecret0001' } };
    const denied = await syncFiles({ endpoint: other, bucket }, items, { store: db });
    expect(denied.objects[0].error?.code).toBe('SYNC_DENIED');
    expect(denied.objects[0].error?.message).toMatch(/access denied.*AccessDenied/);

    expect(store.countSynced({ endpoint: 'rgw', bucket })).toBe(0);
  });

  it('reports a full quota as SYNC_QUOTA', async () => {
    const { dir, db, target, bucket } = await setup();
    rgw().admin(['quota', 'set', '--quota-scope=bucket', `--bucket=${bucket}`, '--max-objects=1']);
    rgw().admin(['quota', 'enable', '--quota-scope=bucket', `--bucket=${bucket}`]);
    const files = await Promise.all([1, 2].map((i) => makeFile(dir, `q${i}.bin`, 5000, i)));
    const s = await syncFiles(target, files.map((f, i) => ({ path: f.path, key: `q${i}`, xxh64: f.xxh64 })), { store: db, fileConcurrency: 1 });
    expect(s.objects.map((o) => o.outcome)).toEqual(['uploaded', 'failed']);
    expect(s.objects[1].error?.code).toBe('SYNC_QUOTA');
    expect(new SyncStore(db).countSynced({ endpoint: 'rgw', bucket })).toBe(1);
  });

  it('aborts uploads abandoned for good, so no parts are left on the store', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const f = await makeFile(dir, 'gone.mxf', 4 * PART, 11);
    const g = await makeFile(dir, 'stale.mxf', 4 * PART, 12);
    const cancel = new AbortController();
    let done = 0;
    // Cancelled mid upload: the upload stays open for a later run…
    const run = syncFiles(target, [f, g].map((x) => ({ path: x.path, key: x.path.split('/').at(-1)!, xxh64: x.xxh64 })), {
      store: db,
      partSize: PART,
      bandwidth: new Bandwidth(6 * MiB),
      signal: cancel.signal,
      onProgress: (p) => {
        done = p.bytesDone;
        if (done >= 2 * PART) cancel.abort();
      },
    });
    const s = await run;
    expect(s.objects.map((o) => o.error?.code)).toEqual(['CANCELLED', 'CANCELLED']);
    const listOpen = async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).map((u) => u.Key).sort();
    expect(await listOpen()).toEqual(['gone.mxf', 'stale.mxf']);
    // …until it is abandoned for good: one by key, the rest as stale.
    expect(await abandonUpload(target, 'gone.mxf', { store: db })).toBe(true);
    expect(await listOpen()).toEqual(['stale.mxf']);
    expect(await abortStaleUploads(target, 0, { store: db })).toEqual(['stale.mxf']);
    expect(await listOpen()).toEqual([]);
    expect(new SyncStore(db).openUploads()).toEqual([]);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'gone.mxf' }))).rejects.toThrow();
  });

  it('waits while the gateway is down and resumes when it is back', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const f = await makeFile(dir, 'B001C002.mxf', 8 * PART, 7);
    const retries: RetryNotice[] = [];
    const options: SyncOptions = { store: db, partSize: PART, bandwidth: new Bandwidth(8 * MiB), partConcurrency: 2, onRetry: (n) => retries.push(n), retry: { baseDelayMs: 200, maxDelayMs: 2000, giveUpAfterMs: 120_000 } };
    let done = 0;
    const run = syncFiles(target, [{ path: f.path, key: 'B001C002.mxf', xxh64: f.xxh64 }], { ...options, onProgress: (p) => (done = p.bytesDone) });
    await waitFor('some parts acknowledged', () => (done >= 2 * PART ? true : undefined), 60_000);
    rgw().stopGateway();
    await new Promise((r) => setTimeout(r, 4000));
    expect(done).toBeLessThan(f.size);
    rgw().startGateway();
    const s = await run;
    expectNoFailures(s);
    expect(retries.some((r) => r.kind === 'transient')).toBe(true);
    await expectStored(client, bucket, 'B001C002.mxf', f);
  });
});
