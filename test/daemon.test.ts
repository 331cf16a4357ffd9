/**
 * The real `rushes daemon` as a separate process: offloads through the API, kill -9 in the
 * middle and a restart that finishes the work, a graceful SIGTERM, retries then a dead job
 * visible in the API and the CLI, and `rushes jobs` against the daemon and the store.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job, JobEvent } from '../core/queue/index.ts';
import { listFiles, pseudoRandomBytes, writeFile } from './helpers/card.ts';
import { runCli } from './helpers/cli.ts';
import { startDaemon, type DaemonProcess } from './helpers/daemon.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-daemon-');

interface JobDetail {
  job: Job;
  events: JobEvent[];
}

/** A card big enough that the daemon is surely mid-copy when a test interrupts it. */
function bigCard(base: string, roll: string): string {
  const card = join(base, roll);
  for (let i = 0; i < 12; i++) writeFile(card, `${roll}C${String(i).padStart(3, '0')}.mxf`, pseudoRandomBytes(40_000_000, i + 1));
  for (let i = 0; i < 100; i++) writeFile(card, `Sidecars/${roll}_${i}.xml`, pseudoRandomBytes(2_000, i + 100));
  return card;
}

async function jobIn(d: DaemonProcess, id: number, states: string[]): Promise<JobDetail> {
  return waitFor(`job ${id} to be ${states.join('/')}`, async () => {
    const r = await d.api<JobDetail>('GET', `/api/jobs/${id}`);
    return states.includes(r.body.job.state) ? r.body : undefined;
  }, 120_000);
}

/** Final names already in a destination, with inodes: a file copied again would get a new inode. */
function finishedFiles(dest: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(dest)) return out;
  for (const f of listFiles(dest)) if (!f.endsWith('.rushes-part') && !f.startsWith('ascmhl')) out.set(f, statSync(join(dest, f)).ino);
  return out;
}

function manifests(dest: string): string[] {
  return existsSync(join(dest, 'ascmhl')) ? readdirSync(join(dest, 'ascmhl')).filter((f) => f.endsWith('.mhl')) : [];
}

