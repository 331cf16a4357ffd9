/**
 * `npm run bench -- startup [--runs N]`
 *
 * How long `rushes` takes to start as a person types it (bin/rushes.cjs, the compiled
 * bundle), against Node itself starting and doing nothing (`node -e 0`) in the same run,
 * interleaved, medians of N runs each:
 *  - `rushes --help` (target: under 0.3 s): the option parser alone;
 *  - `rushes jobs list` on an empty store: the engine opened (SQLite, migrations) and closed;
 *  - `rushes-fn` refusing a missing invocation file: the function entrypoint's own start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from './_args.ts';

const RUNS = numberArg('runs', 15);
const root = fileURLToPath(new URL('..', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'rushes-bench-startup-'));

const contenders: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'rushes --help': [join(root, 'bin', 'rushes.cjs'), '--help'],
  'rushes jobs list': [join(root, 'bin', 'rushes.cjs'), '--home', home, 'jobs', 'list'],
  'rushes-fn (no invocation)': [join(root, 'bin', 'rushes-fn.cjs'), '/nonexistent.json'],
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let run = 0; run < RUNS; run++) {
  for (const [name, args] of Object.entries(contenders)) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, args, { stdio: 'ignore' });
    times[name]!.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
}
rmSync(home, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const node = m['node -e 0']!;
console.log(`start-up, median of ${RUNS} interleaved runs`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(28)} ${v.toFixed(3)} s  (${(v / node).toFixed(2)}× node)`);
console.log(
  JSON.stringify({
    bench: 'startup',
    runs: RUNS,
    nodeSeconds: +node.toFixed(3),
    helpSeconds: +m['rushes --help']!.toFixed(3),
    jobsListSeconds: +m['rushes jobs list']!.toFixed(3),
    fnSeconds: +m['rushes-fn (no invocation)']!.toFixed(3),
    helpRatioToNode: +(m['rushes --help']! / node).toFixed(2),
    helpTargetSeconds: 0.3,
  }),
);
