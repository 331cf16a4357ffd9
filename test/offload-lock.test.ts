/**
 * One writer per destination folder: two offloads of the same card into the same place, in
 * two CLI processes or in the CLI and the daemon, never write at once. The second is refused
 * naming the holder, or waits its turn (--wait, and always in the daemon) and then reads back
 * what the first copied instead of writing it again. A lock left by a process that died is
 * taken over.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFolder, lockPathFor } from '../core/fs/lock.ts';
import { jsonLines, runCli, startCli } from './helpers/cli.ts';
import { listFiles, makeSmallCard, pseudoRandomBytes, writeFile } from './helpers/card.ts';
import { startDaemon } from './helpers/daemon.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-lock-');

/** A card big enough that an offload is still running when the test looks at it. */
function makeCard(root: string): void {
  makeSmallCard(root);
  writeFile(root, 'A001C009_260314_R1AB.mxf', pseudoRandomBytes(48 * 1024 * 1024, 99));
}

/** Collects a child's output as it comes; `done` resolves with all of it once the child ends. */
function collect(child: ChildProcess) {
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, ...out })));
  return { out, done };
}

/** Starts an offload in its own process and stops it (SIGSTOP) while it holds the roll folder's lock. */
async function offloadHeldMidway(home: string, card: string, dest: string) {
  const child = startCli(['--home', home, 'offload', card, '--to', dest, '--json']);
  const { done } = collect(child);
  const lock = lockPathFor(join(dest, 'A001'));
  // Taken means created and filled in (the holder writes it right after the exclusive create).
  await waitFor('the first offload to take its lock', () => (existsSync(lock) && readFileSync(lock, 'utf8').endsWith('}\n') ? true : undefined), 60_000, 2);
  child.kill('SIGSTOP');
  expect(existsSync(lock)).toBe(true);
  return { child, done, lock };
}

function inodes(root: string): Map<string, number> {
  return new Map(listFiles(root).filter((f) => !f.startsWith('ascmhl/')).map((f) => [f, statSync(join(root, f)).ino]));
}

