/**
 * core/sync's flexible checksums against moto_server, which computes AWS's checksums
 * itself: with Debian's python3-crc32c on its path it makes a multipart object's composite
 * CRC32C from the bytes it received, which must equal ours. moto 5 checks neither
 * Content-MD5 nor the checksums a client sends (it stores what it is told), so here the
 * proof is Rushes' own comparison of the store's answer (ETag and checksum) with the bytes
 * read — and a moto without crc32c, which gives plain CRC32 for CRC32C, must be refused.
 */
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, type Db } from '../core/store/db.ts';
import { createS3Client, SyncStore, syncFiles, type RetryNotice, type S3Endpoint, type SyncSummary, type SyncTarget } from '../core/sync/index.ts';
import { motoUnavailable, useMoto } from './helpers/s3-fixtures.ts';
import { makeFile, objectSha256 } from './helpers/s3-files.ts';
import { startProxy } from './helpers/s3-proxy.ts';
import type { S3Server } from './helpers/s3-servers.ts';
import { scratchFolders } from './helpers/scratch.ts';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const missing = motoUnavailable();
const expectNoFailures = (s: SyncSummary) => expect(s.objects.flatMap((o) => (o.error ? [o.error] : []))).toEqual([]);

function harness(server: () => S3Server) {
  const scratch = scratchFolders('rushes-sync-moto-');
  let n = 0;
  return async (endpoint?: Partial<S3Endpoint>): Promise<{ dir: string; db: Db; client: S3Client; target: SyncTarget; bucket: string }> => {
    const dir = scratch();
    const bucket = `moto-${++n}`;
    const client = createS3Client(server().endpoint);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { dir, db: openStore(join(dir, 'home')), client, target: { endpoint: { ...server().endpoint, ...endpoint }, bucket }, bucket };
  };
}

