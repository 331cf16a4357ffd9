/**
 * `npm run bench -- queue [--jobs N] [--bulk N] [--chain N] [--runs N]`
 *
 * The durable queue with its crash-safe settings (WAL, every claim and outcome committed,
 * leases, event log), against a raw better-sqlite3 loop on the same settings that does only
 * the bare minimum per job (insert, update to running, update to done; one transaction
 * each), in the same run:
 *  - no-op jobs: enqueue (one at a time, and in one batch), claim and complete with a
 *    runner of 4 concurrent workers;
 *  - bulk enqueue of 100,000 jobs in one call;
 *  - dispatch latency: a chain of jobs, each waiting for the previous one; the time from a
 *    parent's handler returning to its child's handler starting.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../core/store/db.ts';
import { JobQueue, Runner, type JobSpec } from '../core/queue/index.ts';
import { numberArg } from './_args.ts';

const JOBS = numberArg('jobs', 50_000);
const BULK = numberArg('bulk', 100_000);
const CHAIN = numberArg('chain', 500);
const RUNS = numberArg('runs', 3);
const WORKERS = 4;

const base = mkdtempSync(join(tmpdir(), 'rushes-bench-queue-'));
let n = 0;
const freshHome = () => join(base, `home${n++}`);

/** Resolves once `count` jobs succeeded, counted from the queue's events (polling the table would cost as much as the work). */
function untilSucceeded(queue: JobQueue, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const stop = queue.subscribe((e) => {
      if (e.type === 'succeeded' && ++seen === count) {
        stop();
        resolve();
      }
    });
  });
}

