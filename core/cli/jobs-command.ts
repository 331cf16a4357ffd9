/**
 * `rushes jobs list|show|retry|cancel`: against a running daemon when there is one (its
 * daemon.json in the home, or --url), so a cancel reaches the job at once; otherwise
 * against the store directly (a running job then sees a cancel at its next heartbeat).
 */
import type { Command } from 'commander';
import { RushesError } from '../errors.ts';
import { runningDaemon } from '../engine/pidfile.ts';
import { JOB_STATES, type Job, type JobState } from '../queue/types.ts'; // not the barrel: its runner loads at every start
import type { JobDetail } from '../engine/api.ts';
import { dataHome } from '../store/home.ts';
import { EXIT } from './exit-codes.ts';
import type { Io } from './io.ts';
import { oneOf, wholeNumber } from './options.ts';

export interface ListOptions {
  state?: JobState;
  kind?: string;
  limit?: number;
}

/** Where jobs are read and changed: this engine on the store, or a daemon's API. */
interface JobsBackend {
  list(o: ListOptions): Promise<Job[]>;
  show(id: number): Promise<JobDetail>;
  retry(id: number): Promise<Job>;
  cancel(id: number): Promise<Job>;
  close(): Promise<void>;
}

/** The store through an engine that runs nothing: reading jobs must not change them. */
async function storeBackend(home: string): Promise<JobsBackend> {
  const { Engine } = await import('../engine/engine.ts');
  const engine = new Engine({ home, role: 'command' });
  const jobs = engine.api.jobs;
  return {
    list: async (o) => jobs.list(o),
    show: async (id) => jobs.show(id),
    retry: async (id) => jobs.retry(id),
    cancel: async (id) => jobs.cancel(id),
    close: () => engine.stop(0),
  };
}

function httpBackend(url: string, token: string | undefined): JobsBackend {
  const call = async <T>(method: string, path: string): Promise<T> => {
    let res: Response;
    try {
      // Writes say JSON: the daemon refuses writes that a web page could forge (docs/api.md).
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
      res = await fetch(new URL(path, url), { method, headers });
    } catch (e) {
      throw new RushesError('USAGE', `cannot reach the daemon at ${url}: ${(e as Error).message}`);
    }
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & T;
    if (!res.ok) throw new RushesError('USAGE', `daemon ${url} answered ${res.status}: ${body.error?.message ?? res.statusText}`);
    return body;
  };
  return {
    list: async (o) => {
      const q = new URLSearchParams();
      if (o.state) q.set('state', o.state);
      if (o.kind) q.set('kind', o.kind);
      if (o.limit) q.set('limit', String(o.limit));
      return (await call<{ jobs: Job[] }>('GET', `/api/jobs?${q}`)).jobs;
    },
    show: (id) => call<JobDetail>('GET', `/api/jobs/${id}`),
    retry: async (id) => (await call<{ job: Job }>('POST', `/api/jobs/${id}/retry`)).job,
    cancel: async (id) => (await call<{ job: Job }>('POST', `/api/jobs/${id}/cancel`)).job,
    close: async () => undefined,
  };
}

interface JobsFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

async function backendFor(flags: JobsFlags, home: string | undefined): Promise<JobsBackend> {
  const token = flags.token ?? process.env.RUSHES_TOKEN;
  if (flags.url) return httpBackend(flags.url, token);
  const h = home ?? dataHome();
  const daemon = runningDaemon(h);
  return daemon ? httpBackend(daemon.url, token) : storeBackend(h);
}

function parseId(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new RushesError('USAGE', `a job id is a whole number (got "${v}")`);
  return n;
}

const time = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));

function progressText(p: unknown): string {
  const dests = (p as { destinations?: { bytesDone: number; bytesTotal: number }[] } | undefined)?.destinations;
  if (!dests?.length) return '';
  const done = dests.reduce((s, d) => s + d.bytesDone, 0);
  const total = dests.reduce((s, d) => s + d.bytesTotal, 0);
  return total > 0 ? `${Math.floor((done / total) * 100)}%` : '';
}

