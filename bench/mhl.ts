/**
 * `npm run bench -- mhl [--files N] [--size BYTES] [--runs N]`
 *
 * ASC MHL over many small files (the worst case for per-file overhead), the commands as a
 * person runs them: the compiled `rushes` (bin/rushes.cjs) against the reference tool
 * (Python, `../shared/peers/ascmhl/run`, or $ASCMHL_RUN), both xxh64 with folder hashes:
 *  - `rushes mhl create DIR` vs `ascmhl create -h xxh64 DIR` (a first generation each time);
 *  - `rushes verify DIR` vs `ascmhl-debug verify DIR` (of the history each tool wrote).
 * Each is run cold (caches dropped before it, when run as root) and warm (the files read
 * once just before, so the page cache holds them: the reference tool then reads from
 * memory, and so does `rushes mhl create` for the new files it records as original, while
 * `rushes verify` still reads every file from the device with O_DIRECT). The
 * contenders take turns within each round, the first to go alternating, and the figures
 * are medians of N rounds. `find | xargs xxhsum` gives the cold read floor for context.
 *
 * Last line: one JSON object with the medians and the speed-ups (reference ÷ rushes; the
 * target of issue 17 is at least 2 for each).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from './_args.ts';
import { canDropCaches, coldCache, randomBlock } from './_cold.ts';

const FILES = numberArg('files', 10_000);
const SIZE = numberArg('size', 4096);
const RUNS = numberArg('runs', 5);
const PER_FOLDER = 500;

const repo = fileURLToPath(new URL('..', import.meta.url));
const RUSHES = join(repo, 'bin', 'rushes.cjs');
const ASCMHL = process.env.ASCMHL_RUN ?? join(repo, '..', 'shared', 'peers', 'ascmhl', 'run');
if (!existsSync(ASCMHL)) throw new Error(`the reference tool is not at ${ASCMHL} (set ASCMHL_RUN to its launcher)`);

const base = mkdtempSync(join(tmpdir(), 'rushes-bench-mhl-'));
const home = join(base, 'home');
// One tree per tool, with the same files: each tool's history stays its own.
const trees = { rushes: join(base, 'rushes', 'A001'), reference: join(base, 'reference', 'A001') };

function makeFiles(root: string, block: Buffer): void {
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, 'Frames', `reel_${String(Math.floor(i / PER_FOLDER)).padStart(3, '0')}`);
    if (i % PER_FOLDER === 0) mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, `frame_${String(i).padStart(6, '0')}.dpx`), 'w');
    const start = (i * 4099) % (block.length - SIZE);
    block.writeUInt32LE(i, start);
    writeSync(fd, block, start, SIZE);
    closeSync(fd);
  }
}

type Tool = keyof typeof trees;
type Step = 'create' | 'verify';

const commands: Record<Tool, Record<Step, (root: string) => [string, string[]]>> = {
  rushes: {
    create: (root) => [process.execPath, [RUSHES, '--home', home, 'mhl', 'create', '--hash', 'xxh64', root]],
    verify: (root) => [process.execPath, [RUSHES, '--home', home, 'verify', root]],
  },
  reference: {
    create: (root) => [ASCMHL, ['ascmhl', 'create', '-h', 'xxh64', root]],
    verify: (root) => [ASCMHL, ['ascmhl-debug', 'verify', root]],
  },
};

/** Runs one command and returns its wall time; any exit but 0 ends the benchmark with its output. */
function timed(tool: Tool, step: Step): number {
  const root = trees[tool];
  // A create always writes a first generation, as on a freshly copied card.
  if (step === 'create') rmSync(join(root, 'ascmhl'), { recursive: true, force: true });
  const [cmd, args] = commands[tool][step](root);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${tool} ${step} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return seconds;
}

