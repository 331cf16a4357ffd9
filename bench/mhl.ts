/**
 * `npm run bench -- mhl [--files N] [--size BYTES]`
 *
 * ASC MHL over many small files (the worst case for per-file overhead): `createGeneration`
 * (hash every file, folder hashes, manifest + chain) and `verifyHistory` (read every file
 * again with O_DIRECT, compare, recompute folder hashes), both xxh64, against the baseline
 * `find … | xargs xxhsum` over the same files in the same run. Caches are dropped before
 * each contender when run as root, so every one starts from a cold disk. A last row runs
 * verify through the page cache, to show what reading from the medium costs per file.
 */
import { canDropCaches, randomBlock, timedCold } from './_cold.ts';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGeneration, verifyHistory } from '../core/mhl/index.ts';
import { numberArg } from './_args.ts';

const FILES = numberArg('files', 10_000);
const SIZE = numberArg('size', 4096);
const PER_FOLDER = 500;

const base = mkdtempSync(join(tmpdir(), 'rushes-bench-mhl-'));
const root = join(base, 'A001');

function makeFiles(): void {
  const block = randomBlock(1 << 20);
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, 'Frames', `reel_${String(Math.floor(i / PER_FOLDER)).padStart(3, '0')}`);
    if (i % PER_FOLDER === 0) mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, `frame_${String(i).padStart(6, '0')}.dpx`), 'w');
    const start = (i * 4099) % (block.length - SIZE);
    block.writeUInt32LE(i, start);
    writeSync(fd, block, start, SIZE);
    closeSync(fd);
  }
  execFileSync('sync');
}


try {
  console.log(`Generating ${FILES} files of ${SIZE} bytes in ${root}`);
  makeFiles();

  // The baseline hashes the same files and nothing else (no history folder exists yet).
  const baseline = await timedCold(() =>
    execFileSync('bash', ['-c', `find "${root}" -type f -print0 | xargs -0 xxhsum -H1 > /dev/null 2>&1`], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const create = await timedCold(() => createGeneration(root, { formats: ['xxh64'] }));
  if (create.value.exitCode !== 0) throw new Error(`create ended with ${create.value.exitCode}: ${create.value.summary}`);
  const verify = await timedCold(() => verifyHistory(root));
  if (verify.value.exitCode !== 0) throw new Error(`verify ended with ${verify.value.exitCode}: ${verify.value.summary}`);
  // For context: the same verify through the page cache, i.e. what proving bytes from the medium costs.
  const cached = await timedCold(() => verifyHistory(root, { direct: false }));

  const fps = (s: number): number => FILES / s;
  const rows: [string, number][] = [
    ['baseline: find | xargs xxhsum -H1', baseline.seconds],
    ['rushes mhl create (xxh64, folder hashes)', create.seconds],
    [`rushes verify (xxh64, ${verify.value.readMode} reads)`, verify.seconds],
    ['context: rushes verify via the page cache', cached.seconds],
  ];
  console.log(`\n${'contender'.padEnd(44)} ${'seconds'.padStart(8)} ${'files/s'.padStart(9)} ${'× baseline'.padStart(11)}`);
  for (const [name, s] of rows) console.log(`${name.padEnd(44)} ${s.toFixed(2).padStart(8)} ${fps(s).toFixed(0).padStart(9)} ${(s / baseline.seconds).toFixed(2).padStart(11)}`);
  console.log(`caches dropped before each contender: ${canDropCaches ? 'yes' : 'no (not root) — later contenders read warm files'}`);
  console.log(
    JSON.stringify({
      bench: 'mhl',
      files: FILES,
      fileBytes: SIZE,
      coldCaches: canDropCaches,
      createFilesPerSec: +fps(create.seconds).toFixed(0),
      verifyFilesPerSec: +fps(verify.seconds).toFixed(0),
      baselineFilesPerSec: +fps(baseline.seconds).toFixed(0),
      createRatio: +(create.seconds / baseline.seconds).toFixed(3),
      verifyRatio: +(verify.seconds / baseline.seconds).toFixed(3),
      verifyReadMode: verify.value.readMode,
      verifyCachedFilesPerSec: +fps(cached.seconds).toFixed(0),
    }),
  );
} finally {
  rmSync(base, { recursive: true, force: true });
}
