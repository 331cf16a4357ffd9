/**
 * `npm run bench -- offload [--gib N] [--small N] [--runs N]`
 *
 * A card of a few large clips plus many small files, offloaded to two destinations with
 * xxh64 and full verify, against the baseline `cp -r` to both destinations followed by
 * `xxhsum` of the source and both copies, in the same run on the same disk. Caches are
 * dropped before each contender (when run as root) so both start from a cold card.
 * Also measured, for context, two floors no offload can beat on this machine: a cold read
 * of the card, and making two copies durable (`cp -r` ×2 then `sync`), since a verified
 * offload must have its bytes on the device before it can read them back.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../core/util/format.ts';
import { canDropCaches, coldCache, randomBlock, timedCold } from './_cold.ts';
import { numberArg } from './_args.ts';
import { peakRssUntilClose } from './_rss.ts';

const GIB = numberArg('gib', 2);
const SMALL_FILES = numberArg('small', 5000);
const RUNS = numberArg('runs', 3);
const CLIPS = 4;
const TOTAL = Math.round(GIB * 1024 ** 3);
const SMALL_SIZE = 40_000;
const CLIP_SIZE = Math.floor((TOTAL - SMALL_FILES * SMALL_SIZE) / CLIPS);
const rushesBin = fileURLToPath(new URL('../bin/rushes.cjs', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'rushes-bench-offload-'));
const card = join(root, 'A001');

/** Incompressible content, generated quickly: a 16 MiB random block rotated per file. */
function makeCard(): void {
  const block = randomBlock(16 * 1024 * 1024);
  mkdirSync(join(card, 'Clips'), { recursive: true });
  for (let c = 0; c < CLIPS; c++) {
    const fd = openSync(join(card, 'Clips', `A001C00${c + 1}_260101_R1AB.mxf`), 'w');
    for (let off = 0; off < CLIP_SIZE; off += block.length) {
      block.writeUInt32LE(c * 100_000 + off / block.length, 0);
      writeSync(fd, block, 0, Math.min(block.length, CLIP_SIZE - off));
    }
    closeSync(fd);
  }
  for (let i = 0; i < SMALL_FILES; i++) {
    const dir = join(card, 'Frames', `reel_${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, `frame_${String(i).padStart(6, '0')}.dpx`), 'w');
    const start = (i * 4099) % (block.length - SMALL_SIZE);
    block.writeUInt32LE(i, start);
    writeSync(fd, block, start, SMALL_SIZE);
    closeSync(fd);
  }
  execFileSync('sync');
}

async function time(fn: () => void): Promise<number> {
  return (await timedCold(fn)).seconds;
}

function sh(script: string): void {
  execFileSync('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Runs the real CLI and samples its peak resident memory. */
async function runRushes(dests: string[]): Promise<{ seconds: number; peakRssMb: number }> {
  coldCache();
  const t = process.hrtime.bigint();
  const child = spawn(process.execPath, [rushesBin, 'offload', card, ...dests.flatMap((d) => ['--to', d]), '--json'], {
    env: { ...process.env, RUSHES_HOME: join(root, 'home') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const { code, peakRssMb } = await peakRssUntilClose(child);
  if (code !== 0) throw new Error(`rushes offload exited ${code}`);
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, peakRssMb };
}

try {
  console.log(`Generating a ${GIB} GiB card: ${CLIPS} clips of ${formatBytes(CLIP_SIZE)} + ${SMALL_FILES} files of ${formatBytes(SMALL_SIZE)} in ${root}`);
  makeCard();
  const bytes = CLIPS * CLIP_SIZE + SMALL_FILES * SMALL_SIZE;

  // This machine's disk varies run to run by 2× and more: every contender runs RUNS times,
  // interleaved, and the median is reported.
  const samples = { floor: [] as number[], durableFloor: [] as number[], baseline: [] as number[], rushes: [] as number[], rss: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    samples.floor.push(await time(() => sh(`find ${card} -type f -print0 | xargs -0 cat > /dev/null`)));
    samples.durableFloor.push(await time(() => sh(`cp -r ${card} ${root}/f1 && cp -r ${card} ${root}/f2 && sync`)));
    sh(`rm -rf ${root}/f1 ${root}/f2`);
    samples.baseline.push(
      await time(() =>
        sh(
          `cp -r ${card} ${root}/b1 && cp -r ${card} ${root}/b2 && ` +
            `for d in ${card} ${root}/b1 ${root}/b2; do find "$d" -type f -print0 | xargs -0 xxhsum -H1 > /dev/null; done`,
        ),
      ),
    );
    sh(`rm -rf ${root}/b1 ${root}/b2`);
    const r = await runRushes([join(root, 'r1'), join(root, 'r2')]);
    samples.rushes.push(r.seconds);
    samples.rss.push(r.peakRssMb);
    sh(`rm -rf ${root}/r1 ${root}/r2 ${root}/home`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const floor = median(samples.floor);
  const durableFloor = median(samples.durableFloor);
  const baseline = median(samples.baseline);
  const rushes = { seconds: median(samples.rushes), peakRssMb: Math.max(...samples.rss) };

  const mbps = (s: number) => bytes / 1e6 / s;
  const rows = [
    ['floor: cold read of the card', floor, mbps(floor)],
    ['floor: cp -r ×2 + sync (copies durable)', durableFloor, mbps(durableFloor)],
    ['baseline: cp -r ×2 + xxhsum ×3', baseline, mbps(baseline)],
    ['rushes offload (xxh64, full verify, fsync)', rushes.seconds, mbps(rushes.seconds)],
  ] as const;
  console.log(`\nmedian of ${RUNS} interleaved runs\n${'contender'.padEnd(46)} ${'seconds'.padStart(8)} ${'MB/s'.padStart(8)}   all runs (s)`);
  const all = [samples.floor, samples.durableFloor, samples.baseline, samples.rushes];
  rows.forEach(([name, s, r], i) => console.log(`${name.padEnd(46)} ${s.toFixed(2).padStart(8)} ${r.toFixed(0).padStart(8)}   ${all[i].map((x) => x.toFixed(2)).join(' ')}`));
  console.log(`\nratio rushes/baseline: ${(rushes.seconds / baseline).toFixed(2)} (target ≤ 0.70); rushes/durable floor: ${(rushes.seconds / durableFloor).toFixed(2)}; peak RSS ${rushes.peakRssMb.toFixed(0)} MB (limit 300)`);
  console.log(`caches dropped before each contender: ${canDropCaches ? 'yes' : 'no (not root) — figures favour whoever runs second'}`);
  console.log(
    JSON.stringify({
      bench: 'offload',
      bytes,
      files: CLIPS + SMALL_FILES,
      destinations: 2,
      runs: RUNS,
      coldCaches: canDropCaches,
      floorSeconds: +floor.toFixed(3),
      durableFloorSeconds: +durableFloor.toFixed(3),
      ratioToDurableFloor: +(rushes.seconds / durableFloor).toFixed(3),
      baselineSeconds: +baseline.toFixed(3),
      rushesSeconds: +rushes.seconds.toFixed(3),
      ratio: +(rushes.seconds / baseline).toFixed(3),
      rushesMBps: +mbps(rushes.seconds).toFixed(1),
      baselineMBps: +mbps(baseline).toFixed(1),
      peakRssMb: +rushes.peakRssMb.toFixed(1),
    }),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
