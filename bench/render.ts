/**
 * Proxy rendering: a `--seconds`-long UHD ProRes 422 HQ clip to the default proxy (H.264
 * 1080p with burn-in), on each backend (thread, process, docker), against the equivalent raw
 * ffmpeg command (the very arguments the builder makes, writing straight to a file) in the
 * same run. Targets: each backend ≤ 1.05× raw. Then the per-job overhead: a tiny thumbnail
 * on each backend; docker's minus thread's is what starting a container costs (target under 1 s).
 *
 *   npm run bench -- render [--seconds 60] [--rounds 1] [--overhead-runs 5]
 *
 * The source clip is made once and kept in bench/.data/. The docker runtime needs dockerd
 * and the worker image (scripts/build-image.sh); without them only the host backends run.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { findClips } from '../core/inspect/tree.ts';
import { buildProxy } from '../core/render/builders.ts';
import { buildInvocation } from '../core/render/request.ts';
import { DockerEngine } from '../core/runtime/docker.ts';
import { destroyPool } from '../core/runtime/pool.ts';
import { DEFAULT_WORKER_IMAGE } from '../core/runtime/docker-backend.ts';
import { executorFor, type Executor } from '../core/runtime/executor.ts';
import { inspectWith } from '../core/inspect/function.ts';
import { numberArg } from './_args.ts';

const seconds = numberArg('seconds', 60);
const rounds = numberArg('rounds', 1);
const overheadRuns = numberArg('overhead-runs', 5);
const run = promisify(execFile);

const data = fileURLToPath(new URL('./.data/', import.meta.url));
mkdirSync(data, { recursive: true });
chmodSync(data, 0o755);
const source = join(data, `uhd-prores-hq-${seconds}s.mov`);
if (!existsSync(source)) {
  console.log(`making ${source} (once)…`);
  // Encoding UHD ProRes HQ runs at a few fps here: 5 s are encoded, then looped by stream copy.
  const piece = join(data, 'uhd-prores-hq-5s.mov');
  if (!existsSync(piece))
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=3840x2160:rate=24000/1001', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '5.005', '-c:v', 'prores_ks', '-profile:v', '3', '-pix_fmt', 'yuv422p10le', '-c:a', 'pcm_s24le', '-ac', '2', piece]);
  await run('ffmpeg', ['-v', 'error', '-y', '-stream_loop', String(Math.ceil(seconds / 5) - 1), '-i', piece, '-t', String(seconds), '-c', 'copy', '-timecode', '01:00:00:00', source]);
}
const tiny = join(data, 'tiny.mov');
if (!existsSync(tiny)) await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24', '-t', '1', '-c:v', 'prores_ks', tiny]);

async function recordOf(path: string) {
  const set = await findClips(path);
  return inspectWith(executorFor('thread'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
}
const record = await recordOf(source);
const tinyRecord = await recordOf(tiny);
const work = mkdtempSync(join(tmpdir(), 'rushes-bench-render-'));
chmodSync(work, 0o755);

const dockerReady = await new DockerEngine()
  .call('GET', `/images/${DEFAULT_WORKER_IMAGE}/json`)
  .then((r) => r.status === 200)
  .catch(() => false);
const runtimes: Executor[] = [executorFor('thread'), executorFor('process'), ...(dockerReady ? [executorFor('docker')] : [])];

async function timeRaw(): Promise<number> {
  const { invocation } = await buildInvocation(record, { fn: 'proxy', outDir: join(work, 'raw') });
  const staging = join(work, 'raw');
  mkdirSync(staging, { recursive: true });
  const plan = buildProxy(invocation, staging, { fontFile: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' });
  const args = plan.args.filter((a, i, all) => !(a === '-progress' || all[i - 1] === '-progress' || a === '-nostats'));
  const t0 = performance.now();
  await run('ffmpeg', args, { maxBuffer: 1 << 24 });
  return (performance.now() - t0) / 1000;
}

async function timeRuntime(rt: Executor, rec: typeof record, out: string, fn: 'proxy' | 'thumbnail' = 'proxy'): Promise<number> {
  const { invocation } = await buildInvocation(rec, { fn, outDir: join(work, out) });
  const t0 = performance.now();
  await rt.run(invocation);
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const raw: number[] = [];
const byRuntime = new Map<string, number[]>(runtimes.map((r) => [r.backend, []]));
for (let r = 0; r < rounds; r++) {
  raw.push(await timeRaw());
  for (const rt of runtimes) byRuntime.get(rt.backend)!.push(await timeRuntime(rt, record, `${rt.backend}-${r}`));
}
const overhead: Record<string, number> = {};
for (const rt of runtimes) {
  const xs: number[] = [];
  for (let i = 0; i < overheadRuns; i++) xs.push(await timeRuntime(rt, tinyRecord, `tiny-${rt.backend}-${i}`, 'thumbnail'));
  overhead[rt.backend] = median(xs);
}
await destroyPool();
rmSync(work, { recursive: true, force: true });

const rawS = median(raw);
const figures: Record<string, number> = {};
console.log(`UHD ProRes 422 HQ, ${seconds} s (${record.durationFrames} frames) → H.264 1080p proxy with burn-in; median of ${rounds} round(s)`);
console.log(`  raw ffmpeg (same arguments)   ${rawS.toFixed(2)} s   ${(record.durationFrames! / rawS).toFixed(1)} fps`);
for (const [name, xs] of byRuntime) {
  const s = median(xs);
  figures[`${name}S`] = Number(s.toFixed(3));
  figures[`${name}Ratio`] = Number((s / rawS).toFixed(3));
  console.log(`  ${name.padEnd(8)} backend              ${s.toFixed(2)} s   ratio ${(s / rawS).toFixed(3)} (target <= 1.05)`);
}
const containerOverheadS = overhead.docker !== undefined ? overhead.docker - overhead.thread! : undefined;
console.log(
  `  tiny thumbnail: thread ${overhead.thread!.toFixed(3)} s, process ${overhead.process!.toFixed(3)} s${overhead.docker !== undefined ? `, docker ${overhead.docker.toFixed(3)} s → container overhead ${containerOverheadS!.toFixed(3)} s per job (target < 1 s)` : ' (docker backend not available here)'}`,
);
console.log(
  JSON.stringify({
    bench: 'render',
    seconds,
    frames: record.durationFrames,
    rounds,
    rawS: Number(rawS.toFixed(3)),
    ...figures,
    tinyThreadS: Number(overhead.thread!.toFixed(3)),
    tinyProcessS: Number(overhead.process!.toFixed(3)),
    ...(containerOverheadS !== undefined ? { tinyDockerS: Number(overhead.docker!.toFixed(3)), containerOverheadS: Number(containerOverheadS.toFixed(3)) } : {}),
  }),
);
