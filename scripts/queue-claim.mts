/**
 * Claim + complete of 20,000 no-op jobs with 4 workers, three runs, timed from the tree it
 * is run in — so two checkouts (before and after a change) are measured by the same code:
 *
 *   (cd BEFORE && node --import tsx /path/to/scripts/queue-claim.mts)
 *   (cd AFTER  && node --import tsx /path/to/scripts/queue-claim.mts)
 *
 * alternated under the bench lock. Beside jobs/s it prints the process's CPU time per job,
 * which moves far less than wall time when other work shares the cores, and the bytes
 * written per job (`/proc/self/io` wchar). `npm run bench -- queue` is the full benchmark.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = process.cwd();
const { openStore } = await import(pathToFileURL(join(root, 'core/store/db.ts')).href);
const { JobQueue, Runner } = await import(pathToFileURL(join(root, 'core/queue/index.ts')).href);

const JOBS = 20_000;
const base = mkdtempSync(join(tmpdir(), 'rushes-queue-claim-'));
const written = () => Number(/wchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

for (let run = 0; run < 3; run++) {
  const db = openStore(join(base, `home${run}`));
  const queue = new JobQueue(db);
  const runner = new Runner(queue, { concurrency: 4, handlers: { noop: async () => undefined } });
  queue.enqueueMany(Array.from({ length: JOBS }, (_, i) => ({ kind: 'noop', payload: { i } })));
  let seen = 0;
  const w0 = written();
  const t0 = performance.now();
  const cpu = process.cpuUsage();
  await new Promise<void>((resolve) => {
    const stop = queue.subscribe((e: { type: string }) => {
      if (e.type === 'succeeded' && ++seen === JOBS) {
        stop();
        resolve();
      }
    });
    runner.start();
  });
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  const bytes = written() - w0;
  await runner.stop();
  db.close();
  console.log(JSON.stringify({ tree: root, jobsPerSec: Math.round(JOBS / seconds), cpuUsPerJob: +((used.user + used.system) / JOBS).toFixed(1), writtenBytesPerJob: Math.round(bytes / JOBS) }));
}
