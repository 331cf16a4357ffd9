/**
 * Clip inspection throughput. A card of `--clips` ProRes clips with ARRI metadata is
 * inspected by `rushes inspect`'s path (group into clips, probe and normalise in the worker
 * pool, a few at a time); the baseline in the same run is running `ffprobe` once per clip,
 * one after another — the least a tool that reads each clip's metadata must do. Target:
 * ratio ≤ 1.0. Then a `--frames`-frame DPX sequence is found, collapsed into one clip and
 * inspected; target under 2 s.
 *
 *   npm run bench -- inspect [--clips 200] [--rounds 3] [--frames 10000]
 */
import { execFile } from 'node:child_process';
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findClips, inspectTree } from '../core/inspect/tree.ts';
import { destroyPool, poolSize } from '../core/runtime/pool.ts';
import { writeArriMov, writeDpxSequence } from '../test/helpers/clips.ts';
import { numberArg } from './_args.ts';

const clips = numberArg('clips', 200);
const rounds = numberArg('rounds', 3);
const frames = numberArg('frames', 10_000);
const execFileAsync = promisify(execFile);
const base = mkdtempSync(join(tmpdir(), 'rushes-bench-inspect-'));

// The card: one real clip written by ffmpeg, copied under each clip's name.
const card = join(base, 'A002R1AB');
mkdirSync(card);
writeArriMov(join(base, 'master.mov'), { seconds: 2 });
for (let i = 1; i <= clips; i++) copyFileSync(join(base, 'master.mov'), join(card, `A002C${String(i).padStart(3, '0')}_261123_R1AB.mov`));
const files = readdirSync(card).map((f) => join(card, f));

async function ffprobeEach(): Promise<number> {
  const t0 = performance.now();
  for (const f of files) await execFileAsync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', f], { maxBuffer: 64 << 20 });
  return (performance.now() - t0) / 1000;
}

async function rushesInspect(): Promise<number> {
  const t0 = performance.now();
  const records = await inspectTree(await findClips(card));
  const s = (performance.now() - t0) / 1000;
  const bad = records.filter((r) => r.inspection.status !== 'ok' || r.camera.make !== 'ARRI');
  if (records.length !== clips || bad.length) throw new Error(`inspection went wrong: ${records.length} records, ${bad.length} not ok`);
  return s;
}

// One pass of each first: the clips in the page cache, the pool's threads started.
await ffprobeEach();
await rushesInspect();
const baseline: number[] = [];
const ours: number[] = [];
for (let r = 0; r < rounds; r++) {
  baseline.push(await ffprobeEach());
  ours.push(await rushesInspect());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ffprobeS = median(baseline);
const rushesS = median(ours);

// The sequence: one DPX frame from ffmpeg, hard-linked under every frame number.
const seqDir = join(base, 'VFX', 'plate');
writeDpxSequence(seqDir, 'A002_plate', { start: 86_400, frames: 1 });
const first = join(seqDir, 'A002_plate.0086400.dpx');
for (let n = 86_401; n < 86_400 + frames; n++) linkSync(first, join(seqDir, `A002_plate.${String(n).padStart(7, '0')}.dpx`));
const t0 = performance.now();
const seq = await inspectTree(await findClips(join(base, 'VFX')));
const sequenceS = (performance.now() - t0) / 1000;
if (seq.length !== 1 || seq[0]!.sequence?.frameCount !== frames) throw new Error(`expected one clip of ${frames} frames, got ${seq.length} clip(s)`);

await destroyPool();
rmSync(base, { recursive: true, force: true });

const perClipMs = (s: number) => Math.round((s / clips) * 1000 * 10) / 10;
console.log(`clips ${clips}, pool ${poolSize()} workers, rounds ${rounds} (median)`);
console.log(`  ffprobe once per clip, sequential   ${ffprobeS.toFixed(2)} s   ${perClipMs(ffprobeS)} ms/clip`);
console.log(`  rushes inspect (probe + normalise)  ${rushesS.toFixed(2)} s   ${perClipMs(rushesS)} ms/clip   ratio ${(rushesS / ffprobeS).toFixed(2)} (target <= 1.0)`);
console.log(`  ${frames}-frame DPX sequence found, collapsed and inspected in ${sequenceS.toFixed(2)} s (target < 2 s)`);
console.log(
  JSON.stringify({
    bench: 'inspect',
    clips,
    workers: poolSize(),
    ffprobeSequentialS: Number(ffprobeS.toFixed(3)),
    rushesS: Number(rushesS.toFixed(3)),
    ratio: Number((rushesS / ffprobeS).toFixed(3)),
    sequenceFrames: frames,
    sequenceS: Number(sequenceS.toFixed(3)),
  }),
);
