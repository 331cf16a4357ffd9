/**
 * daemon.json: one daemon per data home. Real processes: a live stranger's pid is refused,
 * a dead one's file is taken over, and two daemons claiming at the same instant cannot both win.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { claimDaemonHome, publishDaemonUrl, releaseDaemonHome, runningDaemon } from '../core/engine/pidfile.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-pidfile-');
const file = (home: string) => join(home, 'daemon.json');
const deadPid = () => {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
};

describe('daemon.json', () => {
  it('claims a fresh home, publishes the URL, and releases only its own file', () => {
    const home = join(scratch(), 'home');
    claimDaemonHome(home);
    expect(JSON.parse(readFileSync(file(home), 'utf8'))).toMatchObject({ pid: process.pid, url: '' });
    publishDaemonUrl(home, 'http://127.0.0.1:7420');
    expect(JSON.parse(readFileSync(file(home), 'utf8')).url).toBe('http://127.0.0.1:7420');
    releaseDaemonHome(home);
    expect(existsSync(file(home))).toBe(false);

    // Someone else's file is left alone.
    writeFileSync(file(home), JSON.stringify({ pid: process.pid + 1, url: 'x', startedAt: '' }));
    releaseDaemonHome(home);
    publishDaemonUrl(home, 'http://elsewhere');
    expect(JSON.parse(readFileSync(file(home), 'utf8')).url).toBe('x');
  });

  it('refuses a home a live process owns, and takes over one a dead process left', async () => {
    const home = scratch();
    const sleeper = spawn('sleep', ['30']);
    try {
      writeFileSync(file(home), JSON.stringify({ pid: sleeper.pid, url: 'http://127.0.0.1:9', startedAt: '' }));
      expect(() => claimDaemonHome(home)).toThrow(new RegExp(`pid ${sleeper.pid}, http://127.0.0.1:9\\) already runs on`));
      expect(runningDaemon(home)?.pid).toBe(sleeper.pid);
    } finally {
      sleeper.kill();
    }
    writeFileSync(file(home), JSON.stringify({ pid: deadPid(), url: 'http://old', startedAt: '' }));
    expect(runningDaemon(home)).toBeUndefined();
    claimDaemonHome(home);
    expect(JSON.parse(readFileSync(file(home), 'utf8')).pid).toBe(process.pid);
    writeFileSync(file(home), '{ half-writ');
    claimDaemonHome(home);
    expect(JSON.parse(readFileSync(file(home), 'utf8')).pid).toBe(process.pid);
  });

  it('of several processes claiming one home at the same moment, exactly one wins', async () => {
    const home = scratch();
    const module = fileURLToPath(new URL('../core/engine/pidfile.ts', import.meta.url));
    // Each claims, reports, and holds the claim until told to exit.
    const script = `import(${JSON.stringify(module)}).then((m) => {
      try { m.claimDaemonHome(${JSON.stringify(home)}); console.log('won'); } catch (e) { console.log('lost: ' + e.message); }
      setTimeout(() => {}, 5000);
    });`;
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
    const said = await Promise.all(
      children.map(
        (c) =>
          new Promise<string>((resolve) => {
            let out = '';
            c.stdout!.on('data', (d) => {
              out += d;
              if (out.includes('\n')) resolve(out.trim());
            });
          }),
      ),
    );
    for (const c of children) c.kill();
    expect(said.filter((s) => s === 'won')).toHaveLength(1);
    expect(said.filter((s) => s.startsWith('lost: ')).every((s) => /already runs on/.test(s))).toBe(true);
  });
});
