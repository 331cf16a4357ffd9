/**
 * What the daemon adds for the web UI, through a real engine and server on loopback: the
 * UI's files (nothing outside their folder, whatever the path says; a strict
 * Content-Security-Policy; content types; caching), the folder browser's routes, the config
 * read and saved through the API and applied without a restart, and ejecting a card.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import { loadConfig, type DaemonConfig } from '../core/engine/config.ts';
import { startServer, type RunningServer } from '../core/server/index.ts';
import { CONTENT_SECURITY_POLICY } from '../core/server/static.ts';
import { ejectCommands } from '../core/watch/eject.ts';
import { isUserMount, parseMountLine } from '../core/fs/volumes.ts';
import { configChanges } from '../core/engine/config-api.ts';
import type { Card } from '../core/watch/card-store.ts';
import { makeSmallCard } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';
import { execFileSync, spawnSync } from 'node:child_process';

const scratch = scratchFolders('rushes-ui-server-');
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function serve(o: { uiDir?: string; config?: DaemonConfig; token?: string } = {}): Promise<{ engine: Engine; server: RunningServer; base: string; configFile: string }> {
  const base = scratch();
  const configFile = join(base, 'rushes.json');
  if (o.config) writeFileSync(configFile, JSON.stringify(o.config));
  const config = o.config ? loadConfig(configFile) : {};
  const engine = new Engine({ home: join(base, 'home'), ingest: config.ingest, config: { file: configFile, startedWith: config } });
  const server = await startServer(engine.api, { host: '127.0.0.1', port: 0, uiDir: o.uiDir, token: o.token });
  await engine.start();
  cleanup.push(async () => {
    await server.close();
    await engine.stop(1000);
  });
  return { engine, server, base, configFile };
}

/** A request exactly as written: fetch() would tidy `..` and `%2e` away before sending. */
function raw(server: RunningServer, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(server.url, { method, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function call<T = Record<string, unknown>>(server: RunningServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, { method, headers: method === 'GET' ? headers : { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

type ErrorBody = { error: { code: string; message: string; path?: string } };

/** A built UI in miniature, beside a secret the server must never hand out. */
function fakeUi(base: string): string {
  const ui = join(base, 'ui');
  mkdirSync(join(ui, 'assets'), { recursive: true });
  writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Rushes</title><script type="module" src="/assets/index-3f2a9c.js"></script>');
  writeFileSync(join(ui, 'assets', 'index-3f2a9c.js'), 'console.log("ui")');
  writeFileSync(join(ui, 'assets', 'index-77aa01.css'), 'body{}');
  writeFileSync(join(ui, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(ui, '.env'), 'SECRET=hidden-file');
  writeFileSync(join(base, 'secret.txt'), 'SECRET=outside');
  symlinkSync(join(base, 'secret.txt'), join(ui, 'assets', 'linked.js'));
  return ui;
}

describe('the web UI, served by the daemon', () => {
  it('serves the page with a strict Content-Security-Policy, the right content types, and caches only hashed assets for long', async () => {
    const base = scratch();
    const { server } = await serve({ uiDir: fakeUi(base) });
    const page = await raw(server, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<title>Rushes</title>');
    expect((await raw(server, 'GET', '/index.html')).body).toBe(page.body);

    const script = await raw(server, 'GET', '/assets/index-3f2a9c.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await raw(server, 'GET', '/assets/index-77aa01.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await raw(server, 'GET', '/favicon.svg');
    expect([icon.headers['content-type'], icon.headers['cache-control']]).toEqual(['image/svg+xml', 'no-cache']);

    // Revalidation: the same file answers 304 to its ETag.
    const again = await raw(server, 'GET', '/', { 'if-none-match': page.headers.etag as string });
    expect([again.status, again.body]).toEqual([304, '']);
    const head = await raw(server, 'HEAD', '/assets/index-3f2a9c.js');
    expect([head.status, head.body, head.headers['content-length']]).toEqual([200, '', String('console.log("ui")'.length)]);
    const post = await raw(server, 'POST', '/', { 'content-type': 'application/json' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('never serves a file outside its folder, however the path is written', async () => {
    const base = scratch();
    const { server } = await serve({ uiDir: fakeUi(base) });
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%252e%252e/secret.txt',
      '/assets/linked.js',
      '/.env',
      '/%2eenv',
      '/index.html%00.js',
      '/assets/%ZZ',
      '/assets/',
      '/assets//index-3f2a9c.js',
      `/${join(base, 'secret.txt')}`,
    ];
    for (const path of attempts) {
      const r = await raw(server, 'GET', path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body, path).not.toContain('SECRET');
    }
    // A path under /api/ that no route has is the API's 404, not a file lookup.
    const api = await raw(server, 'GET', '/api/nope');
    expect([api.status, (JSON.parse(api.body) as ErrorBody).error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('says how to build the UI when it is not built', async () => {
    const { server } = await serve({ uiDir: join(scratch(), 'no-ui-here') });
    const r = await raw(server, 'GET', '/');
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/npm run build/);
  });

  it('with a token, the page is open (it holds no data) and the API is not', async () => {
    const { server } = await serve({ uiDir: fakeUi(scratch()), token: 'a-long-enough-test-token' });
    expect((await raw(server, 'GET', '/')).status).toBe(200);
    expect((await raw(server, 'GET', '/api/volumes')).status).toBe(401);
  });
});

describe('the folder browser', () => {
  it('lists the volumes with free space and the ingest folders as places', async () => {
    const base = scratch();
    const config = { ingest: { watch: [join(base, 'watch')], destinations: [join(base, 'raid1')], mountRoots: false as const } };
    const { server } = await serve({ config });
    const { status, body } = await call<{ volumes: { path: string; freeBytes: number; totalBytes: number }[]; places: { path: string; kind: string }[] }>(server, 'GET', '/api/volumes');
    expect(status).toBe(200);
    const root = body.volumes.find((v) => v.path === '/')!;
    expect(root.totalBytes).toBeGreaterThan(root.freeBytes);
    expect(root.freeBytes).toBeGreaterThan(0);
    expect(body.places).toEqual([
      { path: homedir(), kind: 'home' },
      { path: join(base, 'watch'), kind: 'watch' },
      { path: join(base, 'raid1'), kind: 'destination' },
    ]);
  });

  it('lists a folder’s sub-folders (not files, not hidden ones), measures a card, and refuses relative or missing paths naming them', async () => {
    const { server, base } = await serve();
    const root = join(base, 'media');
    for (const d of ['A010', 'A002', 'A001', '.Trashes']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'notes.txt'), 'x');
    makeSmallCard(join(root, 'A001'));
    const listing = await call<{ path: string; parent: string; folders: { name: string }[]; space: { freeBytes: number } }>(server, 'GET', `/api/folders?path=${encodeURIComponent(root)}`);
    expect(listing.status).toBe(200);
    expect(listing.body.folders.map((f) => f.name)).toEqual(['A001', 'A002', 'A010']);
    expect(listing.body.parent).toBe(base);
    expect(listing.body.space.freeBytes).toBeGreaterThan(0);

    const usage = await call<{ bytes: number; files: number }>(server, 'GET', `/api/folders/usage?path=${encodeURIComponent(join(root, 'A001'))}`);
    expect(usage.body).toMatchObject({ files: 6, bytes: 3_000_000 + 5_000_001 + 1_234_567 + 65_536 + 4_096 });
    // A destination that does not exist yet: the space of the volume it will be on.
    const space = await call<{ freeBytes: number }>(server, 'GET', `/api/space?path=${encodeURIComponent(join(base, 'not', 'yet', 'there'))}`);
    expect(space.body.freeBytes).toBeGreaterThan(0);

    const relative = await call<ErrorBody>(server, 'GET', '/api/folders?path=media');
    expect([relative.status, relative.body.error.code]).toEqual([400, 'RELATIVE_PATH']);
    const missing = await call<ErrorBody>(server, 'GET', `/api/folders?path=${encodeURIComponent(join(root, 'B001'))}`);
    expect([missing.status, missing.body.error.path]).toEqual([404, join(root, 'B001')]);
    const file = await call<ErrorBody>(server, 'GET', `/api/folders?path=${encodeURIComponent(join(root, 'notes.txt'))}`);
    expect([file.status, file.body.error.message]).toEqual([400, `${join(root, 'notes.txt')} is a file, not a folder`]);
    expect((await call<ErrorBody>(server, 'GET', '/api/folders')).status).toBe(400);
  });

  it('knows which mounts are the system’s and which a person offloads from or to', () => {
    expect(parseMountLine('/dev/sdb1 /media/dit/A001\\040CARD exfat rw 0 0')).toEqual({ device: '/dev/sdb1', path: '/media/dit/A001 CARD', fsType: 'exfat' });
    const mounts = ['proc /proc proc', '/dev/sda2 / ext4', 'tmpfs /run tmpfs', '/dev/sdb1 /media/dit/A001 exfat', '/dev/md0 /srv/raid ext4', 'overlay /var/lib/docker/overlay2/x overlay', 'cgroup2 /sys/fs/cgroup cgroup2'];
    expect(mounts.map((l) => parseMountLine(`${l} rw 0 0`)!).filter(isUserMount).map((m) => m.path)).toEqual(['/', '/media/dit/A001', '/srv/raid']);
  });
});

describe('the config through the API', () => {
  it('reads the file with its schema (never the token), refuses an invalid config naming the key, and applies a new watch folder without a restart', async () => {
    const base = scratch();
    const [watch1, watch2, raid] = [join(base, 'watch1'), join(base, 'watch2'), join(base, 'raid')];
    for (const d of [watch1, watch2]) mkdirSync(d);
    const token = 'a-long-enough-test-token';
    const config = { token, port: 7420, ingest: { watch: [watch1], mountRoots: false, destinations: [raid], stableMs: 300, pollMs: 50 } } satisfies DaemonConfig;
    const { server, engine, configFile } = await serve({ config, token });
    const auth = { authorization: `Bearer ${token}` };

    const read = await call<{ file: string; config: DaemonConfig; schema: { properties: Record<string, unknown> }; liveKeys: string[]; restartRequired: string[] }>(server, 'GET', '/api/config', undefined, auth);
    expect(read.body.file).toBe(configFile);
    expect(read.body.config).toEqual({ port: 7420, ingest: config.ingest });
    expect(read.body.schema.properties).not.toHaveProperty('token');
    expect(read.body.schema.properties).toHaveProperty('ingest');
    expect(read.body.restartRequired).toEqual([]);

    const invalid = await call<ErrorBody>(server, 'PUT', '/api/config', { port: 'seventy', ingest: { destinations: [] } }, auth);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/\/port must be integer/);
    expect(invalid.body.error.message).toMatch(/\/ingest\/destinations must NOT have fewer than 1 items/);
    const badLayout = await call<ErrorBody>(server, 'PUT', '/api/config', { ingest: { destinations: [raid], layout: '{rol}' } }, auth);
    expect([badLayout.status, badLayout.body.error.message]).toEqual([400, expect.stringMatching(/ingest: .*\{rol\}/)]);
    const tokenChange = await call<ErrorBody>(server, 'PUT', '/api/config', { token: 'another-long-enough-token' }, auth);
    expect([tokenChange.status, tokenChange.body.error.message]).toEqual([400, expect.stringMatching(/not changed through the API/)]);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual(config);

    // A second watch folder (live) and another port (needs a restart).
    const next = { port: 7421, ingest: { ...config.ingest, watch: [watch1, watch2] } };
    const saved = await call<{ applied: string[]; restartRequired: string[]; config: DaemonConfig }>(server, 'PUT', '/api/config', next, auth);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ applied: ['ingest'], restartRequired: ['port'], config: next });
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({ ...next, token });

    // The new folder is watched at once: a card copied into it is offloaded.
    makeSmallCard(join(watch2, 'B001R1AB'));
    const card = await waitFor('the card in the new watch folder', () => engine.api.cards.list({}).cards.find((c: Card) => c.path === join(watch2, 'B001R1AB') && c.state === 'verified'), 60_000);
    expect(card.safeToEject).toBe(true);
    const reread = await call<{ restartRequired: string[] }>(server, 'GET', '/api/config', undefined, auth);
    expect(reread.body.restartRequired).toEqual(['port']);

    // No ingest at all: the watching stops; the cards stay.
    const off = await call<{ applied: string[] }>(server, 'PUT', '/api/config', { port: 7421 }, auth);
    expect(off.body.applied).toEqual(['ingest']);
    expect((await call<{ watching: boolean; cards: Card[] }>(server, 'GET', '/api/cards', undefined, auth)).body).toMatchObject({ watching: false, cards: [{ id: card.id }] });
  });

  it('tells live changes from those that wait for a restart, render by render key', () => {
    expect(configChanges({ render: { runtime: 'thread', thumbnails: true } }, { render: { runtime: 'docker', thumbnails: false, proxies: { out: '/p' } }, webhooks: [{ url: 'https://h/x' }] })).toEqual({
      live: ['render.proxies', 'render.thumbnails', 'webhooks'],
      restart: ['render.runtime'],
    });
  });

  it('an engine without a config file cannot save one', async () => {
    const engine = new Engine({ home: join(scratch(), 'home') });
    await expect(engine.api.config.save({})).rejects.toThrow(/without a config file/);
    expect(engine.api.config.read().file).toBeUndefined();
    await engine.stop(0);
  });
});

describe('ejecting a card', () => {
  it('tries udisks, then umount, on Linux; diskutil on macOS', () => {
    expect(ejectCommands('linux', '/media/dit/A001', '/dev/sdb1').map((c) => c.file)).toEqual(['udisksctl', 'umount']);
    expect(ejectCommands('linux', '/media/dit/A001', 'tmpfs')).toEqual([{ file: 'umount', args: ['/media/dit/A001'] }]);
    expect(ejectCommands('darwin', '/Volumes/A001')).toEqual([{ file: 'diskutil', args: ['eject', '/Volumes/A001'] }]);
  });

  it('a card in a watch folder is no volume: nothing to eject; a card not yet verified is refused', async () => {
    const base = scratch();
    const watch = join(base, 'watch');
    mkdirSync(watch);
    const { server, engine } = await serve({ config: { ingest: { watch: [watch], mountRoots: false, destinations: [join(base, 'raid')], stableMs: 300, pollMs: 50, autoStart: false } } });
    makeSmallCard(join(watch, 'A001R1AB'));
    const waiting = await waitFor('the card to wait', () => engine.api.cards.list({}).cards.find((c) => c.state === 'waiting'));
    const refused = await call<ErrorBody>(server, 'POST', `/api/cards/${waiting.id}/eject`, {});
    expect([refused.status, refused.body.error.code, refused.body.error.message]).toEqual([409, 'WRONG_STATE', expect.stringMatching(/not safe to eject yet/)]);
    expect((await call(server, 'POST', `/api/cards/${waiting.id}/offload`, {})).status).toBe(202);
    await waitFor('the card verified', () => engine.api.cards.list({}).cards.find((c) => c.state === 'verified'));
    const ejected = await call<{ ejected: boolean; message: string }>(server, 'POST', `/api/cards/${waiting.id}/eject`, {});
    expect(ejected.body).toMatchObject({ ejected: false, message: expect.stringMatching(/is a folder, not a mounted volume/) });
    expect((await call<ErrorBody>(server, 'POST', '/api/cards/999/eject', {})).status).toBe(404);
  });

  const canMount = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v mount umount']).status === 0;
  it.skipIf(!canMount)('a verified card that is a mounted volume is unmounted, and then reported removed (needs root to mount)', async () => {
    const base = scratch();
    const mounts = join(base, 'media');
    const cardDir = join(mounts, 'A002');
    mkdirSync(cardDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', cardDir]);
    cleanup.push(() => void spawnSync('umount', [cardDir]));
    makeSmallCard(cardDir);
    const { server, engine } = await serve({ config: { ingest: { mountRoots: [mounts], destinations: [join(base, 'raid')], stableMs: 300, pollMs: 50 } } });
    const card = await waitFor('the mounted card verified', () => engine.api.cards.list({}).cards.find((c) => c.path === cardDir && c.state === 'verified'), 60_000);
    const ejected = await call<{ ejected: boolean; message: string }>(server, 'POST', `/api/cards/${card.id}/eject`, {});
    expect(ejected.body).toMatchObject({ ejected: true, message: `${cardDir} was ejected` });
    expect(spawnSync('mountpoint', ['-q', cardDir]).status).not.toBe(0);
    // The folder left behind is empty: the watcher no longer sees the card there.
    execFileSync('rmdir', [cardDir]);
    await waitFor('the card reported removed', () => (engine.api.cards.show(card.id).card.present ? undefined : true), 30_000);
  });
});
