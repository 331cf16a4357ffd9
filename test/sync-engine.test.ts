/**
 * Cloud sync through the engine, against a real Ceph RADOS Gateway on loopback: `rushes sync`
 * as a user runs it, the daemon's workflow (a watched card's originals follow its offload,
 * its metadata and thumbnails follow inspection and rendering), the card's cloud state and
 * the sync events, and a daemon killed with -9 mid-upload that resumes where the store is.
 */
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Card } from '../core/watch/card-store.ts';
import type { Job } from '../core/queue/index.ts';
import { openStore } from '../core/store/db.ts';
import { createS3Client, SyncStore } from '../core/sync/index.ts';
import { compileSchema, describeErrors } from '../core/util/schema.ts';
import { makeArriCard } from './helpers/cameras.ts';
import { makeSmallCard } from './helpers/card.ts';
import { jsonLines, runCli } from './helpers/cli.ts';
import { startDaemon, type DaemonProcess } from './helpers/daemon.ts';
import { rgwUnavailable, useRgw } from './helpers/s3-fixtures.ts';
import { makeFile, objectSha256 } from './helpers/s3-files.ts';
import { startProxy } from './helpers/s3-proxy.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { readEvents } from './helpers/sse.ts';
import { waitFor } from './helpers/wait.ts';
import { writeArriMov } from './helpers/clips.ts';
import { buildInvocation } from '../core/render/request.ts';
import { executorFor, processExecutor } from '../core/runtime/executor.ts';
import { findClips } from '../core/inspect/tree.ts';
import { inspectWith } from '../core/inspect/function.ts';
import type { RenderResult } from '../core/render/run.ts';

const MiB = 1024 * 1024;
const missing = rgwUnavailable();
const validateManifest = compileSchema('sync-manifest.schema.json');

/** xxh64 of a file as the xxhsum tool computes it (not Rushes' own hashing). */
const xxhsum = (file: string) => execFileSync('xxhsum', ['-H64', file], { encoding: 'utf8' }).split(/\s+/)[0]!.replace(/^XXH64_/, '');

