/**
 * The launcher's code cache (bin/code-cache.cjs): the real command, run as a user runs it,
 * writes V8's bytecode for each command once, runs from it after, and never runs bytecode
 * that another build made, that was altered, or that anyone but the user could have written.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders();
const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = readFileSync(join(root, 'dist', 'cli', 'main.cjs'));
const buildId = /^\/\/ build ([0-9a-f]+)\n/.exec(bundle.toString('latin1', 0, 64))?.[1];
const cacheName = `cli-${buildId}-node${process.version}-${process.arch}.bin`;

/** A cache file's parts: the commands it says it holds the code of, and V8's data. */
function partsOf(file: string): { commands: string[]; data: Buffer } {
  const bytes = readFileSync(file);
  const headerEnd = 4 + bytes.readUInt32LE(0);
  return { commands: JSON.parse(bytes.toString('utf8', 4, headerEnd)).commands, data: bytes.subarray(headerEnd) };
}

/** Which file holds the cache, and what is in it: a rewrite is a new file (written beside, renamed into place). */
function version(file: string): string {
  return `${statSync(file).ino}:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}

/** The command as installed elsewhere (launcher and bundle; `--version` needs no package), to run an edited bundle without touching the tests' own. */
function copyOfCommand(): { bin: string; bundle: string } {
  const dir = scratch();
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
  for (const f of ['rushes.cjs', 'code-cache.cjs']) copyFileSync(join(root, 'bin', f), join(dir, 'bin', f));
  copyFileSync(join(root, 'dist', 'cli', 'main.cjs'), join(dir, 'dist', 'cli', 'main.cjs'));
  return { bin: join(dir, 'bin', 'rushes.cjs'), bundle: join(dir, 'dist', 'cli', 'main.cjs') };
}

/** A cache folder of its own, after one run of `rushes --version` wrote the cache. */
async function cacheOfOneRun(): Promise<{ folder: string; env: Record<string, string>; cache: string }> {
  const folder = scratch();
  const env = { RUSHES_CODE_CACHE: folder };
  await runCli(['--version'], env);
  return { folder, env, cache: join(folder, cacheName) };
}

function run(bin: string, args: string[], env: Record<string, string>, cwd?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the code cache of the rushes command', () => {
  it('the build heads the bundle with a hash of its text, which names the cache, and keeps the bundle strict', () => {
    expect(buildId).toMatch(/^[0-9a-f]{16}$/);
    const text = bundle.subarray(bundle.indexOf(10) + 1);
    expect(createHash('sha256').update(text).digest('hex').slice(0, 16)).toBe(buildId);
    // The first statement is the directive: a banner before it would leave the bundle sloppy.
    expect(text.toString('utf8', 0, 14)).toBe("'use strict';\n");
  });

  it("is written by a command's first run, read and left alone by the next, and extended by a command it lacks", async () => {
    const folder = join(scratch(), 'cache');
    const env = { RUSHES_CODE_CACHE: folder };
    const cache = join(folder, cacheName);

    const first = await runCli(['--version'], env);
    expect(first.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(readdirSync(folder)).toEqual([cacheName]);
    expect(partsOf(cache).commands).toEqual(['']);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(cache).mode & 0o777).toBe(0o600);

    // Not rewritten: V8 accepted the cache (a rejected one is rebuilt) and it holds this command.
    const before = version(cache);
    const size = statSync(cache).size;
    expect((await runCli(['--version'], env)).stdout).toBe(first.stdout);
    expect(version(cache)).toBe(before);

    const card = scratch();
    const home = join(scratch(), 'home');
    const info = await runCli(['--home', home, 'mhl', 'info', card], env);
    expect(info.stdout).toContain(`History at ${card}: 0 generation(s)`);
    expect(partsOf(cache).commands).toEqual(['', 'mhl info']);
    expect(statSync(cache).size).toBeGreaterThan(size);

    const extended = version(cache);
    expect((await runCli(['--home', home, 'mhl', 'info', card], env)).stdout).toBe(info.stdout);
    expect(version(cache)).toBe(extended);
  });

  it('runs a bundle edited since its build from its text, never from the cache of the build', () => {
    const { bin, bundle: copy } = copyOfCommand();
    const folder = scratch();
    const env = { RUSHES_CODE_CACHE: folder };
    const built = run(bin, ['--version'], env).stdout.trim();
    expect(readdirSync(folder)).toEqual([cacheName]);
    const cached = version(join(folder, cacheName));

    // Same length (V8 itself compares no more than that), other text.
    const text = readFileSync(copy, 'latin1');
    const edited = built.replace(/^\d/, (d) => String((Number(d) + 1) % 10));
    expect(text.split(`"${built}"`).length).toBeGreaterThan(1);
    writeFileSync(copy, text.replaceAll(`"${built}"`, `"${edited}"`), 'latin1');
    expect(run(bin, ['--version'], env).stdout.trim()).toBe(edited);
    expect(readdirSync(folder)).toEqual([cacheName]); // and no cache for an unverified bundle
    expect(version(join(folder, cacheName))).toBe(cached);
  });

  it('that was altered, that V8 rejects, or that is no cache at all is rebuilt, and the command runs as without one', async () => {
    const expected = (await runCli(['--version'], { RUSHES_CODE_CACHE: 'off' })).stdout;
    const { env, cache } = await cacheOfOneRun();

    // Bytes flipped inside V8's data, the header left as it was: V8 would take it; its hash does not match.
    const bytes = readFileSync(cache);
    const { data } = partsOf(cache);
    const at = bytes.length - data.length + Math.floor(data.length / 2);
    for (let i = at; i < at + 64; i++) bytes[i] ^= 0x5a;
    writeFileSync(cache, bytes);
    const altered = version(cache);
    expect((await runCli(['--version'], env)).stdout).toBe(expected);
    expect(version(cache)).not.toBe(altered);
    const rebuilt = version(cache);
    expect((await runCli(['--version'], env)).stdout).toBe(expected);
    expect(version(cache)).toBe(rebuilt);

    writeFileSync(cache, 'not a cache');
    const run = await runCli(['--version'], env);
    expect([run.code, run.stdout, run.stderr]).toEqual([0, expected, '']);
    expect(partsOf(cache).commands).toEqual(['']);
  });

  it("is not read from a link or from a file another user could have written, and is replaced by the user's own", async () => {
    const { env, cache } = await cacheOfOneRun();
    const ours = version(cache);

    chmodSync(cache, 0o666);
    expect((await runCli(['--version'], env)).code).toBe(0);
    expect(version(cache)).not.toBe(ours);
    expect(statSync(cache).mode & 0o777).toBe(0o600);

    // A link to a file of the user's (a cache copied elsewhere, or any file) is not followed, nor written through.
    const elsewhere = join(scratch(), 'elsewhere.bin');
    copyFileSync(cache, elsewhere);
    const target = version(elsewhere);
    rmSync(cache);
    symlinkSync(elsewhere, cache);
    expect((await runCli(['--version'], env)).code).toBe(0);
    expect(lstatSync(cache).isSymbolicLink()).toBe(false);
    expect(version(elsewhere)).toBe(target);
  });

  it.skipIf(process.getuid?.() !== 0)('is not read when another user owns the file (as root: chown to nobody)', async () => {
    const { env, cache } = await cacheOfOneRun();
    chownSync(cache, 65534, 65534);
    const theirs = version(cache);
    expect((await runCli(['--version'], env)).code).toBe(0);
    expect(version(cache)).not.toBe(theirs);
    expect(statSync(cache).uid).toBe(0);
  });

  it('is neither read nor written in a folder others can write to', async () => {
    const { folder, env, cache } = await cacheOfOneRun();
    const ours = version(cache);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    utimesSync(cache, longAgo, longAgo); // a cache that is read is marked as used
    chmodSync(folder, 0o777);
    expect((await runCli(['--home', join(scratch(), 'home'), 'mhl', 'info', scratch()], env)).code).toBe(30);
    expect(statSync(cache).mtimeMs).toBe(longAgo.getTime()); // not read
    expect(version(cache)).toBe(ours); // nor extended with `mhl info`: nothing written there
    expect(partsOf(cache).commands).toEqual(['']);
    chmodSync(folder, 0o700);
    await runCli(['--version'], env);
    expect(statSync(cache).mtimeMs).toBeGreaterThan(longAgo.getTime()); // read, once the folder is the user's alone
  });

  it('goes to $XDG_CACHE_HOME/rushes by default, nowhere when turned off or given a relative folder, and a folder it cannot write costs nothing', async () => {
    const xdg = scratch();
    expect((await runCli(['--version'], { RUSHES_CODE_CACHE: '', XDG_CACHE_HOME: xdg })).code).toBe(0);
    expect(readdirSync(join(xdg, 'rushes'))).toEqual([cacheName]);

    const untouched = scratch();
    for (const value of ['off', '0', 'false', 'relative/folder']) {
      const r = run(join(root, 'bin', 'rushes.cjs'), ['--version'], { RUSHES_CODE_CACHE: value, XDG_CACHE_HOME: untouched }, untouched);
      expect([r.code, r.stderr]).toEqual([0, '']);
    }
    expect(readdirSync(untouched)).toEqual([]);

    const homeless = join(scratch(), 'no-home.cjs'); // a user the system knows no home folder for
    writeFileSync(homeless, "require('node:os').homedir = () => { throw new Error('no home'); };");
    const r0 = spawnSync(process.execPath, ['-r', homeless, join(root, 'bin', 'rushes.cjs'), '--version'], { env: { ...process.env, RUSHES_CODE_CACHE: '', XDG_CACHE_HOME: '' }, encoding: 'utf8' });
    expect([r0.status, r0.stdout.trim(), r0.stderr]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+$/), '']);

    const notAFolder = join(scratch(), 'a-file');
    writeFileSync(notAFolder, 'x');
    const r = await runCli(['--version'], { RUSHES_CODE_CACHE: notAFolder });
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('drops caches unused for a month when it writes one, and nothing that is not a cache', async () => {
    const folder = scratch();
    const old = join(folder, 'cli-0123456789abcdef-nodev20.0.0-x64.bin');
    const recent = join(folder, 'cli-fedcba9876543210-nodev20.0.0-x64.bin');
    const notOurs = join(folder, 'cli-notes.txt');
    for (const f of [old, recent, notOurs]) writeFileSync(f, 'x');
    const daysAgo = (d: number) => new Date(Date.now() - d * 24 * 3600 * 1000);
    utimesSync(old, daysAgo(40), daysAgo(40));
    utimesSync(recent, daysAgo(2), daysAgo(2));
    utimesSync(notOurs, daysAgo(400), daysAgo(400));

    expect((await runCli(['--version'], { RUSHES_CODE_CACHE: folder })).code).toBe(0);
    expect(existsSync(old)).toBe(false);
    expect(readdirSync(folder).sort()).toEqual([cacheName, 'cli-fedcba9876543210-nodev20.0.0-x64.bin', 'cli-notes.txt'].sort());
  });
});