describe('rushes daemon', () => {
  it('kill -9 mid-copy, start again: the offload resumes and completes, every destination verifies, no job lost or done twice', async () => {
    const base = scratch();
    const home = join(base, 'home');
    const card = bigCard(base, 'D001');
    const [r1, r2] = [join(base, 'raid1'), join(base, 'raid2')];

    const first = await startDaemon(home);
    const posted = await first.api<{ job: Job }>('POST', '/api/offloads', { source: card, destinations: [r1, r2] });
    expect(posted.status).toBe(202);
    const id = posted.body.job.id;
    // Mid-copy: some clips are finished on both RAIDs, not all.
    const clips = (m: Map<string, number>) => [...m.keys()].filter((f) => f.endsWith('.mxf')).length;
    const before = await waitFor('three finished clips on both RAIDs', async () => {
      const done = finishedFiles(join(r1, 'D001'));
      return clips(done) >= 3 && clips(finishedFiles(join(r2, 'D001'))) >= 3 ? done : undefined;
    });
    expect(clips(before)).toBeLessThan(12);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(manifests(join(r1, 'D001'))).toEqual([]);

    const second = await startDaemon(home);
    const detail = await jobIn(second, id, ['succeeded', 'dead']);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    expect(detail.job.state).toBe('succeeded');
    expect(detail.job.attempts).toBe(2);
    expect(detail.events.map((e) => e.type).filter((t) => t !== 'progress')).toEqual(['created', 'started', 'requeued', 'started', 'succeeded']);
    const result = detail.job.result as { status: string; resumedFiles: number; files: number; destinations: { complete: boolean; verifiedFiles: number }[] };
    expect(result.status).toBe('completed');
    // Clips finished together may not have reached the store before the kill; the second run then
    // re-reads them in place rather than copying: the inode check below proves nothing was copied twice.
    expect(result.destinations.every((d) => d.complete && d.verifiedFiles === result.files)).toBe(true);

    // Not done twice: files finished before the kill keep their inodes, and each destination has one generation.
    const after = finishedFiles(join(r1, 'D001'));
    for (const [f, ino] of before) if (f.endsWith('.mxf')) expect(after.get(f)).toBe(ino);
    for (const r of [r1, r2]) {
      expect(manifests(join(r, 'D001'))).toHaveLength(1);
      const verify = await runCli(['verify', join(r, 'D001')]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    }
    const list = await runCli(['--home', home, 'jobs', 'list', '--json']);
    const jobs = JSON.parse(list.stdout) as Job[];
    expect(jobs.filter((j) => j.kind === 'offload').map((j) => [j.id, j.state])).toEqual([[id, 'succeeded']]);
    // The workflow went on exactly once: one inspection of this offload (its clip jobs may still be queued).
    expect(jobs.filter((j) => j.kind === 'inspect-offload')).toHaveLength(1);
  });

  it('SIGTERM: takes no new work, stops the running offload at a checkpoint, releases it, exits 0; the next start finishes it', async () => {
    const base = scratch();
    const home = join(base, 'home');
    const card = bigCard(base, 'D002');
    const dest = join(base, 'raid');
    const d = await startDaemon(home);
    const id = (await d.api<{ job: Job }>('POST', '/api/offloads', { source: card, destinations: [dest] })).body.job.id;
    await waitFor('the first finished clip', async () => ([...finishedFiles(join(dest, 'D002')).keys()].some((f) => f.endsWith('.mxf')) ? true : undefined));
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    const messages = d.logs.map((l) => l.msg);
    expect(messages).toContain('shutting down');
    expect(messages.at(-1)).toBe('daemon stopped');
    expect(d.logs.every((l) => typeof l.time === 'string' && typeof l.level === 'string')).toBe(true);
    expect(existsSync(join(home, 'daemon.json'))).toBe(false);

    const shown = await runCli(['--home', home, 'jobs', 'show', String(id), '--json']);
    const stopped = JSON.parse(shown.stdout) as JobDetail;
    expect(stopped.job).toMatchObject({ state: 'queued', attempts: 0 });
    expect(stopped.job.leaseOwner).toBeUndefined();

    const again = await startDaemon(home);
    const done = await jobIn(again, id, ['succeeded', 'dead']);
    again.child.kill('SIGTERM');
    await again.exited;
    expect(done.job.state).toBe('succeeded');
    expect((await runCli(['verify', join(dest, 'D002')])).code).toBe(0);
  });

  it('a job that keeps failing is retried with backoff, then dead with its error in the API and the CLI; retry and cancel work from the CLI', async () => {
    const base = scratch();
    const home = join(base, 'home');
    const card = join(base, 'D003');
    writeFile(card, 'D003C001.mov', pseudoRandomBytes(10_000, 1));
    // A destination under a regular file: every attempt fails with ENOTDIR, a write error worth retrying.
    writeFile(base, 'not-a-folder', 'x');
    const config = join(base, 'config.json');
    writeFileSync(config, JSON.stringify({ backoff: { baseMs: 100, maxMs: 400 }, maxAttempts: 3 }));
    const d = await startDaemon(home, ['--config', config]);
    const bad = join(base, 'not-a-folder', 'raid');
    const id = (await d.api<{ job: Job }>('POST', '/api/offloads', { source: card, destinations: [bad] })).body.job.id;
    const dead = await jobIn(d, id, ['dead']);
    expect(dead.job.attempts).toBe(3);
    expect(dead.job.lastError).toMatchObject({ code: 'DEST_IO' });
    expect(dead.job.lastError!.message).toContain(join(bad, 'D003'));
    const failures = dead.events.filter((e) => e.type === 'failed');
    expect(failures).toHaveLength(3);
    // Backoff: each retry was scheduled later than the failure that caused it.
    for (const f of failures.slice(0, 2)) expect((f.data as { retryAt: number }).retryAt).toBeGreaterThan(f.at);

    const listed = await runCli(['--home', home, 'jobs', 'list', '--state', 'dead']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('DEST_IO');
    const shown = await runCli(['--home', home, 'jobs', 'show', String(id)]);
    expect(shown.stdout).toMatch(/last error: DEST_IO: .*not-a-folder/);

    // Through the running daemon: retry brings it back, cancel stops it for good.
    const retried = await runCli(['--home', home, 'jobs', 'retry', String(id), '--json']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(['queued', 'running', 'dead']).toContain((JSON.parse(retried.stdout) as Job).state);
    const notDead = await runCli(['--home', home, 'jobs', 'retry', '999']);
    expect(notDead.code).toBe(2);
    expect(notDead.stderr).toMatch(/999/);
    d.child.kill('SIGTERM');
    await d.exited;
  });

  it('cancel reaches a running offload promptly, from the CLI through the daemon', async () => {
    const base = scratch();
    const home = join(base, 'home');
    const card = bigCard(base, 'D004');
    const d = await startDaemon(home);
    // Two destinations and a source re-read: long enough that the CLI (a new Node process, slow to start on a busy machine) arrives mid-offload.
    const id = (await d.api<{ job: Job }>('POST', '/api/offloads', { source: card, destinations: [join(base, 'raid'), join(base, 'raid2')], sourceVerify: true })).body.job.id;
    await jobIn(d, id, ['running']);
    const t0 = Date.now();
    const cancel = await runCli(['--home', home, 'jobs', 'cancel', String(id)]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const cancelled = await jobIn(d, id, ['cancelled', 'succeeded']);
    expect(cancelled.job.state).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(15_000);
    d.child.kill('SIGTERM');
    await d.exited;
  });

  it('refuses a second daemon on the same home, a bad config naming the key, and a non-loopback address without a token', async () => {
    const base = scratch();
    const home = join(base, 'home');
    const d = await startDaemon(home);
    const second = await runCli(['--home', home, 'daemon', '--port', '0']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already runs/);
    d.child.kill('SIGTERM');
    await d.exited;

    const config = join(base, 'bad.json');
    writeFileSync(config, JSON.stringify({ port: 'eighty', extra: true }));
    const bad = await runCli(['--home', home, 'daemon', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(config);
    expect(bad.stderr).toMatch(/\/port must be integer/);
    expect(bad.stderr).toMatch(/unknown key "extra"/);

    const open = await runCli(['--home', home, 'daemon', '--port', '0', '--host', '0.0.0.0'], { RUSHES_TOKEN: '' });
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/token/);
  });
});
