/**
 * The launcher's code cache (bin/code-cache.cjs): the real command, run as a user runs it,
 * writes V8's bytecode for each command once, runs from it after, and never trusts a cache
 * that V8 rejects, that is not one, or that another build made.
 */
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders();
const bundle = readFileSync(fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url)));
const buildId = /^\/\/ build ([0-9a-f]+)\n/.exec(bundle.toString('latin1', 0, 64))?.[1];
const cacheName = `cli-${buildId}-node${process.version}-${process.arch}.bin`;

/** The commands a cache file says it holds the code of. */
function commandsIn(file: string): string[] {
  const bytes = readFileSync(file);
  return JSON.parse(bytes.toString('utf8', 4, 4 + bytes.readUInt32LE(0))).commands;
}

/** A file's identity and time: a rewritten cache is a new file (written beside, then renamed). */
function version(file: string): string {
  const s = statSync(file);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}

/** A cache file with our header and the given bytes for V8. */
function fakeCache(file: string, commands: string[], data: Buffer): void {
  const header = Buffer.from(JSON.stringify({ commands }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  writeFileSync(file, Buffer.concat([length, header, data]));
}

describe('the code cache of the rushes command', () => {
  it('the build heads the bundle with a hash of its text, which names the cache', () => {
    expect(buildId).toMatch(/^[0-9a-f]{16}$/);
    const text = bundle.subarray(bundle.indexOf(10) + 1);
    expect(createHash('sha256').update(text).digest('hex').slice(0, 16)).toBe(buildId);
  });

  it("is written by a command's first run, read and left alone by the next, and extended by a command it lacks", async () => {
    const folder = join(scratch(), 'cache');
    const env = { RUSHES_CODE_CACHE: folder };
    const cache = join(folder, cacheName);

    const first = await runCli(['--version'], env);
    expect(first.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(readdirSync(folder)).toEqual([cacheName]);
    expect(commandsIn(cache)).toEqual(['']);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(cache).mode & 0o777).toBe(0o600);

    // Not rewritten: V8 accepted the cache (a rejected one is rebuilt) and it holds this command.
    const before = version(cache);
    expect((await runCli(['--version'], env)).stdout).toBe(first.stdout);
    expect(version(cache)).toBe(before);

    const card = scratch();
    const home = join(scratch(), 'home');
    const info = await runCli(['--home', home, 'mhl', 'info', card], env);
    expect(info.stdout).toContain(`History at ${card}: 0 generation(s)`);
    expect(commandsIn(cache)).toEqual(['', 'mhl info']);
    expect(statSync(cache).size).toBeGreaterThan(Number(before.split(':')[2]));

    const extended = version(cache);
    expect((await runCli(['--home', home, 'mhl', 'info', card], env)).stdout).toBe(info.stdout);
    expect(version(cache)).toBe(extended);
  });

  it('that V8 rejects, or that is no cache at all, is rebuilt, and the command runs as without one', async () => {
    const folder = scratch();
    const env = { RUSHES_CODE_CACHE: folder };
    const cache = join(folder, cacheName);
    const expected = (await runCli(['--version'], { RUSHES_CODE_CACHE: 'off' })).stdout;

    fakeCache(cache, [''], Buffer.alloc(300_000, 0x5a)); // says it holds the command; V8 disagrees
    expect((await runCli(['--version'], env)).stdout).toBe(expected);
    expect(readFileSync(cache).includes(Buffer.alloc(1000, 0x5a))).toBe(false);
    const rebuilt = version(cache);
    expect((await runCli(['--version'], env)).stdout).toBe(expected);
    expect(version(cache)).toBe(rebuilt);

    writeFileSync(cache, 'not a cache');
    const run = await runCli(['--version'], env);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, expected, '']);
    expect(commandsIn(cache)).toEqual(['']);
  });

  it("is not read when another user owns it or could have written it, and is replaced by the user's own", async () => {
    const folder = scratch();
    const env = { RUSHES_CODE_CACHE: folder };
    const cache = join(folder, cacheName);
    await runCli(['--version'], env);
    const ours = version(cache);
    expect((await runCli(['--version'], env)).code).toBe(0);
    expect(version(cache)).toBe(ours); // read, so left alone

    chmodSync(cache, 0o666);
    expect((await runCli(['--version'], env)).code).toBe(0);
    expect(version(cache)).not.toBe(ours);
    expect(statSync(cache).mode & 0o777).toBe(0o600);

    if (process.getuid?.() === 0) {
      chownSync(cache, 65534, 65534); // nobody's
      const theirs = version(cache);
      expect((await runCli(['--version'], env)).code).toBe(0);
      expect(version(cache)).not.toBe(theirs);
      expect(statSync(cache).uid).toBe(0);
    }
  });

  it('goes to $XDG_CACHE_HOME/rushes by default and nowhere when turned off', async () => {
    const xdg = scratch();
    expect((await runCli(['--version'], { RUSHES_CODE_CACHE: '', XDG_CACHE_HOME: xdg })).code).toBe(0);
    expect(readdirSync(join(xdg, 'rushes'))).toEqual([cacheName]);

    const untouched = scratch();
    expect((await runCli(['--version'], { RUSHES_CODE_CACHE: 'off', XDG_CACHE_HOME: untouched })).code).toBe(0);
    expect(readdirSync(untouched)).toEqual([]);
  });

  it("drops other builds' caches unused for a month when it writes one", async () => {
    const folder = scratch();
    mkdirSync(folder, { recursive: true });
    const old = join(folder, 'cli-0123456789abcdef-nodev20.0.0-x64.bin');
    const recent = join(folder, 'cli-fedcba9876543210-nodev20.0.0-x64.bin');
    const notOurs = join(folder, 'notes.txt');
    for (const f of [old, recent, notOurs]) writeFileSync(f, 'x');
    const daysAgo = (d: number) => new Date(Date.now() - d * 24 * 3600 * 1000);
    utimesSync(old, daysAgo(40), daysAgo(40));
    utimesSync(recent, daysAgo(2), daysAgo(2));
    utimesSync(notOurs, daysAgo(400), daysAgo(400));

    expect((await runCli(['--version'], { RUSHES_CODE_CACHE: folder })).code).toBe(0);
    expect(existsSync(old)).toBe(false);
    expect(readdirSync(folder).sort()).toEqual([cacheName, 'cli-fedcba9876543210-nodev20.0.0-x64.bin', 'notes.txt'].sort());
  });
});
