/**
 * The lean request path for small objects (core/sync/lean-put.ts, signed by sigv4.ts):
 * the signature against AWS's published examples, then against a real Ceph RADOS Gateway,
 * each failure side by side with the SDK's path (`leanPut: false`) — the same error code,
 * the same message, the same retries.
 */
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type Db } from '../core/store/db.ts';
import { authorization, encodePath, uriEncode } from '../core/sync/sigv4.ts';
import { Bandwidth, createS3Client, MemorySyncRecords, SyncStore, syncFiles, type RetryNotice, type S3Endpoint, type SyncOptions, type SyncTarget } from '../core/sync/index.ts';
import { removeTree, tempDir } from './helpers/card.ts';
import { rgwUnavailable, useRgw } from './helpers/s3-fixtures.ts';
import { makeFile, objectSha256, type TestFile } from './helpers/s3-files.ts';
import { startProxy, type S3Proxy } from './helpers/s3-proxy.ts';
import { scratchFolders } from './helpers/scratch.ts';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('SigV4 signing', () => {
  it('gives the signatures of AWS’s published examples', () => {
    // Amazon S3 API reference, "Examples: Signature Calculations", GET Object (the first 10 bytes of test.txt).
    const s3Get = authorization(
      {
        method: 'GET',
        path: '/test.txt',
        headers: { Host: 'examplebucket.s3.amazonaws.com', Range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' },
        payloadHash: EMPTY_SHA256,
      },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      { region: 'us-east-1', service: 's3' },
      '20130524T000000Z',
    );
    expect(s3Get).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    // The SigV4 test suite, get-vanilla-query-order-key-case (query parameters sorted by name).
    const suite = authorization(
      { method: 'GET', path: '/', query: { Param2: 'value2', Param1: 'value1' }, headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' }, payloadHash: EMPTY_SHA256 },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      { region: 'us-east-1', service: 'service' },
      '20150830T123600Z',
    );
    expect(suite).toMatch(/SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500$/);
  });

  it('encodes a key as S3 wants it: once, every byte but the unreserved ones, slashes kept', () => {
    // What the SDK itself put on the wire for this key.
    expect(encodePath('a b/ü+%.txt')).toBe('a%20b/%C3%BC%2B%25.txt');
    expect(uriEncode("!'()*~-._")).toBe('%21%27%28%29%2A~-._');
    expect(encodePath('x//y/')).toBe('x//y/');
  });
});

describe('a store whose clock is an hour ahead', () => {
  it('refuses the first PUT as RequestTimeTooSkewed; the retry is signed with the store’s time', async () => {
    const ahead = 3600_000;
    const puts: string[] = [];
    // A stand-in for the store's clock check alone (RGW's clock cannot be moved in a test).
    const server = createServer((req, res) => {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        if (req.method !== 'PUT') return void res.writeHead(404).end();
        const stamp = String(req.headers['x-amz-date']);
        puts.push(stamp);
        const sent = Date.parse(stamp.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
        res.setHeader('Date', new Date(Date.now() + ahead).toUTCString());
        if (Math.abs(sent - (Date.now() + ahead)) > 15 * 60_000) {
          return void res.writeHead(403).end('<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>');
        }
        res.writeHead(200, { ETag: `"${createHash('md5').update(Buffer.concat(body)).digest('hex')}"` }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const dir = tempDir('rushes-sync-skew-');
    try {
      const f = await makeFile(dir, 'skew.bin', 5000, 3);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const retries: RetryNotice[] = [];
      const s = await syncFiles({ endpoint: { url, provider: 'ceph', credentials: { accessKeyId: 'K', secretAccessKey: 'S' } }, bucket: 'skew' }, [{ path: f.path, key: 'skew.bin', xxh64: f.xxh64 }], {
        store: new MemorySyncRecords(),
        retry: { baseDelayMs: 10, maxDelayMs: 20, giveUpAfterMs: 5000 },
        onRetry: (n) => retries.push(n),
      });
      expect(s.objects[0]!.error).toBeUndefined();
      expect(retries.map((r) => [r.kind, r.cause.split(' ')[0]])).toEqual([['transient', 'RequestTimeTooSkewed']]);
      expect(puts).toHaveLength(2);
    } finally {
      server.close();
      removeTree(dir);
    }
  });
});

const missing = rgwUnavailable();

/** Keys that are easy to sign wrongly: spaces, non-ASCII, reserved and sub-delimiter characters. */
const AWKWARD_KEYS = ["A001/Clips/a b+c=d&e;f,g$h@i:j!k'l(m)n*o~p.dpx", 'día 1/ñandú/émoji 🎬 (take 2).mov', 'percent%20literal/100%.txt', 'q?uery#frag[1]{2}^`|\\.bin'];

describe.skipIf(missing !== undefined)(`the lean PUT against Ceph RGW${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const rgw = useRgw();
  const scratch = scratchFolders('rushes-sync-lean-');
  let bucketCount = 0;
  const fast = { baseDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 30_000 };

  async function setup(): Promise<{ dir: string; db: Db; client: S3Client; target: SyncTarget; bucket: string }> {
    const dir = scratch();
    const bucket = `lean-${++bucketCount}`;
    const client = createS3Client(rgw().endpoint);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { dir, db: openStore(join(dir, 'home')), client, target: { endpoint: rgw().endpoint, bucket }, bucket };
  }
  const via = (proxy: S3Proxy): S3Endpoint => ({ ...rgw().endpoint, url: proxy.url });
  /** The SDK marks its PutObject requests with ?x-id=PutObject; the lean path does not. */
  const leanPuts = (proxy: S3Proxy) => proxy.requests.filter((r) => r.method === 'PUT' && !r.query.has('x-id')).length;

  async function expectStored(client: S3Client, bucket: string, key: string, f: TestFile): Promise<void> {
    const got = await objectSha256(client, bucket, key);
    expect([got.size, got.sha256, got.metadata.xxh64]).toEqual([f.size, f.sha256, f.xxh64]);
  }

  it('uploads objects under awkward keys that read back byte-identical, with their metadata and type', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const files = await Promise.all(AWKWARD_KEYS.map((_, i) => makeFile(dir, `f${i}.bin`, 1000 + 7919 * i, 40 + i)));
    const empty = await makeFile(dir, 'empty.bin', 0, 1);
    const proxy = await startProxy(rgw().url);
    try {
      const items = [...files.map((f, i) => ({ path: f.path, key: AWKWARD_KEYS[i]!, xxh64: f.xxh64 })), { path: empty.path, key: 'empty', xxh64: empty.xxh64, contentType: 'text/plain' }];
      const s = await syncFiles({ ...target, endpoint: via(proxy) }, items, { store: db });
      expect(s.objects.flatMap((o) => (o.error ? [o.error] : []))).toEqual([]);
      expect(leanPuts(proxy)).toBe(items.length);
      for (const [i, f] of files.entries()) {
        await expectStored(client, bucket, AWKWARD_KEYS[i]!, f);
        expect(s.objects[i]!.etag).toMatch(/^[0-9a-f]{32}$/);
      }
      await expectStored(client, bucket, 'empty', empty);
      expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'empty' }))).ContentType).toBe('text/plain');
      expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: AWKWARD_KEYS[0] }))).ContentType).toBe('application/octet-stream');
      expect(new SyncStore(db).countSynced({ endpoint: 'rgw', bucket })).toBe(items.length);
    } finally {
      await proxy.close();
    }
  });

  /** The same sync through the lean path and through the SDK, each into its own bucket. */
  async function bothPaths(prepare: (proxy: S3Proxy) => void, options: Partial<SyncOptions> = {}, endpoint: Partial<S3Endpoint> = {}) {
    return Promise.all(
      [true, false].map(async (leanPut) => {
        const { dir, db, client, target, bucket } = await setup();
        const f = await makeFile(dir, 'A001/frames/frame 0001.dpx', 50_000, 7);
        const proxy = await startProxy(rgw().url);
        prepare(proxy);
        const retries: RetryNotice[] = [];
        try {
          const s = await syncFiles({ bucket, endpoint: { ...via(proxy), ...endpoint } }, [{ path: f.path, key: 'A001/frames/frame 0001.dpx', xxh64: f.xxh64 }], {
            store: db,
            leanPut,
            retry: fast,
            onRetry: (n) => retries.push(n),
            ...options,
          });
          return { s, retries, client, bucket, f, proxy, db, target };
        } finally {
          await proxy.close();
        }
      }),
    );
  }
  /** A run's error message without what differs between the two runs (its bucket and scratch folder). */
  const messageOf = (run: { s: { objects: { error?: { message: string } }[] }; f: TestFile; bucket: string }) =>
    run.s.objects[0]!.error?.message.replaceAll(run.bucket, 'BUCKET').replaceAll(run.f.path, 'FILE');
  const isSmallPut = (r: { method: string; query: URLSearchParams }) => r.method === 'PUT' && !r.query.has('partNumber');
  const retryShape = (rs: RetryNotice[]) => rs.map((r) => [r.kind, r.cause.split(' ')[0], r.what]);

  it('sends a body corrupted in flight again: RGW answers BadDigest to its Content-MD5, as with the SDK', async () => {
    const [lean, sdk] = await bothPaths((proxy) => proxy.corrupt(isSmallPut));
    for (const run of [lean, sdk]) {
      expect(run.s.objects[0]!.error).toBeUndefined();
      await expectStored(run.client, run.bucket, 'A001/frames/frame 0001.dpx', run.f);
    }
    expect(retryShape(lean.retries)).toEqual([['corrupt', 'BadDigest', 'upload of']]);
    expect(retryShape(lean.retries)).toEqual(retryShape(sdk.retries));
    expect(leanPuts(lean.proxy)).toBe(2);
  });

  it('gives up on a body corrupted every time with SYNC_INTEGRITY, as with the SDK', async () => {
    const [lean, sdk] = await bothPaths((proxy) => proxy.corrupt(isSmallPut, 10));
    expect(lean.s.objects[0]!.error?.code).toBe('SYNC_INTEGRITY');
    expect(lean.s.objects[0]!.error?.message).toMatch(/other bytes than were sent, 3 times \(BadDigest \(HTTP 400\)/);
    expect(messageOf(lean)).toBe(messageOf(sdk));
  });

  it('waits out a store that answers 503 SlowDown or 500, as with the SDK', async () => {
    const [lean, sdk] = await bothPaths((proxy) => {
      proxy.refuse(isSmallPut, 503, 'SlowDown', 2);
      proxy.refuse(isSmallPut, 500, 'InternalError', 1);
    });
    for (const run of [lean, sdk]) {
      expect(run.s.objects[0]!.error).toBeUndefined();
      await expectStored(run.client, run.bucket, 'A001/frames/frame 0001.dpx', run.f);
    }
    expect(retryShape(lean.retries)).toEqual([
      ['transient', 'SlowDown', 'upload of'],
      ['transient', 'SlowDown', 'upload of'],
      ['transient', 'InternalError', 'upload of'],
    ]);
    expect(retryShape(lean.retries)).toEqual(retryShape(sdk.retries));
  });

  it('reports a wrong secret key as SYNC_AUTH at once, naming the object and the file, as with the SDK', async () => {
    const wrong = { credentials: { accessKeyId: rgw().accessKeyId, secretAccessKey: 'not-the-secret' } };
    const [lean, sdk] = await bothPaths(() => {}, {}, wrong);
    const e = lean.s.objects[0]!.error!;
    expect(e.code).toBe('SYNC_AUTH');
    expect(e.message).toMatch(/^upload of s3:\/\/lean-\d+\/A001\/frames\/frame 0001\.dpx \(from .*frame 0001\.dpx\) failed: the object store refused the credentials \(SignatureDoesNotMatch \(HTTP 403\)/);
    expect(e.message).not.toContain('not-the-secret');
    expect(e.path).toBe(lean.f.path);
    expect(lean.retries).toEqual([]);
    expect(messageOf(lean)).toBe(messageOf(sdk));
    // An access key the store does not know.
    const [leanUnknown] = await bothPaths(() => {}, {}, { credentials: { accessKeyId: 'NOSUCHKEY000', secretAccessKey: 'x' } });
    expect(leanUnknown.s.objects[0]!.error?.code).toBe('SYNC_AUTH');
    expect(leanUnknown.s.objects[0]!.error?.message).toMatch(/InvalidAccessKeyId/);
  });

  it('reports a missing bucket as SYNC_NO_BUCKET', async () => {
    const { dir, db } = await setup();
    const f = await makeFile(dir, 'x.bin', 3000, 3);
    const s = await syncFiles({ endpoint: rgw().endpoint, bucket: 'lean-no-such-bucket' }, [{ path: f.path, key: 'x', xxh64: f.xxh64 }], { store: db });
    expect(s.objects[0]!.error?.code).toBe('SYNC_NO_BUCKET');
    expect(s.objects[0]!.error?.message).toContain('s3://lean-no-such-bucket/x');
  });

  it('waits out a link that drops, and is cancelled by the signal mid request', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const f = await makeFile(dir, 'slow.bin', 200_000, 9);
    const proxy = await startProxy(rgw().url);
    try {
      proxy.setDown(true);
      const retries: RetryNotice[] = [];
      const run = syncFiles({ ...target, endpoint: via(proxy) }, [{ path: f.path, key: 'slow.bin', xxh64: f.xxh64 }], { store: db, retry: fast, onRetry: (n) => retries.push(n) });
      await new Promise((r) => setTimeout(r, 400));
      proxy.setDown(false);
      expect((await run).objects[0]!.error).toBeUndefined();
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.every((r) => r.kind === 'transient')).toBe(true);
      await expectStored(client, bucket, 'slow.bin', f);

      // 200 KB at 50 KB/s: cancelled while the body is being sent.
      const cancel = new AbortController();
      setTimeout(() => cancel.abort(), 700);
      const started = Date.now();
      const s = await syncFiles({ ...target, endpoint: via(proxy) }, [{ path: f.path, key: 'cancelled.bin', xxh64: f.xxh64 }], { store: db, signal: cancel.signal, bandwidth: new Bandwidth(50_000) });
      expect(s.objects[0]!.error?.code).toBe('CANCELLED');
      expect(Date.now() - started).toBeLessThan(2500);
      await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cancelled.bin' }))).rejects.toThrow();
    } finally {
      await proxy.close();
    }
  });
});
