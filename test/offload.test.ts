/**
 * Offload end to end with real files, a real SQLite store and the real CLI: tree, names,
 * sizes and times preserved; temporary names; hashes; verification from the device;
 * MHL written; progress events.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, mkdirSync, openSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offload } from '../core/offload/run.ts';
import { openStore } from '../core/store/db.ts';
import { OffloadStore } from '../core/offload/store.ts';
import { listFiles, makeSmallCard, mtimeMs, pseudoRandomBytes, readBytesFromStorage, removeTree, sha256, tempDir, writeFile, xxhsum } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { jsonLines, runCli, RUSHES_BIN } from './helpers/cli.ts';

const scratch = scratchFolders();

function withoutHistory(files: string[]): string[] {
  return files.filter((f) => !f.startsWith('ascmhl/'));
}

describe('rushes offload', () => {
  it('copies a card to two destinations, preserving tree, names, sizes and times, and writes an ASC MHL history', async () => {
    const base = scratch();
    const card = join(base, 'A001');
    makeSmallCard(card);
    const deep = Array.from({ length: 40 }, (_, i) => `d${i}`).join('/');
    writeFile(card, `${deep}/deep.bin`, pseudoRandomBytes(1000, 3));
    const home = join(base, 'home');

    const r = await runCli(['offload', card, '--to', join(base, 'raid1'), '--to', join(base, 'raid2'), '--json'], { RUSHES_HOME: home });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const source = listFiles(card);
    for (const raid of ['raid1', 'raid2']) {
      const dest = join(base, raid, 'A001');
      const copied = listFiles(dest);
      expect(withoutHistory(copied)).toEqual(source);
      for (const rel of source) {
        expect(sha256(join(dest, rel))).toBe(sha256(join(card, rel)));
        expect(statSync(join(dest, rel)).size).toBe(statSync(join(card, rel)).size);
        expect(Math.abs(mtimeMs(join(dest, rel)) - mtimeMs(join(card, rel)))).toBeLessThan(1);
      }
      expect(existsSync(join(dest, 'Empty Folder'))).toBe(true);
      expect(copied.some((f) => f.endsWith('.rushes-part'))).toBe(false);
      const history = readdirSync(join(dest, 'ascmhl'));
      expect(history).toContain('ascmhl_chain.xml');
      expect(history.filter((f) => /^0001_A001_\d{4}-\d{2}-\d{2}_\d{6}Z\.mhl$/.test(f))).toHaveLength(1);
    }

    const events = jsonLines(r.stdout);
    expect(events[0].type).toBe('offload.started');
    expect(events.some((e) => e.type === 'offload.progress')).toBe(true);
    expect(events.filter((e) => e.type === 'mhl.written')).toHaveLength(2);
    const finished = events.at(-1)!;
    expect(finished.type).toBe('offload.finished');
    const summary = finished.summary as { status: string; destinations: { complete: boolean; checkKinds: string[] }[] };
    expect(summary.status).toBe('completed');
    expect(summary.destinations.every((d) => d.complete && d.checkKinds.join() === 'full-direct')).toBe(true);

    // Every result is in the store.
    const db = openStore(home);
    const store = new OffloadStore(db);
    const [rec] = store.list();
    expect(rec.status).toBe('completed');
    const destRecords = store.destinationFiles(rec.id, join(base, 'raid1', 'A001'));
    expect([...destRecords.values()].every((d) => d.status === 'verified' && d.checkKind === 'full-direct' && d.manifest)).toBe(true);
    expect(destRecords.size).toBe(source.length);
    db.close();
  });

  it('hashes several formats in one read, matching the reference tools', async () => {
    const base = scratch();
    const card = join(base, 'B002');
    writeFile(card, 'B002C001.mov', pseudoRandomBytes(9_000_000, 11));
    const r = await runCli(['offload', card, '--to', join(base, 'dst'), '--hash', 'xxh64,xxh128,xxh3,md5,sha1,c4', '--json'], { RUSHES_HOME: join(base, 'home') });
    expect(r.code).toBe(0);
    const dst = join(base, 'dst', 'B002');
    const manifestName = readdirSync(join(dst, 'ascmhl')).find((f) => f.endsWith('.mhl'))!;
    const xml = readFileSync(join(dst, 'ascmhl', manifestName), 'utf8');
    const file = join(card, 'B002C001.mov');
    expect(xml).toContain(xxhsum(file, '1'));
    expect(xml).toContain(xxhsum(file, '2'));
    expect(xml).toContain(xxhsum(file, '3'));
    expect(xml).toContain(execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0]);
    expect(xml).toContain(execFileSync('sha1sum', [file], { encoding: 'utf8' }).split(' ')[0]);
    expect(xml).toMatch(/<c4 [^>]*>c4[1-9A-HJ-NP-Za-km-z]{88}<\/c4>/);
  });

  it('full verify reads every destination byte back from the device, not the page cache', async () => {
    const base = scratch();
    const card = join(base, 'C003');
    const size = 24 * 1024 * 1024;
    writeFile(card, 'C003C001.mxf', pseudoRandomBytes(size, 5));
    writeFile(card, 'C003C002.mxf', pseudoRandomBytes(size, 6));
    readFileSync(join(card, 'C003C001.mxf')); // warm the cache: the source read may cost nothing
    readFileSync(join(card, 'C003C002.mxf'));
    const db = openStore(join(base, 'home'));
    const before = readBytesFromStorage();
    const summary = await offload({ source: card, destinations: [join(base, 'd1'), join(base, 'd2')], db });
    const fetched = readBytesFromStorage() - before;
    db.close();
    expect(summary.status).toBe('completed');
    // The copies were just written and fsynced, so they sit in the page cache; only reads
    // that bypass it show up here: both destinations, every byte.
    expect(fetched).toBeGreaterThanOrEqual(2 * 2 * size);
  });

  it('--source-verify re-reads the source from the device as well', async () => {
    const base = scratch();
    const card = join(base, 'C004');
    const size = 16 * 1024 * 1024;
    writeFile(card, 'clip.mxf', pseudoRandomBytes(size, 9));
    readFileSync(join(card, 'clip.mxf'));
    const db = openStore(join(base, 'home'));
    const before = readBytesFromStorage();
    const summary = await offload({ source: card, destinations: [join(base, 'd1')], db, sourceVerify: true });
    const fetched = readBytesFromStorage() - before;
    db.close();
    expect(summary.status).toBe('completed');
    expect(fetched).toBeGreaterThanOrEqual(2 * size);
  });

  it('size and none verify modes say what they checked', async () => {
    const base = scratch();
    const card = join(base, 'D004');
    makeSmallCard(card);
    const db = openStore(join(base, 'home'));
    const bySize = await offload({ source: card, destinations: [join(base, 's')], db, verify: 'size' });
    const unchecked = await offload({ source: card, destinations: [join(base, 'n')], db, verify: 'none' });
    db.close();
    expect(bySize.destinations[0].checkKinds).toEqual(['size']);
    expect(unchecked.destinations[0].checkKinds).toEqual(['none']);
    const mhl = readdirSync(join(base, 'n', 'D004', 'ascmhl')).find((f) => f.endsWith('.mhl'))!;
    expect(readFileSync(join(base, 'n', 'D004', 'ascmhl', mhl), 'utf8')).toContain('not read back');
  });

  it('copies 10,000 small files (an image sequence)', async () => {
    const base = scratch();
    const card = join(base, 'SEQ01');
    for (let i = 0; i < 10_000; i++) writeFile(card, `EXR/shot_${String(i).padStart(6, '0')}.exr`, pseudoRandomBytes(512 + (i % 7) * 100, i + 1));
    const db = openStore(join(base, 'home'));
    const summary = await offload({ source: card, destinations: [join(base, 'd1'), join(base, 'd2')], db, concurrency: 16 });
    db.close();
    expect(summary.status).toBe('completed');
    expect(summary.files).toBe(10_000);
    expect(withoutHistory(listFiles(join(base, 'd2', 'SEQ01')))).toHaveLength(10_000);
  });

  it('copies a file over 4 GiB', async () => {
    const base = scratch();
    const card = join(base, 'BIG');
    mkdirSync(card);
    const path = join(card, 'BIG_C001.ari');
    const size = 4 * 1024 ** 3 + 12_345;
    // Sparse, with real data around the 4 GiB boundary and at both ends, so a 32-bit
    // offset anywhere would change the digest.
    const fd = openSync(path, 'w');
    ftruncateSync(fd, size);
    for (const at of [0, 2 ** 32 - 4096, 2 ** 32 + 1, size - 5000]) writeSync(fd, pseudoRandomBytes(4096, at % 9973), 0, 4096, at);
    closeSync(fd);
    const db = openStore(join(base, 'home'));
    const summary = await offload({ source: card, destinations: [join(base, 'd1')], db });
    db.close();
    expect(summary.status).toBe('completed');
    const copy = join(base, 'd1', 'BIG', 'BIG_C001.ari');
    expect(statSync(copy).size).toBe(size);
    expect(xxhsum(copy)).toBe(xxhsum(path));
  }, 600_000);

  it('draws a live bar per destination on a terminal, then a summary', async () => {
    const base = scratch();
    const card = join(base, 'T001');
    for (let i = 0; i < 8; i++) writeFile(card, `T001C00${i}.mov`, pseudoRandomBytes(20_000_000, i + 1));
    const cmd = [process.execPath, RUSHES_BIN, 'offload', card, '--to', join(base, 'd1'), '--to', join(base, 'd2'), '--concurrency', '1'];
    // `script` runs the command on a real pseudo-terminal, as a DIT's shell would.
    const out = execFileSync('script', ['-qfec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, RUSHES_HOME: join(base, 'home'), COLUMNS: '200' },
    });
    const bars = out.split(/\r?\n/).filter((l) => /[█░]{24} +\d+%/.test(l));
    expect(bars.some((l) => l.includes(join(base, 'd1')))).toBe(true);
    expect(bars.some((l) => l.includes(join(base, 'd2')))).toBe(true);
    expect(bars.some((l) => /\d+\/8 files .*\/s +ETA \d+:\d\d/.test(l))).toBe(true);
    expect(out).toContain('✔ Offload complete: 8 files');
  });

  it('refuses a destination inside the source', async () => {
    const base = scratch();
    const card = join(base, 'E005');
    makeSmallCard(card);
    const r = await runCli(['offload', card, '--to', join(card, 'Clip')], { RUSHES_HOME: join(base, 'home') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DEST_INSIDE_SOURCE');
    expect(r.stderr).toContain(card);
  });

  it('reports a symlink loop and a name that is not UTF-8, and still copies everything else', async () => {
    const base = scratch();
    const card = join(base, 'F006');
    makeSmallCard(card);
    symlinkSync('..', join(card, 'Clip', 'loop'));
    writeFileSync(Buffer.concat([Buffer.from(join(card, 'bad_')), Buffer.from([0xff, 0xfe]), Buffer.from('.mov')]), 'x');
    const r = await runCli(['offload', card, '--to', join(base, 'dst')], { RUSHES_HOME: join(base, 'home') });
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain('SYMLINK_LOOP');
    expect(r.stdout + r.stderr).toContain(join(card, 'Clip', 'loop'));
    expect(r.stdout + r.stderr).toContain('BAD_FILENAME');
    expect(r.stdout).toContain('NOT complete');
    expect(existsSync(join(base, 'dst', 'F006', 'Clip', '日本語_テイク.mov'))).toBe(true);
  });

  it('rejects unknown hash formats and verify modes with a usage error', async () => {
    const base = scratch();
    const r1 = await runCli(['offload', base, '--to', join(base, 'x'), '--hash', 'crc32'], { RUSHES_HOME: join(base, 'home') });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('unknown hash format "crc32"');
    const r2 = await runCli(['offload', base, '--to', join(base, 'x'), '--verify', 'maybe'], { RUSHES_HOME: join(base, 'home') });
    expect(r2.code).toBe(2);
    const r3 = await runCli(['offload', join(base, 'nope'), '--to', join(base, 'x')], { RUSHES_HOME: join(base, 'home') });
    expect(r3.code).toBe(4);
    expect(r3.stderr).toContain(join(base, 'nope'));
  });
});
