/**
 * The swarm runtime against the local docker runtime, in the same run, on this machine's
 * one-node Docker Swarm and a Ceph RGW on loopback (test/helpers/rgw-sandbox.sh):
 *
 * 1. Per-task overhead: `--serial` thumbnails of a tiny clip one after another on each
 *    runtime; a task's overhead is its wall time minus the function's own (its reply's
 *    timings.ms): starting the container, and for swarm scheduling the task, reading its
 *    input from and writing its output to S3, its result record, removing the service.
 *    Target: swarm under 1.5 s.
 * 2. Total wall time of `--tasks` thumbnail invocations (default 200), `--concurrency` at once
 *    (default 8), on each runtime: the docker runtime reads and writes local files, swarm
 *    tasks s3:// places.
 * 3. A `--seconds`-long (default 60) HD ProRes clip to a proxy: the docker runtime from and to
 *    file://, against swarm from and to s3:// (the task stages the input in its scratch volume
 *    and uploads the proxy). Target: s3:// ≤ 1.2× file://.
 *
 *   npm run bench -- cluster [--tasks 200] [--concurrency 8] [--serial 10] [--seconds 60]
 *
 * Tasks join the host's network to reach the gateway on 127.0.0.1. The last line is one JSON
 * object with the figures and ratios.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { inspectWith } from '../core/inspect/function.ts';
import { findClips } from '../core/inspect/tree.ts';
import { buildInvocation } from '../core/render/request.ts';
import type { RenderResult } from '../core/render/run.ts';
import { DockerEngine } from '../core/runtime/docker.ts';
import { executorFor, type Executor } from '../core/runtime/executor.ts';
import type { Invocation } from '../core/runtime/protocol.ts';
import { destroyPool } from '../core/runtime/pool.ts';
import { registerStorage } from '../core/runtime/storage.ts';
import { createS3Client, MemorySyncRecords, s3Storage } from '../core/sync/index.ts';
import { startRgw } from '../test/helpers/s3-servers.ts';
import { numberArg } from './_args.ts';

const tasks = numberArg('tasks', 200);
const concurrency = numberArg('concurrency', 8);
const serial = numberArg('serial', 10);
const seconds = numberArg('seconds', 60);
const run = promisify(execFile);
const BUCKET = 'rushes-bench-cluster';

const data = fileURLToPath(new URL('./.data/', import.meta.url));
mkdirSync(data, { recursive: true });
chmodSync(data, 0o755);
const tiny = join(data, 'tiny.mov');
if (!existsSync(tiny)) await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-t', '1', '-c:v', 'prores_ks', tiny]);
const hd = join(data, `hd-prores-lt-${seconds}s.mov`);
if (!existsSync(hd)) {
  console.log(`making ${hd} (once)…`);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=24000/1001', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-c:v', 'prores_ks', '-profile:v', '1', '-pix_fmt', 'yuv422p10le', '-c:a', 'pcm_s24le', '-ac', '2', '-timecode', '01:00:00:00', hd]);
}

const docker = new DockerEngine();
const rgw = await startRgw({ memMiB: 2048 });
const work = mkdtempSync(join(tmpdir(), 'rushes-bench-cluster-'));
chmodSync(work, 0o755);
let secretId: string | undefined;
try {
  const client = createS3Client(rgw.endpoint);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const records = new MemorySyncRecords();
  registerStorage('s3', s3Storage({ endpoint: rgw.endpoint, scratch: join(work, 'scratch'), store: () => records }));
  // The originals as synced to the bucket: tasks read them from there.
  for (const f of [tiny, hd]) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `originals/${f.split('/').at(-1)}`, Body: createReadStream(f), ContentLength: statSync(f).size }));
  const secretName = `rushes-bench-${process.pid}`;
  const credentials = `[default]\naws_access_key_id = ${rgw.accessKeyId}\naws_secret_access_key = ${rgw.secretAccessKey}\n`;
  secretId = ((await docker.ok('POST', '/secrets/create', { Name: secretName, Data: Buffer.from(credentials).toString('base64') }, 'to make a secret')) as { ID: string }).ID;

  const local = executorFor('docker');
  const swarm = executorFor('swarm', { swarm: { network: 'host', credentialsSecret: secretName, pollMs: 100 } });
  const recordOf = async (path: string) => {
    const set = await findClips(path);
    return inspectWith(executorFor('thread'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
  };
  const tinyRecord = await recordOf(tiny);
  const hdRecord = await recordOf(hd);

  /** Invocation `i` of a thumbnail (each its own width, so each its own invocation and output) for a runtime. */
  async function thumbnail(i: number, remote: boolean): Promise<Invocation> {
    const out = remote ? `s3://${BUCKET}/thumbs/${i}/` : join(work, 'thumbs', String(i));
    const { invocation } = await buildInvocation(tinyRecord, { fn: 'thumbnail', outDir: out, width: 64 + (i % 200) * 2 });
    return remote ? { ...invocation, input: { ...invocation.input, uri: `s3://${BUCKET}/originals/tiny.mov` } } : invocation;
  }

  async function timed(rt: Executor, inv: Invocation): Promise<{ wallS: number; fnS: number }> {
    const t0 = performance.now();
    const r = await rt.run<RenderResult>(inv);
    return { wallS: (performance.now() - t0) / 1000, fnS: r.timings.ms / 1000 };
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  // 1. Per-task overhead, one task at a time (after one warm-up run each).
  const overhead: Record<string, number[]> = { docker: [], swarm: [] };
  for (const [name, rt, remote] of [['docker', local, false], ['swarm', swarm, true]] as const) {
    await timed(rt, await thumbnail(10_000, remote));
    for (let i = 0; i < serial; i++) {
      const t = await timed(rt, await thumbnail(20_000 + i, remote));
      overhead[name]!.push(t.wallS - t.fnS);
    }
  }

  // 2. Many at once.
  async function fanOut(rt: Executor, remote: boolean): Promise<number> {
    const invocations = await Promise.all(Array.from({ length: tasks }, (_, i) => thumbnail(i, remote)));
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < invocations.length) await rt.run(invocations[next++]!);
      }),
    );
    return (performance.now() - t0) / 1000;
  }
  const dockerWallS = await fanOut(local, false);
  const swarmWallS = await fanOut(swarm, true);

  // 3. A 1-minute proxy: file:// on the docker runtime against s3:// on the swarm.
  const fileProxy = await buildInvocation(hdRecord, { fn: 'proxy', outDir: join(work, 'proxy') });
  const s3Proxy = await buildInvocation(hdRecord, { fn: 'proxy', outDir: `s3://${BUCKET}/proxies/` });
  const proxyFile = await timed(local, fileProxy.invocation);
  const proxyS3 = await timed(swarm, { ...s3Proxy.invocation, input: { ...s3Proxy.invocation.input, uri: `s3://${BUCKET}/originals/${hd.split('/').at(-1)}` } });

  const dockerOverheadS = median(overhead.docker!);
  const swarmOverheadS = median(overhead.swarm!);
  const mib = statSync(hd).size / 2 ** 20;
  console.log(`per-task overhead (thumbnail of a 320x180 clip, median of ${serial}, wall time minus the function's own):`);
  console.log(`  docker runtime (file://)   ${dockerOverheadS.toFixed(3)} s   (mean ${mean(overhead.docker!).toFixed(3)} s)`);
  console.log(`  swarm runtime (s3://)      ${swarmOverheadS.toFixed(3)} s   (mean ${mean(overhead.swarm!).toFixed(3)} s)   target < 1.5 s`);
  console.log(`${tasks} thumbnails, ${concurrency} at once:`);
  console.log(`  docker runtime             ${dockerWallS.toFixed(1)} s   ${(tasks / dockerWallS).toFixed(2)} tasks/s`);
  console.log(`  swarm runtime              ${swarmWallS.toFixed(1)} s   ${(tasks / swarmWallS).toFixed(2)} tasks/s   ratio ${(swarmWallS / dockerWallS).toFixed(2)}`);
  console.log(`${seconds} s HD ProRes 422 LT (${mib.toFixed(0)} MiB, ${hdRecord.durationFrames} frames) → H.264 1080p proxy:`);
  console.log(`  docker, file:// in and out ${proxyFile.wallS.toFixed(2)} s (function ${proxyFile.fnS.toFixed(2)} s)`);
  console.log(`  swarm, s3:// in and out    ${proxyS3.wallS.toFixed(2)} s (function ${proxyS3.fnS.toFixed(2)} s, staging included)   ratio ${(proxyS3.wallS / proxyFile.wallS).toFixed(3)} (target <= 1.2)`);
  const r3 = (n: number) => Number(n.toFixed(3));
  console.log(
    JSON.stringify({
      bench: 'cluster',
      tasks,
      concurrency,
      serial,
      dockerTaskOverheadS: r3(dockerOverheadS),
      swarmTaskOverheadS: r3(swarmOverheadS),
      swarmExtraOverheadS: r3(swarmOverheadS - dockerOverheadS),
      dockerWallS: r3(dockerWallS),
      swarmWallS: r3(swarmWallS),
      swarmWallRatio: r3(swarmWallS / dockerWallS),
      proxySeconds: seconds,
      proxyFileS: r3(proxyFile.wallS),
      proxyS3S: r3(proxyS3.wallS),
      s3StagingRatio: r3(proxyS3.wallS / proxyFile.wallS),
    }),
  );
} finally {
  if (secretId) await docker.call('DELETE', `/secrets/${secretId}`);
  await rgw.stop();
  await destroyPool();
  rmSync(work, { recursive: true, force: true });
}