/** Reads every file of a tree through the page cache, so a warm run finds them there. */
function warm(tool: Tool): void {
  execFileSync('bash', ['-c', `find "${trees[tool]}" -type f -print0 | xargs -0 cat > /dev/null`], { stdio: 'ignore' });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  console.log(`Generating ${FILES} files of ${SIZE} bytes twice, in ${base}`);
  const block = randomBlock(1 << 20);
  for (const root of Object.values(trees)) makeFiles(root, block);
  execFileSync('sync');

  const times: Record<string, number[]> = {};
  const record = (name: string, s: number): void => void (times[name] ??= []).push(s);
  for (let run = 0; run < RUNS; run++) {
    const order: Tool[] = run % 2 === 0 ? ['reference', 'rushes'] : ['rushes', 'reference'];
    coldCache();
    const t0 = process.hrtime.bigint();
    execFileSync('bash', ['-c', `find "${trees.rushes}" -type f -print0 | xargs -0 xxhsum -H1 > /dev/null 2>&1`]);
    record('floor', Number(process.hrtime.bigint() - t0) / 1e9);
    for (const step of ['create', 'verify'] as const) {
      for (const tool of order) {
        coldCache();
        record(`${tool} ${step} cold`, timed(tool, step));
      }
      for (const tool of order) {
        warm(tool);
        record(`${tool} ${step} warm`, timed(tool, step));
      }
    }
    console.log(`round ${run + 1}/${RUNS}: ${Object.entries(times).map(([k, v]) => `${k} ${v.at(-1)!.toFixed(2)}`).join(', ')}`);
  }

  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const speedup = (step: Step, when: 'cold' | 'warm'): number => +(m[`reference ${step} ${when}`] / m[`rushes ${step} ${when}`]).toFixed(2);
  console.log(`\nmedians of ${RUNS} interleaved rounds, ${FILES} files of ${SIZE} bytes, xxh64`);
  console.log(`${''.padEnd(16)} ${'reference s'.padStart(12)} ${'rushes s'.padStart(9)} ${'speed-up'.padStart(9)}`);
  for (const step of ['create', 'verify'] as const) {
    for (const when of ['cold', 'warm'] as const) {
      console.log(`${`${step} ${when}`.padEnd(16)} ${m[`reference ${step} ${when}`].toFixed(2).padStart(12)} ${m[`rushes ${step} ${when}`].toFixed(2).padStart(9)} ${`${speedup(step, when).toFixed(2)}×`.padStart(9)}`);
    }
  }
  console.log(`context: cold read floor (find | xargs xxhsum -H1) ${m.floor.toFixed(2)} s`);
  console.log(`caches dropped before each cold run: ${canDropCaches ? 'yes' : 'no (not root): the cold figures are warm too'}`);
  const seconds = (tool: Tool, step: Step, when: string): number => +m[`${tool} ${step} ${when}`].toFixed(3);
  console.log(
    JSON.stringify({
      bench: 'mhl',
      files: FILES,
      fileBytes: SIZE,
      runs: RUNS,
      coldCaches: canDropCaches,
      floorSeconds: +m.floor.toFixed(3),
      seconds: {
        createCold: { reference: seconds('reference', 'create', 'cold'), rushes: seconds('rushes', 'create', 'cold') },
        createWarm: { reference: seconds('reference', 'create', 'warm'), rushes: seconds('rushes', 'create', 'warm') },
        verifyCold: { reference: seconds('reference', 'verify', 'cold'), rushes: seconds('rushes', 'verify', 'cold') },
        verifyWarm: { reference: seconds('reference', 'verify', 'warm'), rushes: seconds('rushes', 'verify', 'warm') },
      },
      createColdSpeedup: speedup('create', 'cold'),
      createWarmSpeedup: speedup('create', 'warm'),
      verifyColdSpeedup: speedup('verify', 'cold'),
      verifyWarmSpeedup: speedup('verify', 'warm'),
    }),
  );
} finally {
  rmSync(base, { recursive: true, force: true });
}
