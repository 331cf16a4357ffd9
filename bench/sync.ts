/**
 * `npm run bench -- sync [--gib N] [--small N] [--clips N] [--runs N] [--files-in-flight N] [--lean-put 0]`
 *
 * Uploads a card's worth of files (a few large clips and many small files, 2 GiB by
 * default) to a local Ceph RADOS Gateway (test/helpers/s3-servers.ts) with `rclone copy` —
 * what users would pick, with its default --transfers — and with Rushes (core/sync in its
 * own process, its peak RSS sampled), in the same run against the same server; then the
 * small files alone with each. With --runs N each contender runs N times, the order
 * alternating, and the median is reported (the machine is shared: single runs are noisy).
 * Rushes keeps every check it always makes: Content-MD5 on
 * every request, ETags compared, the xxh64 of every byte read compared with the one passed
 * in (as the ASC MHL records it), parts and objects recorded in SQLite. `--lean-put 0` sends
 * one-request objects through the SDK as well (core/sync/lean-put.ts is the default).
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashBytes } from '../core/hash/index.ts';
import { createS3Client, type SyncFile } from '../core/sync/index.ts';
import { formatBytes } from '../core/util/format.ts';
import { startRgw, type RgwServer } from '../test/helpers/s3-servers.ts';
import { randomBlock } from './_cold.ts';
import { numberArg } from './_args.ts';
import { peakRssUntilClose } from './_rss.ts';

const GIB = numberArg('gib', 2);
const SMALL_FILES = numberArg('small', 2000);
const CLIPS = numberArg('clips', 4);
const RUNS = numberArg('runs', 1);
const SMALL_SIZE = 40_000;
const TOTAL = Math.round(GIB * 1024 ** 3);
const CLIP_SIZE = Math.max(0, Math.floor((TOTAL - SMALL_FILES * SMALL_SIZE) / CLIPS));
const FILE_CONCURRENCY = numberArg('files-in-flight', 0);
const LEAN_PUT = numberArg('lean-put', 1) !== 0;
const CHILD_SOURCE = fileURLToPath(new URL('../test/helpers/sync-child.ts', import.meta.url));
// Compiled once, as the product is (`npm ci` builds the CLI), so no run is timed compiling TypeScript.
const CHILD = fileURLToPath(new URL('./.data/sync-child.mjs', import.meta.url));
await build({ entryPoints: [CHILD_SOURCE], outfile: CHILD, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' });

const root = mkdtempSync(join(tmpdir(), 'rushes-bench-sync-'));
const card = join(root, 'A001');

interface Made {
  path: string;
  key: string;
  xxh64: string;
  small: boolean;
}

/** Incompressible files from one random block, each made distinct; their xxh64 as an offload would have recorded it. */
async function makeCard(): Promise<Made[]> {
  const block = randomBlock(16 * 1024 * 1024);
  const made: Made[] = [];
  const record = async (path: string, small: boolean, data?: Buffer) => {
    const bytes = data ?? readFileSync(path);
    made.push({ path, key: relative(root, path), xxh64: await hashBytes('xxh64', bytes), small });
  };
  mkdirSync(join(card, 'Clips'), { recursive: true });
  for (let c = 0; c < CLIPS; c++) {
    const path = join(card, 'Clips', `A001C00${c + 1}_260101_R1AB.mxf`);
    const fd = openSync(path, 'w');
    for (let off = 0; off < CLIP_SIZE; off += block.length) {
      block.writeUInt32LE(c * 100_000 + off / block.length, 0);
      writeSync(fd, block, 0, Math.min(block.length, CLIP_SIZE - off));
    }
    closeSync(fd);
    await record(path, false);
  }
  for (let i = 0; i < SMALL_FILES; i++) {
    const dir = join(card, 'Frames', `reel_${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const start = (i * 4099) % (block.length - SMALL_SIZE);
    block.writeUInt32LE(i, start);
    const data = Buffer.from(block.subarray(start, start + SMALL_SIZE));
    const path = join(dir, `frame_${String(i).padStart(6, '0')}.dpx`);
    writeFileSync(path, data);
    await record(path, true, data);
  }
  execFileSync('sync');
  return made;
}

/** Runs a process to its end, sampling its peak resident memory. */
async function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; peakRssMb: number; out: string }> {
  const t = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
  const { code, peakRssMb } = await peakRssUntilClose(child);
  if (code !== 0) throw new Error(`${cmd} exited ${code}: ${out.slice(-2000)}`);
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, peakRssMb, out };
}

async function bucket(rgw: RgwServer, name: string): Promise<string> {
  const client = createS3Client(rgw.endpoint);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  client.destroy();
  return name;
}

/** rclone with its defaults (4 transfers, 5 MiB chunks, 4 chunks in flight per file) and the endpoint in its environment. */
function rclone(rgw: RgwServer, from: string, to: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, RCLONE_CONFIG_RGW_TYPE: 's3', RCLONE_CONFIG_RGW_PROVIDER: 'Ceph', RCLONE_CONFIG_RGW_ENDPOINT: rgw.url, RCLONE_CONFIG_RGW_ACCESS_KEY_ID: rgw.accessKeyId, RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY: rgw.secretAccessKey };
  // rclone refuses to start with AWS_CA_BUNDLE set (it cannot apply it to its transport).
  delete env.AWS_CA_BUNDLE;
  return timed('rclone', ['copy', '--config', '/dev/null', from, `rgw:${to}`], env);
}

async function rushes(rgw: RgwServer, files: Made[], to: string, home: string) {
  const job = join(root, `${to}.json`);
  const items: SyncFile[] = files.map((f) => ({ path: f.path, key: f.key, xxh64: f.xxh64 }));
  writeFileSync(job, JSON.stringify({ target: { endpoint: rgw.endpoint, bucket: to }, files: items, home, fileConcurrency: FILE_CONCURRENCY || undefined, leanPut: LEAN_PUT }));
  const r = await timed(process.execPath, [CHILD, job], { ...process.env, NODE_NO_WARNINGS: '1' });
  const last = JSON.parse(r.out.trim().split('\n').at(-1)!) as { uploaded: number; failed: number; firstError?: unknown };
  if (last.failed > 0 || last.uploaded !== files.length) throw new Error(`rushes uploaded ${last.uploaded} of ${files.length}: ${JSON.stringify(last.firstError)}`);
  return r;
}

let rgw: RgwServer | undefined;
try {
  const made = await makeCard();
  const smallOnly = made.filter((f) => f.small);
  const bytes = CLIPS * CLIP_SIZE + SMALL_FILES * SMALL_SIZE;
  const smallBytes = SMALL_FILES * SMALL_SIZE;
  console.log(`card: ${CLIPS} clips of ${formatBytes(CLIP_SIZE)} + ${SMALL_FILES} files of ${formatBytes(SMALL_SIZE)} = ${formatBytes(bytes)} in ${root}`);
  const t0 = Date.now();
  // Everything stays in the gateway's memstore: every run of both contenders, plus room.
  rgw = await startRgw({ memMiB: Math.ceil((RUNS * (2 * bytes + 2 * smallBytes) * 1.3) / 1024 ** 2) + 1024 });
  console.log(`Ceph RGW on ${rgw.url} (memstore) started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Warm the page cache once so neither contender is timed reading the disk.
  execFileSync('sh', ['-c', `find ${card} -type f -print0 | xargs -0 cat > /dev/null`]);
  type Run = { seconds: number; peakRssMb: number };
  const runs = { rc: [] as Run[], ru: [] as Run[], rcSmall: [] as Run[], ruSmall: [] as Run[] };
  const smallDir = join(card, 'Frames');
  for (let run = 0; run < RUNS; run++) {
    const contenders = [
      async () => runs.rc.push(await rclone(rgw!, root, await bucket(rgw!, `rclone-all-${run}`))),
      async () => runs.ru.push(await rushes(rgw!, made, await bucket(rgw!, `rushes-all-${run}`), join(root, `home-all-${run}`))),
    ];
    const small = [
      async () => runs.rcSmall.push(await rclone(rgw!, smallDir, await bucket(rgw!, `rclone-small-${run}`))),
      async () => runs.ruSmall.push(await rushes(rgw!, smallOnly, await bucket(rgw!, `rushes-small-${run}`), join(root, `home-small-${run}`))),
    ];
    for (const pair of [contenders, small]) for (const c of run % 2 ? [...pair].reverse() : pair) await c();
  }
  const median = (xs: Run[]): Run => ({ seconds: [...xs].map((x) => x.seconds).sort((a, b) => a - b)[Math.floor(xs.length / 2)], peakRssMb: Math.max(...xs.map((x) => x.peakRssMb)) });
  const [rc, ru, rcSmall, ruSmall] = [median(runs.rc), median(runs.ru), median(runs.rcSmall), median(runs.ruSmall)];

  const mbps = (b: number, s: number) => b / 1e6 / s;
  console.log(`\n${RUNS > 1 ? `median of ${RUNS} runs, alternating order\n` : ''}${'contender'.padEnd(44)} ${'seconds'.padStart(8)} ${'MB/s'.padStart(8)} ${'files/s'.padStart(8)} ${'peak RSS'.padStart(9)}`);
  const row = (name: string, r: { seconds: number; peakRssMb: number }, b: number, n: number) =>
    console.log(`${name.padEnd(44)} ${r.seconds.toFixed(2).padStart(8)} ${mbps(b, r.seconds).toFixed(0).padStart(8)} ${(n / r.seconds).toFixed(0).padStart(8)} ${`${r.peakRssMb.toFixed(0)} MB`.padStart(9)}`);
  row('rclone copy (default --transfers 4)', rc, bytes, made.length);
  row('rushes sync (MD5 + ETag + xxh64 checked)', ru, bytes, made.length);
  row(`rclone copy, ${SMALL_FILES} small files only`, rcSmall, smallBytes, smallOnly.length);
  row(`rushes sync, ${SMALL_FILES} small files only`, ruSmall, smallBytes, smallOnly.length);
  const ratio = ru.seconds / rc.seconds;
  const smallRatio = ruSmall.seconds / rcSmall.seconds;
  console.log(`\nratio rushes/rclone: ${ratio.toFixed(2)} (target ≤ 1.0); small files alone: ${smallRatio.toFixed(2)}; rushes peak RSS ${ru.peakRssMb.toFixed(0)} MB (target < 300)`);
  console.log(
    JSON.stringify({
      bench: 'sync',
      server: 'ceph-rgw-memstore',
      bytes,
      files: made.length,
      runs: RUNS,
      leanPut: LEAN_PUT,
      rcloneSeconds: +rc.seconds.toFixed(3),
      rushesSeconds: +ru.seconds.toFixed(3),
      ratio: +ratio.toFixed(3),
      rushesMBps: +mbps(bytes, ru.seconds).toFixed(1),
      rcloneMBps: +mbps(bytes, rc.seconds).toFixed(1),
      peakRssMb: +ru.peakRssMb.toFixed(1),
      rclonePeakRssMb: +rc.peakRssMb.toFixed(1),
      smallFiles: SMALL_FILES,
      smallRcloneSeconds: +rcSmall.seconds.toFixed(3),
      smallRushesSeconds: +ruSmall.seconds.toFixed(3),
      smallRatio: +smallRatio.toFixed(3),
    }),
  );
} finally {
  await rgw?.stop();
  rmSync(root, { recursive: true, force: true });
}
