/**
 * `rushes mhl create|info|diff` and `rushes verify` as a user runs them: output, JSON and
 * the reference tool's exit codes.
 */
import { appendFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSmallCard, writeFile } from './helpers/card.ts';
import { RUSHES_BIN, runCli, runProcess } from './helpers/cli.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { EventBus } from '../core/events/bus.ts';
import { openStore } from '../core/store/db.ts';

const scratch = scratchFolders();

describe('rushes mhl and verify', () => {
  it('create seals a folder, info lists it, diff and verify see changes with stable exit codes', async () => {
    const dir = join(scratch(), 'A001');
    makeSmallCard(dir);

    const none = await runCli(['verify', dir]);
    expect(none.code).toBe(30);

    const created = await runCli(['mhl', 'create', dir, '--hash', 'xxh64,md5', '--author', 'Dana DIT', '--location', 'Stage 4']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created new generation .*ascmhl\/0001_A001_.*Z\.mhl/);

    const info = await runCli(['mhl', 'info', dir, '--json']);
    expect(info.code).toBe(0);
    expect(JSON.stringify(JSON.parse(info.stdout))).toContain('in-place');

    expect((await runCli(['mhl', 'diff', dir])).code).toBe(0);
    expect((await runCli(['verify', dir])).code).toBe(0);

    writeFile(dir, 'Clip/NEW.mov', 'new');
    const diffNew = await runCli(['mhl', 'diff', dir]);
    expect(diffNew.code).toBe(21);
    expect(diffNew.stdout).toContain('Clip/NEW.mov');
    rmSync(join(dir, 'Clip', 'NEW.mov'));

    appendFileSync(join(dir, 'Sidecars', 'A001C001.xml'), 'x');
    const altered = await runCli(['verify', dir, '--json']);
    expect(altered.code).toBe(11);
    expect(JSON.parse(altered.stdout).altered[0].path).toBe('Sidecars/A001C001.xml');

    renameSync(join(dir, 'Sidecars', 'A001C001.xml'), join(scratch(), 'gone.xml'));
    const missing = await runCli(['verify', dir]);
    expect(missing.code).toBe(10);
    expect(missing.stdout).toContain('Sidecars/A001C001.xml');
  });

  it('records what it wrote and verified in the store\'s event log, as through the engine', async () => {
    const dir = join(scratch(), 'E001');
    const home = join(scratch(), 'home');
    makeSmallCard(dir);
    expect((await runCli(['--home', home, 'mhl', 'create', dir])).code).toBe(0);
    expect((await runCli(['--home', home, 'verify', dir])).code).toBe(0);
    const db = openStore(home);
    try {
      const events = new EventBus(db).replay({ topics: ['mhl'] });
      expect(events.map((e) => [e.type, (e as { root?: string }).root])).toEqual([
        ['mhl.generation-written', dir],
        ['mhl.verified', dir],
      ]);
      expect(events[0]).toMatchObject({ data: { exitCode: 0, generation: 1 } });
    } finally {
      db.close();
    }
  });

  it('names a manifest that was altered or removed, and a missing chain', async () => {
    const dir = join(scratch(), 'B001');
    makeSmallCard(dir);
    expect((await runCli(['mhl', 'create', dir])).code).toBe(0);
    const history = join(dir, 'ascmhl');
    const manifest = readdirSync(history).find((f) => f.endsWith('.mhl'))!;

    appendFileSync(join(history, manifest), '\n<!-- edited -->\n');
    const altered = await runCli(['verify', dir]);
    expect(altered.code).toBe(31);
    expect(altered.stdout + altered.stderr).toContain(manifest);

    const aside = join(scratch(), manifest);
    renameSync(join(history, manifest), aside);
    const gone = await runCli(['verify', dir]);
    expect(gone.code).toBe(33);
    expect(gone.stdout + gone.stderr).toContain(manifest);

    renameSync(aside, join(history, manifest));
    rmSync(join(history, 'ascmhl_chain.xml'));
    const noChain = await runCli(['verify', dir]);
    expect(noChain.code).toBe(32);
  });
});

describe("the command's libuv thread pool (bin/rushes.cjs)", () => {
  it('is 2 × cores threads, 4 to 16, for the MHL commands, whose reads are short, and 16 for every other (an offload keeps up to 12 fsyncs in flight)', async () => {
    const dir = scratch();
    const hook = join(dir, 'report-threads.cjs');
    writeFileSync(hook, 'process.on("exit", () => process.stderr.write(`threads=${process.env.UV_THREADPOOL_SIZE}\\n`));');
    const threadsOf = async (args: string[]) => (await runProcess(process.execPath, ['-r', hook, RUSHES_BIN, ...args], { UV_THREADPOOL_SIZE: '' })).stderr.match(/threads=(\d+)/)?.[1];
    const mhl = String(Math.min(16, Math.max(4, 2 * availableParallelism())));
    expect(await threadsOf(['verify', dir])).toBe(mhl);
    expect(await threadsOf(['--home', join(dir, 'home'), 'mhl', 'info', dir])).toBe(mhl);
    expect(await threadsOf(['--version'])).toBe('16');
    expect(await threadsOf(['--home', join(dir, 'home'), 'jobs'])).toBe('16');
    // Set by whoever runs it, it is left as it is.
    expect((await runProcess(process.execPath, ['-r', hook, RUSHES_BIN, 'verify', dir], { UV_THREADPOOL_SIZE: '7' })).stderr).toContain('threads=7');
  });
});