describe('one writer per destination folder', () => {
  it('a second CLI offload into the same folder is refused naming the holder, or waits with --wait and writes nothing twice', async () => {
    const base = scratch();
    const card = join(base, 'A001');
    makeCard(card);
    const dest = join(base, 'raid');
    const first = await offloadHeldMidway(join(base, 'home1'), card, dest);
    const holder = JSON.parse(readFileSync(first.lock, 'utf8')) as { pid: number; host: string };
    expect(holder).toMatchObject({ pid: first.child.pid, host: hostname() });

    const refused = await runCli(['--home', join(base, 'home2'), 'offload', card, '--to', dest]);
    expect(refused.code).toBe(9);
    expect(refused.stderr).toContain('DEST_LOCKED');
    expect(refused.stderr).toContain(join(dest, 'A001'));
    expect(refused.stderr).toContain(`pid ${first.child.pid}`);
    expect(refused.stderr).toContain('rushes offload of');

    const waiting = startCli(['--home', join(base, 'home2'), 'offload', card, '--to', dest, '--wait', '--json']);
    const second = collect(waiting);
    await waitFor('the second offload to say it waits', () => (second.out.stdout.includes('offload.waiting') ? true : undefined));
    first.child.kill('SIGCONT');
    const a = await first.done;
    expect(a.code).toBe(0);
    const copied = inodes(join(dest, 'A001'));

    const b = await second.done;
    expect(b.code).toBe(0);
    const events = jsonLines(b.stdout);
    expect(events[0]).toMatchObject({ type: 'offload.waiting', destination: join(dest, 'A001') });
    expect(String(events[0].message)).toContain(`pid ${first.child.pid}`);
    // The second run found every file in place and read it back; none was written again.
    expect(inodes(join(dest, 'A001'))).toEqual(copied);
    expect(existsSync(first.lock)).toBe(false);
    const verify = await runCli(['verify', join(dest, 'A001')]);
    expect(verify.code).toBe(0);
  });

  it('the CLI and the daemon take turns: the daemon waits for the CLI, the CLI is refused while the daemon writes', async () => {
    const base = scratch();
    const card = join(base, 'A001');
    makeCard(card);
    const dest = join(base, 'raid');
    const daemon = await startDaemon(join(base, 'daemon-home'));
    try {
      const cli = await offloadHeldMidway(join(base, 'cli-home'), card, dest);
      const r = await daemon.api<{ job: { id: number } }>('POST', '/api/offloads', { source: card, destinations: [dest] });
      expect(r.status).toBe(202);
      await waitFor('the daemon job to wait for the CLI', () => daemon.logs.find((l) => l.msg === 'waiting for another offload'));
      expect((await daemon.api<{ job: { state: string } }>('GET', `/api/jobs/${r.body.job.id}`)).body.job.state).toBe('running');
      cli.child.kill('SIGCONT');
      expect((await cli.done).code).toBe(0);
      const copied = inodes(join(dest, 'A001'));
      const job = await waitFor('the daemon job to finish', async () => {
        const j = (await daemon.api<{ job: { state: string } }>('GET', `/api/jobs/${r.body.job.id}`)).body.job;
        return j.state === 'succeeded' || j.state === 'dead' ? j : undefined;
      });
      expect(job.state).toBe('succeeded');
      expect(inodes(join(dest, 'A001'))).toEqual(copied);

      // Now the daemon writes and the CLI comes second.
      const dest2 = join(base, 'raid2');
      const r2 = await daemon.api<{ job: { id: number } }>('POST', '/api/offloads', { source: card, destinations: [dest2] });
      const lock2 = lockPathFor(join(dest2, 'A001'));
      await waitFor('the daemon to take its lock', () => (existsSync(lock2) && readFileSync(lock2, 'utf8').endsWith('}\n') ? true : undefined), 60_000, 2);
      daemon.child.kill('SIGSTOP');
      try {
        const refused = await runCli(['--home', join(base, 'cli-home'), 'offload', card, '--to', dest2]);
        expect(refused.code).toBe(9);
        expect(refused.stderr).toContain(`pid ${daemon.child.pid}`);
      } finally {
        daemon.child.kill('SIGCONT');
      }
      await waitFor('the second daemon job to finish', async () => {
        const j = (await daemon.api<{ job: { state: string } }>('GET', `/api/jobs/${r2.body.job.id}`)).body.job;
        return j.state === 'succeeded' ? j : undefined;
      });
      expect((await runCli(['verify', join(dest2, 'A001')])).code).toBe(0);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });

  it('takes over a lock whose holder died or whose host stopped refreshing it, and refuses a live one', async () => {
    const base = scratch();
    const card = join(base, 'A001');
    makeSmallCard(card);
    const dest = join(base, 'raid');
    const lock = lockPathFor(join(dest, 'A001'));
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = await new Promise<number>((resolve) => dead.once('exit', () => resolve(dead.pid!)));
    const holder = (pid: number, host: string) => JSON.stringify({ pid, host, since: '2026-11-29T08:00:00.000Z', purpose: 'rushes offload of /media/A001', token: 'feedfacefeedface' });

    writeFile(dest, '.A001.rushes-lock', holder(deadPid, hostname()));
    const afterDeath = await runCli(['--home', join(base, 'home'), 'offload', card, '--to', dest, '--verify', 'size']);
    expect(afterDeath.code).toBe(0);
    expect(existsSync(lock)).toBe(false);

    // A holder on another machine sharing the volume is judged by how fresh its lock is.
    writeFileSync(lock, holder(4242, 'cart-2.local'));
    const live = await runCli(['--home', join(base, 'home'), 'offload', card, '--to', dest, '--verify', 'size']);
    expect(live.code).toBe(9);
    expect(live.stderr).toContain('pid 4242 on cart-2.local');
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lock, old, old);
    const afterSilence = await runCli(['--home', join(base, 'home'), 'offload', card, '--to', dest, '--verify', 'size']);
    expect(afterSilence.code).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it('is exclusive within one process too, and a release never removes a lock another holder took over', async () => {
    const base = scratch();
    const folder = join(base, 'raid', 'A001');
    const a = await lockFolder(folder, 'first');
    await expect(lockFolder(folder, 'second')).rejects.toMatchObject({ code: 'DEST_LOCKED', path: folder });
    // Someone judged ours stale and took it over: our release must leave theirs alone.
    writeFileSync(a.path, JSON.stringify({ ...a.holder, token: 'someone-else' }));
    await a.release();
    expect(existsSync(a.path)).toBe(true);
  });
});
