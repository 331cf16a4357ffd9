/**
 * The swarm runtime against this machine's Docker Swarm (one node, `docker swarm init`: .ci/run)
 * and the real S3 server of the sync tests (Ceph RGW on loopback): renders with s3:// inputs
 * and outputs run as replicated-job services of the worker image, their outputs the same
 * objects, frame for frame, as the local runtime's files; the result record is written last;
 * the task is locked down; a task killed mid-run is retried by the queue and succeeds; a
 * cancel removes the service and its container; `rushes render … --runtime swarm` fans a
 * folder of clips out at once. The tasks join the host's network here, to reach the gateway
 * on 127.0.0.1 (a cluster's store is a service or an address the nodes reach).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import { buildInvocation } from '../core/render/request.ts';
import type { RenderResult } from '../core/render/run.ts';
import type { RenderJobResult } from '../core/render/job.ts';
import { executorFor } from '../core/runtime/executor.ts';
import { findClips } from '../core/inspect/tree.ts';
import { inspectWith } from '../core/inspect/function.ts';
import type { ClipRecord } from '../core/inspect/types.ts';
import { readResultRecord } from '../core/runtime/result-record.ts';
import { DEFAULT_NETWORK } from '../core/runtime/swarm.ts';
import { DEFAULT_WORKER_IMAGE } from '../core/runtime/lockdown.ts';
import type { Progress } from '../core/util/progress.ts';
import { writeArriMov } from './helpers/clips.ts';
import { bucketFor, retriedAfterLoss, containersOf, credentialsSecret, docker, md5Of, objectsUnder, servicesOf, swarmMissing } from './helpers/cluster.ts';
import { jsonLines, runCli } from './helpers/cli.ts';
import { rgwUnavailable, useRgw } from './helpers/s3-fixtures.ts';
import { registryMissing, startRegistry } from './helpers/registry.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';

const notReady = rgwUnavailable() ?? (await swarmMissing()) ?? registryMissing();
if (notReady && process.env.CI) throw new Error(`CI needs the swarm runtime: ${notReady}`);

const BUCKET = 'rushes-swarm';

describe.skipIf(notReady !== undefined)(`swarm runtime${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  const rgw = useRgw();
  const scratch = scratchFolders('rushes-swarm-');
  let dir: string;
  let client: S3Client;
  let secret: { name: string; remove(): Promise<void> };
  let record: ClipRecord;
  let swarm: ReturnType<typeof executorFor>;

  async function recordOf(path: string): Promise<ClipRecord> {
    const set = await findClips(path);
    return inspectWith(executorFor('thread'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
  }

  beforeAll(async () => {
    dir = scratch();
    chmodSync(dir, 0o755);
    writeArriMov(join(dir, 'A002C001_261123.mov'), { seconds: 2 });
    writeArriMov(join(dir, 'long', 'A002C002_261123.mov'), { seconds: 40 });
    writeArriMov(join(dir, 'roll', 'A003C001_261124.mov'), { seconds: 1 });
    writeArriMov(join(dir, 'roll', 'A003C002_261124.mov'), { seconds: 1, timecode: '15:00:00:00' });
    record = await recordOf(join(dir, 'A002C001_261123.mov'));
    client = await bucketFor(rgw().endpoint, BUCKET);
    // The clip as a camera original already in the bucket (synced there): the task reads it from S3.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'originals/A002C001_261123.mov', Body: readFileSync(join(dir, 'A002C001_261123.mov')) }));
    secret = await credentialsSecret(rgw());
    // How this process (the engine, the CLI) reaches the gateway; tasks get the endpoint, never these keys.
    Object.assign(process.env, { RUSHES_S3_ENDPOINT: rgw().url, RUSHES_S3_PROVIDER: 'ceph', AWS_ACCESS_KEY_ID: rgw().accessKeyId, AWS_SECRET_ACCESS_KEY: rgw().secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' });
    swarm = executorFor('swarm', { swarm: { network: 'host', credentialsSecret: secret.name, pollMs: 100 } });
  }, 180_000);

  afterAll(async () => {
    await secret?.remove();
  });

  it('a proxy and a lossless plate from s3:// on the swarm are the local runtime\'s outputs, frame for frame, and a second run gives the same objects', async () => {
    const s3Input = { ...record.source, uri: `s3://${BUCKET}/originals/A002C001_261123.mov` };
    for (const [fn, extra] of [['proxy', { height: 180 }], ['plate', { frames: [5, 9] as [number, number], handles: 2 }]] as const) {
      const local = await buildInvocation(record, { fn, outDir: join(dir, 'local'), ...extra });
      const here = await executorFor('thread').run<RenderResult>(local.invocation, {});
      const { invocation } = await buildInvocation(record, { fn, outDir: `s3://${BUCKET}/${fn}s/`, ...extra });
      const inv = { ...invocation, input: { ...invocation.input, uri: s3Input.uri } };
      const progress: Progress[] = [];
      const there = await swarm.run<RenderResult>(inv, { onProgress: (p) => progress.push(p) });
      // A folder in a bucket ends in / (a prefix); on a disk it does not.
      const strip = (r: RenderResult, base: string) => r.outputs.map((o) => ({ ...o, path: o.path.replace(base, 'OUT/').replace(/\/$/, '') }));
      expect(strip(there, `s3://${BUCKET}/${fn}s/`)).toEqual(strip(here, `${join(dir, 'local')}/`));
      // Progress came through the service's logs, and the task's states before it.
      expect(progress.some((p) => p.remote?.backend === 'swarm' && p.remote.state === 'running')).toBe(true);
      expect(progress.some((p) => (p.framesDone ?? 0) > 0)).toBe(true);
      // The objects are the files: each one's MD5 (its ETag) is the local file's.
      const objects = await objectsUnder(client, BUCKET, `${fn}s/`);
      for (const out of here.outputs) {
        const files = out.files > 1 ? readdirSync(out.path).map((f) => [`${out.name}/${f}`, join(out.path, f)]) : [[out.name, out.path]];
        expect(files.length).toBe(out.files);
        for (const [key, file] of files) expect(objects.get(key!), key).toBe(md5Of(file!));
      }
      // The result record, written last, lists them; the service is gone.
      const rec = await readResultRecord<RenderResult>(`s3://${BUCKET}/${fn}s/`, inv.id);
      expect(rec?.outputs.map((o) => o.xxh64)).toEqual(here.outputs.map((o) => o.xxh64));
      expect(await servicesOf(inv.id)).toEqual([]);
      // Again: the same objects, byte for byte.
      const again = await swarm.run<RenderResult>(inv, {});
      expect(again.outputs).toEqual(there.outputs);
      const after = await objectsUnder(client, BUCKET, `${fn}s/`);
      for (const [key, etag] of objects) if (!key.startsWith('_rushes/')) expect(after.get(key), key).toBe(etag);
    }
    // The default network, made on first use by other runs, is an overlay without a way out.
    const net = await docker.call('GET', `/networks/${DEFAULT_NETWORK}`);
    if (net.status === 200) expect((net.body as { Internal: boolean }).Internal).toBe(true);
  }, 300_000);

  it('a local input is put up for the task; on the default network, an internal overlay, a task cannot reach an address outside it', async () => {
    const { invocation } = await buildInvocation(record, { fn: 'thumbnail', outDir: `s3://${BUCKET}/thumbs/` });
    const r = await swarm.run<RenderResult>(invocation, {});
    expect(r.outputs[0]!.path).toBe(`s3://${BUCKET}/thumbs/A002C001_261123.jpg`);
    const put = await objectsUnder(client, BUCKET, 'thumbs/_rushes/inputs/');
    expect([...put.keys()].filter((k) => k.endsWith('/A002C001_261123.mov'))).toHaveLength(1);
    // The same run on the internal overlay (made on first use): no route to the gateway, so no result; the deadline removes the service.
    const boxed = executorFor('swarm', { swarm: { credentialsSecret: secret.name, pollMs: 100 } });
    const failure = (await boxed.run(invocation, { timeoutMs: 20_000 }).then(
      () => ({ code: 'DONE' }),
      (e: unknown) => e as { code: string },
    )) as { code: string };
    expect(['RENDER_TIMEOUT', 'SYNC_UNREACHABLE']).toContain(failure.code);
    expect(await servicesOf(invocation.id)).toEqual([]);
    const net = await docker.ok('GET', `/networks/${DEFAULT_NETWORK}`, undefined, 'to describe the network');
    expect(net).toMatchObject({ Internal: true, Driver: 'overlay' });
  }, 180_000);

  it('with a registry, the image is pushed there and tasks run it by digest', async () => {
    const registry = await startRegistry();
    const pushed = `${registry.host}/${DEFAULT_WORKER_IMAGE.split(':')[0]}`;
    try {
      const viaRegistry = executorFor('swarm', { swarm: { network: 'host', credentialsSecret: secret.name, registry: registry.host, pollMs: 100 } });
      const { invocation } = await buildInvocation(record, { fn: 'thumbnail', outDir: `s3://${BUCKET}/pinned/`, width: 200 });
      let image: string | undefined;
      const r = await viaRegistry.run<RenderResult>(invocation, {
        onProgress: (p) => {
          // Asked as soon as the service exists: it is removed once its task ends.
          if (p.remote?.state !== 'new' || image) return;
          void servicesOf(invocation.id).then(async ([svc]) => {
            const spec = svc && ((await docker.ok('GET', `/services/${svc.ID}`, undefined, 'to inspect')) as { Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } });
            image ??= spec?.Spec.TaskTemplate.ContainerSpec.Image;
          });
        },
      });
      expect(r.outputs[0]!.path).toBe(`s3://${BUCKET}/pinned/A002C001_261123.jpg`);
      expect(image).toMatch(new RegExp(`^${pushed.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`));
      // The registry holds it under its tag, and the digest it serves is the one the task ran.
      const manifest = await fetch(`http://${registry.host}/v2/${pushed.split('/').slice(1).join('/')}/manifests/${DEFAULT_WORKER_IMAGE.split(':')[1] ?? 'latest'}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      expect(image?.endsWith(manifest.headers.get('docker-content-digest') ?? 'none')).toBe(true);
    } finally {
      await docker.call('DELETE', `/images/${encodeURIComponent(`${pushed}:${DEFAULT_WORKER_IMAGE.split(':')[1] ?? 'latest'}`)}?noprune=1`);
      await registry.stop();
    }
  }, 400_000);

  it('a task killed mid-run is retried by the queue and succeeds; its container was locked down', async () => {
    const home = scratch();
    const engine = new Engine({ home, backoff: { baseMs: 200, maxMs: 1000 }, render: { swarm: { network: 'host', credentialsSecret: secret.name, maxTasks: 2 } } });
    await engine.start();
    try {
      const [clip] = await engine.api.clips.inspectPath(join(dir, 'long', 'A002C002_261123.mov'));
      const { renders } = await engine.api.renders.submit({ fn: 'proxy', clipId: clip!.id, out: `s3://${BUCKET}/killed/`, height: 360, runtime: 'swarm' });
      const jobId = renders[0]!.job.id;
      expect(renders[0]!.job.resources).toEqual(['remote:swarm']);
      // Mid-run: frames done, not all of them.
      await waitFor('frames from the task', () => {
        const p = engine.queue.get(jobId)?.progress as Progress | undefined;
        return p?.framesDone && p.framesTotal && p.framesDone < p.framesTotal ? p : undefined;
      }, 120_000, 50);
      const { invocation } = await buildInvocation(engine.clips.get(clip!.id)!.record, { fn: 'proxy', outDir: `s3://${BUCKET}/killed/`, height: 360 });
      const [running] = await containersOf(invocation.id, { running: true });
      const inspected = (await docker.ok('GET', `/containers/${running!.Id}/json`, undefined, 'to inspect')) as { Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[]; PidsLimit: number; Memory: number } };
      expect(inspected.Config.User).toBe('10001:10001');
      expect(inspected.HostConfig).toMatchObject({ ReadonlyRootfs: true, CapDrop: ['ALL'], PidsLimit: 512 });
      expect(inspected.HostConfig.Memory).toBeGreaterThan(0);
      await docker.ok('POST', `/containers/${running!.Id}/kill`, undefined, 'to kill the task');
      // The first attempt ended TASK_LOST (retryable), the queue tried again, and that one succeeded.
      const result = await retriedAfterLoss(engine.queue, jobId, 240_000);
      expect(result.runtime).toBe('swarm');
      // The proxy the retry made is whole: the object is the one its record names.
      const body = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'killed/A002C002_261123.mp4' }));
      expect(Number(body.ContentLength)).toBe(result.outputs[0]!.size);
      expect(await servicesOf(invocation.id)).toEqual([]);
    } finally {
      await engine.stop(5000);
    }
  }, 400_000);

  it('cancel removes the service, and its container goes', async () => {
    const home = scratch();
    const engine = new Engine({ home, render: { runtime: 'swarm', swarm: { network: 'host', credentialsSecret: secret.name } } });
    await engine.start();
    try {
      const [clip] = await engine.api.clips.inspectPath(join(dir, 'long', 'A002C002_261123.mov'));
      const { renders } = await engine.api.renders.submit({ fn: 'proxy', clipId: clip!.id, out: `s3://${BUCKET}/cancelled/`, height: 720 });
      const jobId = renders[0]!.job.id;
      const { invocation } = await buildInvocation(engine.clips.get(clip!.id)!.record, { fn: 'proxy', outDir: `s3://${BUCKET}/cancelled/`, height: 720 });
      await waitFor('the task to run', async () => ((await containersOf(invocation.id, { running: true })).length ? true : undefined), 120_000, 100);
      expect(await servicesOf(invocation.id)).toHaveLength(1);
      engine.api.jobs.cancel(jobId);
      await waitFor('the job to be cancelled', () => (engine.queue.get(jobId)!.state === 'cancelled' ? true : undefined), 60_000, 50);
      await waitFor('the service to go', async () => ((await servicesOf(invocation.id)).length === 0 ? true : undefined), 30_000, 100);
      await waitFor('the container to go', async () => ((await containersOf(invocation.id)).length === 0 ? true : undefined), 60_000, 200);
      expect(await readResultRecord(`s3://${BUCKET}/cancelled/`, invocation.id)).toBeUndefined();
    } finally {
      await engine.stop(5000);
    }
  }, 300_000);

  it('rushes render plate … --runtime swarm hands every clip of a folder to the swarm at once', async () => {
    const home = scratch();
    const config = join(home, 'cluster.json');
    writeFileSync(config, JSON.stringify({ render: { swarm: { network: 'host', credentialsSecret: secret.name, maxTasks: 2 } } }));
    const r = await runCli(['--home', home, 'render', 'plate', join(dir, 'roll'), '--frames', '0-3', '--out', `s3://${BUCKET}/turnover/`, '--runtime', 'swarm', '--config', config, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rendered = jsonLines(r.stdout).filter((l) => l.type === 'rendered');
    expect(rendered.map((l) => l.clip).sort()).toEqual(['A003C001_261124', 'A003C002_261124']);
    expect(rendered.every((l) => l.runtime === 'swarm')).toBe(true);
    const objects = await objectsUnder(client, BUCKET, 'turnover/');
    expect([...objects.keys()].filter((k) => /^A003C00[12]_261124_0-3\/.*\.exr$/.test(k))).toHaveLength(8);
  }, 300_000);
});