export function jobLine(j: Job): string {
  const err = j.lastError && j.state !== 'succeeded' ? `  ${j.lastError.code}: ${j.lastError.message}` : '';
  return `${String(j.id).padStart(6)}  ${j.kind.padEnd(10)} ${j.state.padEnd(9)} ${String(j.attempts)}/${j.maxAttempts}  ${time(j.updatedAt)}  ${progressText(j.progress)}${err}`;
}

function detailText(d: JobDetail): string {
  const j = d.job;
  const lines = [
    `job ${j.id}: ${j.kind}, ${j.state}, attempt ${j.attempts} of ${j.maxAttempts}, priority ${j.priority}`,
    `  created ${time(j.createdAt)}, started ${time(j.startedAt)}, finished ${time(j.finishedAt)}`,
  ];
  if (j.state === 'queued' && j.runAfter > Date.now()) lines.push(`  next attempt after ${time(j.runAfter)}`);
  if (j.resources.length) lines.push(`  holds ${j.resources.join(', ')}`);
  if (d.parents.length) lines.push(`  waits for ${d.parents.join(', ')}`);
  if (d.children.length) lines.push(`  followed by ${d.children.join(', ')}`);
  if (j.lastError) lines.push(`  last error: ${j.lastError.code}: ${j.lastError.message}`);
  lines.push(`  payload: ${JSON.stringify(j.payload)}`);
  lines.push('  events:');
  for (const e of d.events) {
    if (e.type === 'progress') continue;
    lines.push(`    ${time(e.at)}  ${e.type}${e.data === undefined ? '' : '  ' + JSON.stringify(e.data)}`);
  }
  return lines.join('\n');
}

export function registerJobsCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const jobs = program
    .command('jobs')
    .description('list, show, retry and cancel jobs (through the running daemon if there is one, else in the store)')
    .option('--url <url>', 'the daemon API to talk to (default: the daemon running on --home, else the store directly)')
    .option('--token <token>', 'API token for a daemon that requires one (default $RUSHES_TOKEN)');
  const home = () => program.opts().home as string | undefined;
  const run = async (flags: JobsFlags, fn: (b: JobsBackend) => Promise<string>) => {
    const backend = await backendFor({ ...jobs.opts(), ...flags }, home());
    try {
      io.stdout.write((await fn(backend)) + '\n');
      setExit(EXIT.OK);
    } finally {
      await backend.close();
    }
  };
  const json = (flags: JobsFlags, value: unknown, text: string) => (flags.json ? JSON.stringify(value, null, 2) : text);

  jobs
    .command('list')
    .description('jobs, newest first')
    .option('--state <state>', `only jobs in this state: ${JOB_STATES.join(', ')}`)
    .option('--kind <kind>', 'only jobs of this kind')
    .option('--limit <n>', 'at most this many (default 50)', '50')
    .option('--json', 'print JSON')
    .action(async (flags: JobsFlags & { state?: string; kind?: string; limit: string }) => {
      const state = oneOf(flags.state, 'state', JOB_STATES);
      const limit = wholeNumber(flags.limit, 'limit', 1, 10_000);
      await run(flags, async (b) => {
        const list = await b.list({ state, kind: flags.kind, limit });
        return json(flags, list, list.length ? list.map(jobLine).join('\n') : 'no jobs');
      });
    });

  jobs
    .command('show')
    .argument('<id>', 'job id')
    .description('one job: state, attempts, error, dependencies and its event log')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: JobsFlags) => run(flags, async (b) => {
      const d = await b.show(parseId(id));
      return json(flags, d, detailText(d));
    }));

  for (const [name, what] of [
    ['retry', 'run a dead or cancelled job again (and what was cancelled because of it)'],
    ['cancel', 'cancel a job: at once if it waits, at its next checkpoint if it runs'],
  ] as const) {
    jobs
      .command(name)
      .argument('<id>', 'job id')
      .description(what)
      .option('--json', 'print JSON')
      .action(async (id: string, flags: JobsFlags) => run(flags, async (b) => {
        const job = await b[name](parseId(id));
        return json(flags, job, jobLine(job));
      }));
  }
}
