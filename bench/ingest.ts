/**
 * Automatic ingest latency: how long after a card stops changing its offload starts.
 * A card (`--files` clips of `--kib` KiB, one per round with its own roll and content) is
 * copied into a watched folder; the clock starts when the last byte lands, and the target
 * is the stability window plus under 1 s. Baseline in the same run: one listing of the same
 * card (the least any stability check must do to notice nothing changed), and the window.
 *
 *   npm run bench -- ingest [--rounds 5] [--files 300] [--kib 256] [--stable-ms 2000] [--poll-ms 500]
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../core/engine/engine.ts';
import type { CardEvent } from '../core/watch/card-store.ts';
import { scanCard } from '../core/watch/scan.ts';
import { numberArg } from './_args.ts';
import { pseudoRandomBytes, writeFile } from '../test/helpers/card.ts';

const rounds = numberArg('rounds', 5);
const files = numberArg('files', 300);
const kib = numberArg('kib', 256);
const stableMs = numberArg('stable-ms', 2000);
const pollMs = numberArg('poll-ms', 500);

const execFileAsync = promisify(execFile);
const base = mkdtempSync(join(tmpdir(), 'rushes-bench-ingest-'));
const watch = join(base, 'watch');
mkdirSync(watch);
const engine = new Engine({
  home: join(base, 'home'),
  ingest: { watch: [watch], mountRoots: false, destinations: [join(base, 'raid1'), join(base, 'raid2')], stableMs, pollMs },
});
await engine.start();

function makeCard(dir: string, round: number): void {
  const roll = `A${String(round + 1).padStart(3, '0')}`;
  const t = new Date('2026-11-23T08:00:00Z');
  for (let i = 0; i < files; i++) {
    writeFile(dir, `${roll}R1AB/${roll}C${String(i + 1).padStart(3, '0')}_261123_R1AB.mxf`, pseudoRandomBytes(kib * 1024, round * 100_000 + i + 1), new Date(t.getTime() + i * 1000));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];

const beyond: number[] = [];
const detect: number[] = [];
const scans: number[] = [];
for (let r = 0; r < rounds; r++) {
  const staging = join(base, `staging${r}`);
  makeCard(staging, r);
  const roll = `A${String(r + 1).padStart(3, '0')}R1AB`;
  const seen = new Map<string, number>();
  const done = new Promise<void>((resolve) => {
    const off = engine.cards.subscribe((e: CardEvent) => {
      seen.set(e.type, Date.now());
      if (e.type === 'card.safe-to-eject' || e.type === 'card.failed' || e.type === 'card.conflict' || e.type === 'card.duplicate') {
        off();
        resolve();
      }
    });
  });
  const t0 = Date.now();
  // `cp -a` in its own process, as a person or a script copies: this process stays free to notice the card meanwhile.
  await execFileAsync('cp', ['-a', join(staging, roll), join(watch, roll)]);
  const landed = Date.now();
  await done;
  if (!seen.has('card.offload-started')) throw new Error(`round ${r}: the card was not offloaded (${[...seen.keys()].join(', ')})`);
  const s0 = performance.now();
  await scanCard(join(watch, roll));
  scans.push(performance.now() - s0);
  detect.push(seen.get('card.detected')! - t0);
  beyond.push(seen.get('card.offload-started')! - landed - stableMs);
  console.log(`round ${r + 1}: copied in ${landed - t0} ms; detected after ${detect.at(-1)} ms; offload started ${beyond.at(-1)} ms after the ${stableMs} ms window`);
  rmSync(staging, { recursive: true });
}
await engine.stop(5000);
rmSync(base, { recursive: true, force: true });

const result = {
  bench: 'ingest',
  rounds,
  files,
  cardBytes: files * kib * 1024,
  stableMs,
  pollMs,
  detectMedianMs: median(detect),
  startBeyondWindowMedianMs: median(beyond),
  startBeyondWindowP95Ms: p95(beyond),
  oneListingMedianMs: Number(median(scans).toFixed(1)),
  ratioToListing: Number((median(beyond) / median(scans)).toFixed(1)),
};
console.log('');
console.log(`stability window                          ${stableMs} ms (poll every ${pollMs} ms)`);
console.log(`card detected after the copy began        ${result.detectMedianMs} ms median`);
console.log(`offload start beyond the window           ${result.startBeyondWindowMedianMs} ms median, ${result.startBeyondWindowP95Ms} ms p95 (target < 1000)`);
console.log(`baseline: one listing of the card         ${result.oneListingMedianMs} ms`);
console.log(JSON.stringify(result));