describe.skipIf(missing !== undefined)(`sync through the engine to Ceph RGW${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const rgw = useRgw();
  const scratch = scratchFolders('rushes-sync-engine-');
  let buckets = 0;

  async function bucket(): Promise<{ client: S3Client; name: string }> {
    const client = createS3Client(rgw().endpoint);
    const name = `rushes-engine-${++buckets}`;
    await client.send(new CreateBucketCommand({ Bucket: name }));
    return { client, name };
  }

  async function keysIn(client: S3Client, name: string): Promise<string[]> {
    const r = await client.send(new ListObjectsV2Command({ Bucket: name }));
    return (r.Contents ?? []).map((o) => o.Key!).sort();
  }

  /** The sync manifest at the roll's prefix, checked against its schema. */
  async function manifestAt(client: S3Client, name: string, key: string) {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const r = await client.send(new GetObjectCommand({ Bucket: name, Key: key }));
    const manifest = JSON.parse(await r.Body!.transformToString()) as Record<string, unknown> & { prefix: string; files: { path?: string; key: string; size: number; xxh64?: string }[]; mhl: { key: string }[]; clips: { key: string }[]; outputs: { key: string }[] };
    expect(validateManifest(manifest), describeErrors(validateManifest.errors)).toBe(true);
    return manifest;
  }

  /** The gateway as a config names it (a fresh object: the SDK marks credentials objects it is given). */
  const rgwEndpoint = () => ({ url: rgw().url, provider: 'ceph', credentials: { accessKeyId: rgw().accessKeyId, secretAccessKey: rgw().secretAccessKey } });

  /** Credentials as a user's shell has them: the standard AWS chain, nothing from this machine's own files. */
  const awsEnv = (o: { secret?: string } = {}) => ({
    AWS_ACCESS_KEY_ID: rgw().accessKeyId,
    AWS_SECRET_ACCESS_KEY: o.secret ?? rgw().secretAccessKey,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CA_BUNDLE: '',
  });

  it('rushes sync uploads a verified roll folder, proves it against the xxh64 the MHL records, and skips it all on a second run', async () => {
    const base = scratch();
    const { client, name } = await bucket();
    const card = join(base, 'A001');
    makeSmallCard(card);
    const home = join(base, 'home');
    const offload = await runCli(['--home', home, 'offload', card, '--to', join(base, 'raid1')]);
    expect(offload.code, offload.stderr).toBe(0);
    const roll = join(base, 'raid1', 'A001');

    const args = ['--home', home, 'sync', roll, '--to', `s3://${name}/show/`, '--endpoint', rgw().url, '--provider', 'ceph', '--layout', '{roll}/{path}', '--json'];
    const first = await runCli(args, awsEnv());
    expect(first.code, first.stderr).toBe(0);
    const results = jsonLines(first.stdout).filter((l) => l.type === 'synced').map((l) => l.result as { part: string; uploaded: number; skipped: number; manifest: string });
    // No renders of this roll are known, so there are no outputs to send.
    expect(results.map((r) => r.part)).toEqual(['metadata', 'originals']);
    expect(jsonLines(first.stdout).some((l) => l.type === 'progress')).toBe(true);

    const keys = await keysIn(client, name);
    const manifest = await manifestAt(client, name, 'show/A001/_rushes/sync-manifest.json');
    expect(manifest.prefix).toBe('show/A001/');
    const originals = manifest.files.map((f) => f.path!).sort();
    expect(originals.length).toBeGreaterThan(3);
    for (const f of manifest.files) {
      expect(keys).toContain(f.key);
      const local = join(roll, f.path!);
      expect(f.xxh64).toBe(xxhsum(local));
      const head = await client.send(new HeadObjectCommand({ Bucket: name, Key: f.key }));
      expect(head.Metadata?.xxh64).toBe(f.xxh64);
      expect(head.ContentLength).toBe(readFileSync(local).length);
    }
    expect(manifest.mhl.map((m) => m.key).some((k) => /^show\/A001\/ascmhl\/0001_A001_.*\.mhl$/.test(k))).toBe(true);
    expect(keys).toContain('show/A001/ascmhl/ascmhl_chain.xml');

    const again = await runCli(args, awsEnv());
    expect(again.code, again.stderr).toBe(0);
    const second = jsonLines(again.stdout).filter((l) => l.type === 'synced').map((l) => l.result as { uploaded: number; skipped: number });
    expect(second.map((r) => r.uploaded)).toEqual([0, 0]);
    expect(second.reduce((n, r) => n + r.skipped, 0)).toBe(results.reduce((n, r) => n + r.uploaded, 0));

    const status = await runCli(['--home', home, 'sync', 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/succeeded\s+originals\s+A001/);
  });

  it('bad credentials and a missing bucket end with exit 14, a clear error, and nothing recorded as synced', async () => {
    const base = scratch();
    const { name } = await bucket();
    const roll = join(base, 'A001');
    makeSmallCard(roll);
    const home = join(base, 'home');
    const common = ['--endpoint', rgw().url, '--provider', 'ceph', '--include', 'originals'];

    const badKey = await runCli(['--home', home, 'sync', roll, '--to', `s3://${name}/x/`, ...common], awsEnv({ secret: 'not-the-secret' }));
    expect(badKey.code).toBe(14);
    expect(badKey.stderr).toMatch(/SYNC_AUTH/);

    const noBucket = await runCli(['--home', home, 'sync', roll, '--to', 's3://no-such-bucket-here/x/', ...common], awsEnv());
    expect(noBucket.code).toBe(14);
    expect(noBucket.stderr).toMatch(/SYNC_NO_BUCKET.*no-such-bucket-here/);

    const badTarget = await runCli(['--home', home, 'sync', join(base, 'nowhere'), '--to', `s3://${name}/x/`, ...common], awsEnv());
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toMatch(/nowhere: no such folder/);

    const db = openStore(home);
    try {
      expect(new SyncStore(db).countSynced({ endpoint: rgw().url, bucket: name })).toBe(0);
    } finally {
      db.close();
    }
  });

  describe('s3:// as a place functions read from and write to', () => {
    it('rushes render writes its outputs into a bucket, answering with their s3:// places', async () => {
      const base = scratch();
      const { client, name } = await bucket();
      const clip = join(base, 'A003C001_261123.mov');
      writeArriMov(clip, { seconds: 1 });
      const env = { ...awsEnv(), RUSHES_S3_ENDPOINT: rgw().url, RUSHES_S3_PROVIDER: 'ceph' };
      const r = await runCli(['--home', join(base, 'home'), 'render', 'thumbnail', clip, '--out', `s3://${name}/thumbs`, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const done = jsonLines(r.stdout).find((l) => l.type === 'rendered') as unknown as { result: { outputs: { path: string; xxh64: string }[] } };
      const out = done.result.outputs[0]!;
      expect(out.path).toBe(`s3://${name}/thumbs/A003C001_261123.jpg`);
      const head = await client.send(new HeadObjectCommand({ Bucket: name, Key: 'thumbs/A003C001_261123.jpg' }));
      expect(head.Metadata?.xxh64).toBe(out.xxh64);
      // Nothing staged is left behind.
      expect(execFileSync('find', [join(base, 'home'), '-name', 'out-*'], { encoding: 'utf8' })).toBe('');

      // A place nothing here can write is refused before anything runs, naming it.
      const refused = await runCli(['--home', join(base, 'home'), 'render', 'thumbnail', clip, '--out', 'ftp://host/x/'], env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/ftp:\/\/host\/x\/: cannot read or write this location/);
    });

    it('rushes-fn, as a cloud batch job runs it, reads its input from a bucket and writes its outputs there', async () => {
      const base = scratch();
      const { client, name } = await bucket();
      const clip = join(base, 'A003C002_261123.mov');
      writeArriMov(clip, { seconds: 1 });
      const set = await findClips(clip);
      const record = await inspectWith(executorFor('thread'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      await client.send(new PutObjectCommand({ Bucket: name, Key: 'in/A003C002_261123.mov', Body: readFileSync(clip), Metadata: { xxh64: xxhsum(clip) } }));
      const { invocation } = await buildInvocation(record, { fn: 'plate', outDir: join(base, 'unused'), frames: [0, 3] });
      const inCloud = { ...invocation, input: { ...invocation.input, uri: `s3://${name}/in/A003C002_261123.mov` }, output: { uri: `s3://${name}/plates/` } };
      const prior = { ...process.env };
      Object.assign(process.env, { ...awsEnv(), RUSHES_S3_ENDPOINT: rgw().url, RUSHES_S3_PROVIDER: 'ceph' });
      let result: RenderResult;
      try {
        // The process backend as it is, without this side's staging: rushes-fn talks to the bucket itself.
        result = await processExecutor.run<RenderResult>(inCloud);
      } finally {
        process.env = prior;
      }
      expect(result.outputs[0]!.path).toBe(`s3://${name}/plates/A003C002_261123_0-3/`);
      const keys = (await keysIn(client, name)).filter((k) => k.startsWith('plates/'));
      const frames = keys.filter((k) => !k.startsWith('plates/_rushes/'));
      expect(frames).toHaveLength(4);
      expect(frames[0]).toMatch(/^plates\/A003C002_261123_0-3\/A003C002_261123\.\d{7}\.exr$/);
      // Beside them, written last, the result record that says they are all there (docs/cluster.md).
      expect(keys.filter((k) => k.startsWith('plates/_rushes/'))).toEqual([`plates/_rushes/${inCloud.id}.json`]);
    });
  });

  describe('in the daemon', () => {
    function daemonConfig(base: string, sync: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
      const file = join(base, 'rushes.json');
      writeFileSync(file, JSON.stringify({ backoff: { baseMs: 50, maxMs: 500 }, ...extra, sync: { endpoints: { default: rgwEndpoint() }, ...sync } }));
      return file;
    }

    it('a watched card: originals follow its offload, then metadata and thumbnails; its cloud state reads synced, and the events say so', async () => {
      const base = scratch();
      const { client, name } = await bucket();
      const watch = join(base, 'watch');
      const raid = join(base, 'raid1');
      mkdirSync(watch);
      const config = daemonConfig(
        base,
        { to: `s3://${name}/rushes/`, include: ['metadata', 'outputs', 'originals'], project: 'Show' },
        { ingest: { watch: [watch], mountRoots: false, destinations: [raid], stableMs: 500, pollMs: 100, layout: '{roll}' } },
      );
      const daemon = await startDaemon(join(base, 'home'), ['--config', config]);
      try {
        const staged = join(base, 'staging', 'A001R1AB');
        makeArriCard(staged, { clips: 2 });
        cpSync(staged, join(watch, 'A001R1AB'), { recursive: true, preserveTimestamps: true });

        // Two thumbnails (the ARRIRAW frames have no poster), the metadata, the originals: four syncs, all done.
        const card = await waitFor('the card synced', async () => {
          const { body } = await daemon.api<{ cards: (Card & { cloud?: string })[] }>('GET', '/api/cards');
          const c = body.cards[0];
          if (c?.state === 'failed' || c?.cloud === 'failed') throw new Error(`card failed: ${JSON.stringify(c)}`);
          const syncs = c ? (await daemon.api<{ jobs: Job[] }>('GET', `/api/syncs?card=${c.id}`)).body.jobs : [];
          return c?.cloud === 'synced' && syncs.length === 4 && syncs.every((j) => j.state === 'succeeded') ? c : undefined;
        }, 90_000).catch(async (e) => {
          const jobs = (await daemon.api<{ jobs: Job[] }>('GET', '/api/jobs?limit=100')).body.jobs;
          console.log(JSON.stringify(jobs.map((j) => ({ id: j.id, kind: j.kind, state: j.state, err: j.lastError, p: j.kind === 'sync' ? j.payload : undefined })), null, 1));
          console.log(JSON.stringify((await daemon.api('GET', '/api/cards')).body));
          throw e;
        });
        expect(card).toMatchObject({ state: 'verified', safeToEject: true, roll: 'A001' });
        const syncs = (await daemon.api<{ jobs: Job[] }>('GET', `/api/syncs?card=${card.id}`)).body.jobs;
        const parts = syncs.map((j) => (j.payload as { part: string }).part).sort();
        expect(parts).toEqual(['metadata', 'originals', 'outputs', 'outputs']);
        // The originals followed the offload: queued as it started, not after it ended.
        const originals = syncs.find((j) => (j.payload as { part: string }).part === 'originals')!;
        const offloadJob = (await daemon.api<{ job: Job }>('GET', `/api/jobs/${card.jobId}`)).body.job;
        expect(originals.createdAt).toBeLessThan(offloadJob.finishedAt!);

        const keys = await keysIn(client, name);
        const manifestKey = keys.find((k) => k.endsWith('/_rushes/sync-manifest.json'))!;
        expect(manifestKey).toMatch(/^rushes\/Show\/\d{4}-\d{2}-\d{2}\/A001\/_rushes\/sync-manifest\.json$/);
        const manifest = await manifestAt(client, name, manifestKey);
        const rollFolder = join(raid, 'A001');
        const localFiles = execFileSync('find', [rollFolder, '-type', 'f', '-not', '-path', '*/ascmhl/*'], { encoding: 'utf8' }).trim().split('\n').map((f) => relative(rollFolder, f)).sort();
        expect(manifest.files.map((f) => f.path).sort()).toEqual(localFiles);
        for (const f of manifest.files) {
          const got = await objectSha256(client, name, f.key);
          expect(got.sha256).toBe(execFileSync('sha256sum', [join(rollFolder, f.path!)], { encoding: 'utf8' }).split(' ')[0]);
          expect(got.metadata.xxh64).toBe(xxhsum(join(rollFolder, f.path!)));
        }
        expect(manifest.clips).toHaveLength(3);
        expect(manifest.outputs.length).toBeGreaterThanOrEqual(2);
        expect(manifest.mhl.length).toBeGreaterThanOrEqual(2);

        const events = await readEvents<{ type: string; jobId: number }>(`${daemon.url}/api/events?topics=sync`, { 'last-event-id': '0' }, (es) => es.filter((e) => e.event === 'sync.finished').length >= 4);
        expect(events.filter((e) => e.event === 'sync.started')).toHaveLength(4);
      } finally {
        daemon.child.kill('SIGTERM');
        await daemon.exited;
      }
    });

    it('killed with -9 mid-upload and started again, it sends only the parts the store lacks; the bandwidth limit changes while it runs', async () => {
      const base = scratch();
      const { client, name } = await bucket();
      const roll = join(base, 'raid1', 'B002');
      const clip = await makeFile(roll, 'B002C001.mxf', 6 * 8 * MiB, 11);
      const proxy = await startProxy(rgw().url);
      const config = daemonConfig(base, { to: `s3://${name}/p/`, endpoints: { default: { ...rgwEndpoint(), url: proxy.url } }, bwlimit: '4M', layout: '{roll}/{path}' });
      const home = join(base, 'home');
      let daemon: DaemonProcess | undefined = await startDaemon(home, ['--config', config]);
      try {
        expect((await daemon.api('GET', '/api/syncs/bandwidth')).body).toEqual({ limit: 4 * MiB });
        const submitted = await daemon.api<{ jobs: Job[]; created: boolean[] }>('POST', '/api/syncs', { path: roll, include: ['originals'] });
        expect(submitted.status).toBe(202);
        const id = submitted.body.jobs[0]!.id;
        // Asking again while it runs gives the same job.
        const twice = await daemon.api<{ jobs: Job[]; created: boolean[] }>('POST', '/api/syncs', { path: roll, include: ['originals'] });
        expect(twice.body).toMatchObject({ created: [false], jobs: [{ id }] });

        await waitFor('two parts confirmed', async () => {
          const job = (await daemon!.api<{ job: Job }>('GET', `/api/jobs/${id}`)).body.job;
          return ((job.progress as { bytesDone?: number } | undefined)?.bytesDone ?? 0) >= 2 * 8 * MiB ? true : undefined;
        }, 60_000);
        daemon.child.kill('SIGKILL');
        await daemon.exited;
        daemon = undefined;

        const db = openStore(home);
        const open = new SyncStore(db).openUploads();
        db.close();
        expect(open).toHaveLength(1);
        const listed = (await createS3Client(rgw().endpoint).send(new ListPartsCommand({ Bucket: name, Key: 'p/B002/B002C001.mxf', UploadId: open[0]!.uploadId }))).Parts!.map((p) => p.PartNumber!);
        expect(listed.length).toBeGreaterThanOrEqual(2);
        expect(listed.length).toBeLessThan(6);
        const before = proxy.partsSent().length;

        daemon = await startDaemon(home, ['--config', config]);
        const put = await daemon.api<{ limit: number | null }>('PUT', '/api/syncs/bandwidth', { limit: 'off' });
        expect(put.body).toEqual({ limit: null });
        expect((await daemon.api('PUT', '/api/syncs/bandwidth', { limit: 'fast' })).status).toBe(400);
        const done = await waitFor('the sync to finish', async () => {
          const job = (await daemon!.api<{ job: Job }>('GET', `/api/jobs/${id}`)).body.job;
          if (job.state === 'dead') throw new Error(`the sync died: ${JSON.stringify(job.lastError)}`);
          return job.state === 'succeeded' ? job : undefined;
        }, 120_000);
        expect(done.result).toMatchObject({ part: 'originals', uploaded: 1 });
        const resent = proxy.partsSent().slice(before).sort((a, b) => a - b);
        expect(resent).toEqual([1, 2, 3, 4, 5, 6].filter((n) => !listed.includes(n)));
        const stored = await objectSha256(client, name, 'p/B002/B002C001.mxf');
        expect(stored).toMatchObject({ sha256: clip.sha256, size: clip.size });
      } finally {
        if (daemon) {
          daemon.child.kill('SIGTERM');
          await daemon.exited;
        }
        await proxy.close();
      }
    });

    it('refuses a bad sync request with 400 or 404, naming the problem', async () => {
      const base = scratch();
      const daemon = await startDaemon(join(base, 'home'), ['--config', daemonConfig(base, { to: 's3://some-bucket/p/' })]);
      try {
        const relativePath = await daemon.api<{ error: { code: string } }>('POST', '/api/syncs', { path: 'raid1/A001' });
        expect(relativePath).toMatchObject({ status: 400, body: { error: { code: 'RELATIVE_PATH' } } });
        const invalid = await daemon.api<{ error: { code: string } }>('POST', '/api/syncs', { path: '/x', include: ['everything'] });
        expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
        const gone = await daemon.api<{ error: { message: string } }>('POST', '/api/syncs', { path: join(base, 'nowhere') });
        expect(gone.status).toBe(404);
        expect(gone.body.error.message).toMatch(/nowhere: no such folder/);
        const noCard = await daemon.api('POST', '/api/syncs', { cardId: 99 });
        expect(noCard.status).toBe(404);
        expect((await daemon.api('GET', '/api/syncs?state=bogus')).status).toBe(400);
      } finally {
        daemon.child.kill('SIGTERM');
        await daemon.exited;
      }
    });
  });
});
