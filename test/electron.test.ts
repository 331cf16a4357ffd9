/**
 * The desktop shell without Electron (its binary is never downloaded here): how it decides to
 * start, which addresses its window may show, what the page may ask of it, and its backend —
 * the engine in process behind the served UI with a per-launch token, or a daemon already
 * running on the same home. The window itself shows the same pages the browser tests drive.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkCardId, checkNotice, checkTitle, CHANNELS } from '../electron/bridge.ts';
import { isAppUrl, launchPlan, windowUrl } from '../electron/launch.ts';
import { startBackend } from '../electron/backend.ts';
import { startDaemon } from './helpers/daemon.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-electron-');
const cleanup: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('how the desktop app starts', () => {
  it('runs the engine in process by default, on a home and config given or not', () => {
    expect(launchPlan([], {})).toEqual({ mode: 'in-process', home: undefined, config: undefined });
    expect(launchPlan(['--home', '/data/rushes', '--config=/etc/rushes.json'], {})).toEqual({ mode: 'in-process', home: '/data/rushes', config: '/etc/rushes.json' });
  });

  it('attaches to a running daemon by its address, with its token from the environment', () => {
    expect(launchPlan(['--attach', 'http://10.0.0.5:7420/'], { RUSHES_TOKEN: 'a-long-enough-test-token' })).toEqual({ mode: 'attach', url: 'http://10.0.0.5:7420', token: 'a-long-enough-test-token' });
    expect(() => launchPlan(['--attach', 'file:///etc/passwd'], {})).toThrow(/http or https/);
    expect(() => launchPlan(['--attach', 'not a url'], {})).toThrow(/daemon's address/);
    expect(() => launchPlan(['--attach'], {})).toThrow(/needs a value/);
  });

  it('opens the UI with the per-launch secret in the fragment (never sent to a server), and shows no other origin', () => {
    expect(windowUrl('http://127.0.0.1:41234', 'abc/+=')).toBe('http://127.0.0.1:41234/#token=abc%2F%2B%3D');
    expect(windowUrl('http://127.0.0.1:41234', undefined)).toBe('http://127.0.0.1:41234/#/cards');
    expect(isAppUrl('http://127.0.0.1:41234/#/clips/3', 'http://127.0.0.1:41234')).toBe(true);
    for (const other of ['http://127.0.0.1:41235/', 'https://127.0.0.1:41234/', 'http://localhost:41234/', 'https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'nonsense']) {
      expect(isAppUrl(other, 'http://127.0.0.1:41234'), other).toBe(false);
    }
  });
});

describe('the main process', () => {
  it("sizes libuv's thread pool for the engine's offloads (16) before Electron or the engine loads, unless the environment says otherwise", () => {
    // The built main process (dist/electron/main.cjs), with a stand-in for Electron that reports
    // the size at the first thing main does with it, and stops there.
    const dir = scratch();
    const stub = join(dir, 'electron-stub.cjs');
    writeFileSync(stub, "module.exports = { app: { requestSingleInstanceLock() { process.stdout.write(String(process.env.UV_THREADPOOL_SIZE)); process.exit(0); } } };");
    const hook = join(dir, 'hook.cjs');
    writeFileSync(hook, `const M = require('node:module'); const r = M._resolveFilename; M._resolveFilename = function (request, ...rest) { return request === 'electron' ? ${JSON.stringify(stub)} : r.call(this, request, ...rest); };`);
    const main = fileURLToPath(new URL('../dist/electron/main.cjs', import.meta.url));
    const run = (env: NodeJS.ProcessEnv) => execFileSync(process.execPath, ['-r', hook, main], { env, encoding: 'utf8' });
    const { UV_THREADPOOL_SIZE: _, ...env } = process.env;
    expect(run(env)).toBe('16');
    expect(run({ ...env, UV_THREADPOOL_SIZE: '6' })).toBe('6');
  });
});

describe('what the page may ask of the shell', () => {
  it('three channels, each checking what it is given', () => {
    expect(Object.values(CHANNELS)).toEqual(['rushes:pick-folder', 'rushes:notify', 'rushes:eject']);
    expect(checkNotice({ title: 'A001 is safe to eject', body: 'ok', extra: 'dropped' })).toEqual({ title: 'A001 is safe to eject', body: 'ok' });
    expect(() => checkNotice({ title: 'x'.repeat(201), body: '' })).toThrow(/at most 200/);
    expect(() => checkNotice(undefined)).toThrow();
    expect(checkCardId(3)).toBe(3);
    for (const bad of [0, -1, 1.5, '3', Number.MAX_SAFE_INTEGER + 1]) expect(() => checkCardId(bad), String(bad)).toThrow(/card id/);
    expect(() => checkTitle({})).toThrow();
  });

  it('the window isolates the page: context isolation, a sandbox, no Node in the page; the preload exposes the bridge and nothing else', () => {
    const main = readFileSync(new URL('../electron/main.ts', import.meta.url), 'utf8');
    expect(main).toMatch(/contextIsolation: true/);
    expect(main).toMatch(/nodeIntegration: false/);
    expect(main).toMatch(/sandbox: true/);
    const preload = readFileSync(new URL('../electron/preload.ts', import.meta.url), 'utf8');
    expect([...preload.matchAll(/exposeInMainWorld\('(\w+)'/g)].map((m) => m[1])).toEqual(['rushesDesktop']);
    expect(preload).not.toMatch(/require\(|from 'node:/);
  });
});

describe("the shell's backend", () => {
  it('runs the engine in process, serving the UI on loopback behind a fresh token, claiming the home as a daemon does', async () => {
    const home = join(scratch(), 'home');
    const backend = await startBackend({ mode: 'in-process', home });
    cleanup.push(() => backend.stop());
    expect(backend.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(backend.token).toMatch(/^[\w-]{43}$/);
    expect(JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'))).toMatchObject({ pid: process.pid, url: backend.url });
    // The page loads without the token; the API needs it, or the session the page trades it for.
    expect((await fetch(`${backend.url}/`)).status).toBe(200);
    expect((await fetch(`${backend.url}/api/cards`)).status).toBe(401);
    const session = await fetch(`${backend.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${backend.token}` }, body: '{}' });
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${backend.url}/api/cards`, { headers: { cookie } })).status).toBe(200);
    await expect(backend.eject(42)).rejects.toThrow(/no card 42/);
    await backend.stop();
    expect(existsSync(join(home, 'daemon.json'))).toBe(false);
  });

  it('attaches to a daemon running on the same home, and ejects through its API', async () => {
    const home = join(scratch(), 'home');
    const daemon = await startDaemon(home);
    cleanup.push(() => {
      daemon.child.kill('SIGTERM');
      return daemon.exited;
    });
    const backend = await startBackend({ mode: 'in-process', home });
    expect(backend.url).toBe(daemon.url);
    expect(backend.token).toBeUndefined();
    await expect(backend.eject(7)).rejects.toThrow(/no card 7/);
  });
});