function rawBaseline(jobs: number): number {
  const db = new Database(join(base, `raw${n++}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT, payload TEXT, state TEXT, lease_owner TEXT, lease_expires INTEGER)');
  const insert = db.prepare(`INSERT INTO jobs (kind, payload, state) VALUES ('noop', '{}', 'queued')`);
  const claim = db.prepare(`UPDATE jobs SET state = 'running', lease_owner = 'w', lease_expires = ? WHERE id = ?`);
  const done = db.prepare(`UPDATE jobs SET state = 'done', lease_owner = NULL WHERE id = ?`);
  const t0 = performance.now();
  for (let i = 0; i < jobs; i++) insert.run();
  for (let id = 1; id <= jobs; id++) {
    claim.run(Date.now() + 30_000, id);
    done.run(id);
  }
  const s = (performance.now() - t0) / 1000;
  db.close();
  return jobs / s;
}

/**
 * Enqueue `jobs` no-op jobs — one call (one transaction) each as an API request does, or in
 * one batch as a rule's fan-out or a card's file list does — then claim and complete them all.
 */
async function queueThroughput(jobs: number, batch: boolean): Promise<{ enqueuePerSec: number; claimCompletePerSec: number; endToEndPerSec: number; claimCompleteCpuUsPerJob: number }> {
  const db = openStore(freshHome());
  const queue = new JobQueue(db);
  const runner = new Runner(queue, { concurrency: WORKERS, handlers: { noop: async () => undefined } });
  const t0 = performance.now();
  if (batch) queue.enqueueMany(Array.from({ length: jobs }, (_, i) => ({ kind: 'noop', payload: { i } })));
  else for (let i = 0; i < jobs; i++) queue.enqueue({ kind: 'noop', payload: { i } });
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const done = untilSucceeded(queue, jobs);
  runner.start();
  await done;
  const t2 = performance.now();
  const used = process.cpuUsage(cpu);
  await runner.stop();
  db.close();
  return {
    enqueuePerSec: jobs / ((t1 - t0) / 1000),
    claimCompletePerSec: jobs / ((t2 - t1) / 1000),
    endToEndPerSec: jobs / ((t2 - t0) / 1000),
    // CPU time moves far less than wall time when other work shares the cores.
    claimCompleteCpuUsPerJob: (used.user + used.system) / jobs,
  };
}

function bulkEnqueue(jobs: number): number {
  const db = openStore(freshHome());
  const queue = new JobQueue(db);
  const specs: JobSpec[] = Array.from({ length: jobs }, (_, i) => ({ kind: 'noop', payload: { i } }));
  const t0 = performance.now();
  queue.enqueueMany(specs);
  const s = (performance.now() - t0) / 1000;
  db.close();
  return s;
}

async function dispatchLatency(chain: number): Promise<{ medianMs: number; p95Ms: number }> {
  const db = openStore(freshHome());
  const queue = new JobQueue(db);
  const started = new Map<number, number>();
  const ended = new Map<number, number>();
  const runner = new Runner(queue, {
    concurrency: WORKERS,
    handlers: {
      step: async ({ job }) => {
        started.set(job.id, performance.now());
        ended.set(job.id, performance.now());
      },
    },
  });
  const ids: number[] = [];
  for (let i = 0; i < chain; i++) ids.push(queue.enqueue({ kind: 'step', parents: i ? [ids[i - 1]] : [] }).id);
  const done = untilSucceeded(queue, chain);
  runner.start();
  await done;
  await runner.stop();
  db.close();
  const gaps = ids.slice(1).map((id, i) => started.get(id)! - ended.get(ids[i])!).sort((a, b) => a - b);
  return { medianMs: gaps[Math.floor(gaps.length / 2)], p95Ms: gaps[Math.floor(gaps.length * 0.95)] };
}

try {
  console.log(`queue bench: ${JOBS} no-op jobs, ${WORKERS} workers; bulk ${BULK}; chain ${CHAIN}`);
  // Interleaved runs, medians: the disk's write-back makes single runs vary by ±30 %.
  const raws: number[] = [];
  const qs: Awaited<ReturnType<typeof queueThroughput>>[] = [];
  const batched: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    raws.push(rawBaseline(JOBS));
    qs.push(await queueThroughput(JOBS, false));
    batched.push((await queueThroughput(JOBS, true)).endToEndPerSec);
    console.log(`run ${r + 1}: raw ${Math.round(raws[r])} jobs/s, rushes claim + complete ${Math.round(qs[r].claimCompletePerSec)} jobs/s, batch enqueue + claim + complete ${Math.round(batched[r])} jobs/s`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const raw = median(raws);
  const q = {
    enqueuePerSec: median(qs.map((x) => x.enqueuePerSec)),
    claimCompletePerSec: median(qs.map((x) => x.claimCompletePerSec)),
    claimCompleteCpuUsPerJob: median(qs.map((x) => x.claimCompleteCpuUsPerJob)),
    endToEndPerSec: median(qs.map((x) => x.endToEndPerSec)),
    batchedEndToEndPerSec: median(batched),
  };
  const bulkSeconds = bulkEnqueue(BULK);
  const latency = await dispatchLatency(CHAIN);
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(10);
  console.log('');
  console.log(`raw better-sqlite3 insert + 2 updates        ${fmt(raw)} jobs/s`);
  console.log(`rushes enqueue (one transaction each)        ${fmt(q.enqueuePerSec)} jobs/s`);
  console.log(`rushes claim + complete, ${WORKERS} workers         ${fmt(q.claimCompletePerSec)} jobs/s   (${(q.claimCompletePerSec / raw).toFixed(2)}× raw)`);
  console.log(`rushes claim + complete, CPU per job          ${q.claimCompleteCpuUsPerJob.toFixed(1).padStart(10)} µs`);
  console.log(`rushes enqueue + claim + complete            ${fmt(q.endToEndPerSec)} jobs/s   (${(q.endToEndPerSec / raw).toFixed(2)}× raw)`);
  console.log(`rushes batch enqueue + claim + complete      ${fmt(q.batchedEndToEndPerSec)} jobs/s   (${(q.batchedEndToEndPerSec / raw).toFixed(2)}× raw)`);
  console.log(`bulk enqueue of ${BULK.toLocaleString('en-US')} jobs                ${bulkSeconds.toFixed(2).padStart(10)} s`);
  console.log(`dispatch latency parent → child              ${latency.medianMs.toFixed(2).padStart(10)} ms median, ${latency.p95Ms.toFixed(2)} ms p95`);
  console.log(
    JSON.stringify({
      bench: 'queue',
      jobs: JOBS,
      runs: RUNS,
      workers: WORKERS,
      rawJobsPerSec: Math.round(raw),
      enqueuePerSec: Math.round(q.enqueuePerSec),
      claimCompletePerSec: Math.round(q.claimCompletePerSec),
      claimCompleteCpuUsPerJob: Number(q.claimCompleteCpuUsPerJob.toFixed(1)),
      endToEndPerSec: Math.round(q.endToEndPerSec),
      batchedEndToEndPerSec: Math.round(q.batchedEndToEndPerSec),
      ratioToRaw: Number((q.claimCompletePerSec / raw).toFixed(3)),
      bulkJobs: BULK,
      bulkEnqueueSeconds: Number(bulkSeconds.toFixed(3)),
      dispatchMedianMs: Number(latency.medianMs.toFixed(3)),
      dispatchP95Ms: Number(latency.p95Ms.toFixed(3)),
    }),
  );
} finally {
  rmSync(base, { recursive: true, force: true });
}