describe.skipIf(missing !== undefined)(`flexible checksums with moto${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const moto = useMoto();
  const setup = harness(moto);

  it('uploads with CRC32C; moto computes the same composite CRC32C from the bytes it received', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const small = await makeFile(dir, 'small.mov', 100_000, 1);
    const large = await makeFile(dir, 'large.mov', 2 * PART + 999, 2);
    const s = await syncFiles(target, [small, large].map((f) => ({ path: f.path, key: f.path.split('/').at(-1)!, xxh64: f.xxh64 })), { store: db, partSize: PART });
    expectNoFailures(s);
    expect(s.objects[1].checksum).toMatch(/^[A-Za-z0-9+/]{6}==-3$/);
    for (const f of [small, large]) {
      const got = await objectSha256(client, bucket, f.path.split('/').at(-1)!);
      expect(got.sha256).toBe(f.sha256);
      expect(got.metadata.xxh64).toBe(f.xxh64);
    }
    // What moto holds, computed by moto itself at completion.
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'large.mov', ChecksumMode: 'ENABLED' }));
    expect(`${head.ChecksumCRC32C}`.replace(/-\d+$/, '')).toBe(s.objects[1].checksum!.replace(/-\d+$/, ''));
    expect(new SyncStore(db).syncedObject({ endpoint: 'moto', bucket, key: 'large.mov' })?.checksum).toBe(s.objects[1].checksum);
  });

  it('sends a small object’s CRC32C or SHA-256 header on the lean path as the SDK does', async () => {
    // moto 5 keeps no checksum for a single PUT (HEAD gives none, on either path), so the proof
    // is the request itself: the same integrity headers as the SDK's, and the SHA-256 of the bytes.
    for (const checksum of ['CRC32C', 'SHA256'] as const) {
      const sent = [];
      for (const leanPut of [true, false]) {
        const { dir, db, client, target, bucket } = await setup({ checksum });
        const small = await makeFile(dir, 'small frame.dpx', 40_000, 6);
        const proxy = await startProxy(moto().url);
        try {
          const s = await syncFiles({ ...target, endpoint: { ...target.endpoint, url: proxy.url } }, [{ path: small.path, key: 'A001/small frame.dpx', xxh64: small.xxh64 }], { store: db, leanPut });
          expectNoFailures(s);
          const put = proxy.requests.find((r) => r.method === 'PUT')!;
          // The SDK marks its PutObject with ?x-id=PutObject; the lean path does not.
          expect(put.query.has('x-id')).toBe(!leanPut);
          const name = `x-amz-checksum-${checksum.toLowerCase()}`;
          expect(put.headers[name]).toBe(s.objects[0].checksum);
          if (checksum === 'SHA256') expect(s.objects[0].checksum).toBe(Buffer.from(small.sha256, 'hex').toString('base64'));
          sent.push(['content-md5', 'content-length', 'content-type', 'x-amz-meta-xxh64', 'x-amz-content-sha256', name].map((h) => put.headers[h]));
          expect((await objectSha256(client, bucket, 'A001/small frame.dpx')).sha256).toBe(small.sha256);
        } finally {
          await proxy.close();
        }
      }
      expect(sent[0]).toEqual(sent[1]);
    }
  });

  it('uploads with SHA-256 where an endpoint asks for it', async () => {
    const { dir, db, client, target, bucket } = await setup({ checksum: 'SHA256' });
    const large = await makeFile(dir, 'sha.mov', 2 * PART + 5, 3);
    const s = await syncFiles(target, [{ path: large.path, key: 'sha.mov', xxh64: large.xxh64 }], { store: db, partSize: PART });
    expectNoFailures(s);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'sha.mov', ChecksumMode: 'ENABLED' }));
    expect(`${head.ChecksumSHA256}`.replace(/-\d+$/, '')).toBe(s.objects[0].checksum!.replace(/-\d+$/, ''));
  });

  it('catches a part corrupted in flight that the store accepted (its ETag is not our MD5) and sends it again', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const large = await makeFile(dir, 'flip.mov', 3 * PART, 4);
    const proxy = await startProxy(moto().url);
    const retries: RetryNotice[] = [];
    try {
      proxy.corrupt((r) => r.method === 'PUT' && r.query.get('partNumber') === '3');
      const s = await syncFiles({ ...target, endpoint: { ...target.endpoint, url: proxy.url } }, [{ path: large.path, key: 'flip.mov', xxh64: large.xxh64 }], {
        store: db,
        partSize: PART,
        onRetry: (n) => retries.push(n),
      });
      expectNoFailures(s);
      expect(proxy.partsSent().sort()).toEqual([1, 2, 3, 3]);
      expect(retries.map((r) => [r.kind, r.cause.split(':')[0]])).toEqual([['corrupt', 'CorruptTransfer']]);
      expect((await objectSha256(client, bucket, 'flip.mov')).sha256).toBe(large.sha256);
    } finally {
      await proxy.close();
    }
  });
});

describe.skipIf(missing !== undefined)(`a store whose CRC32C is wrong${missing ? ` (skipped: ${missing})` : ''}`, () => {
  // moto without the crc32c module computes plain CRC32 and calls it CRC32C.
  const moto = useMoto({ crc32c: false });
  const setup = harness(moto);

  it('is refused: nothing is recorded as synced and the object does not stay', async () => {
    const { dir, db, client, target, bucket } = await setup();
    const large = await makeFile(dir, 'crc.mov', 2 * PART + 1, 5);
    const s = await syncFiles(target, [{ path: large.path, key: 'crc.mov', xxh64: large.xxh64 }], { store: db, partSize: PART });
    expect(s.objects[0].error?.code).toBe('SYNC_INTEGRITY');
    expect(s.objects[0].error?.message).toMatch(/s3:\/\/moto-1\/crc\.mov .*expected .*-3 and/);
    expect(new SyncStore(db).countSynced({ endpoint: 'moto', bucket })).toBe(0);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'crc.mov' }))).rejects.toThrow();
  });
});
