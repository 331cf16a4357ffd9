/**
 * Real failures during an offload: a destination that fills up, a read-only destination,
 * a card pulled mid-copy, a file that changes while it is copied, a byte flipped on a
 * destination, and kill -9 in the middle — each named clearly, nothing unverified ever
 * recorded as verified, and a second run that finishes the job.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OffloadEvent } from '../core/offload/events.ts';
import { offload } from '../core/offload/run.ts';
import { openStore } from '../core/store/db.ts';
import { OffloadStore } from '../core/offload/store.ts';
import { listFiles, pseudoRandomBytes, removeTree, sha256, tempDir, writeFile } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { jsonLines, runCli, startCli } from './helpers/cli.ts';
import { tmpfsMounter } from './helpers/volumes.ts';

const isRoot = process.getuid?.() === 0;
const scratch = scratchFolders();
const mountTmpfs = tmpfsMounter();

function manifestsOf(dest: string): string[] {
  return existsSync(join(dest, 'ascmhl')) ? readdirSync(join(dest, 'ascmhl')).filter((f) => f.endsWith('.mhl')) : [];
}

describe.skipIf(!isRoot)('destinations that fail (needs root to mount tmpfs)', () => {
  it('a destination that fills up fails alone; the other destination completes and is verified', async () => {
    const base = scratch();
    const card = join(base, 'A010');
    for (let i = 1; i <= 6; i++) writeFile(card, `A010C00${i}.mxf`, pseudoRandomBytes(1_000_000, i));
    mountTmpfs(join(base, 'small'), 'size=2500k');
    const db = openStore(join(base, 'home'));
    const events: OffloadEvent[] = [];
    const summary = await offload({ source: card, destinations: [join(base, 'small'), join(base, 'big')], db, onEvent: (e) => events.push(e), concurrency: 1 });

    expect(summary.status).toBe('incomplete');
    const [small, big] = summary.destinations;
    expect(small.complete).toBe(false);
    expect(small.error?.code).toBe('DEST_FULL');
    expect(small.error?.message).toContain(join(base, 'small'));
    expect(big.complete).toBe(true);
    expect(big.verifiedFiles).toBe(6);
    // Nothing unverified is recorded as verified, in the store or an MHL.
    const store = new OffloadStore(db);
    const recs = [...store.destinationFiles(summary.offloadId, join(base, 'small', 'A010')).values()];
    for (const r of recs.filter((r) => r.status === 'verified')) {
      expect(sha256(join(base, 'small', 'A010', r.path))).toBe(sha256(join(card, r.path)));
    }
    expect(manifestsOf(join(base, 'small', 'A010'))).toHaveLength(0);
    db.close();
  });

  it('a read-only destination is reported by name and the others carry on', async () => {
    const base = scratch();
    const card = join(base, 'B011');
    writeFile(card, 'B011C001.mov', pseudoRandomBytes(200_000, 1));
    mountTmpfs(join(base, 'ro'), 'ro,size=1m');
    const r = await runCli(['offload', card, '--to', join(base, 'ro'), '--to', join(base, 'ok')], { RUSHES_HOME: join(base, 'home') });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/DEST_READONLY/);
    expect(r.stdout).toContain(join(base, 'ro'));
    expect(r.stdout).toMatch(/✔ .*ok\/B011: complete verified copy/);
  });
});

describe('sources that fail', () => {
  it('a card pulled mid-copy: files already verified stay verified, the rest are named, a rerun with the card back finishes', async () => {
    const base = scratch();
    const card = join(base, 'C012');
    for (let i = 0; i < 20; i++) writeFile(card, `C012C${String(i).padStart(3, '0')}.mxf`, pseudoRandomBytes(300_000, i + 1));
    const backup = join(base, 'backup');
    execFileSync('cp', ['-a', card, backup]);
    const db = openStore(join(base, 'home'));
    let pulled = false;
    const summary = await offload({
      source: card,
      destinations: [join(base, 'dst')],
      db,
      concurrency: 1,
      onEvent: (e) => {
        if (e.type === 'file.completed' && !pulled) {
          pulled = true;
          rmSync(card, { recursive: true, force: true }); // the card is gone
        }
      },
    });
    expect(summary.status).toBe('incomplete');
    const dest = join(base, 'dst', 'C012');
    expect(summary.destinations[0].verifiedFiles).toBeGreaterThanOrEqual(1);
    expect(summary.destinations[0].verifiedFiles).toBeLessThan(20);
    expect(summary.failures.length).toBeGreaterThan(0);
    for (const f of summary.failures) {
      expect(f.code).toMatch(/SOURCE_CHANGED|SOURCE_UNREADABLE/);
      expect(f.message).toContain(card);
    }
    // Only verified files carry final names; the MHL lists exactly those.
    const finals = listFiles(dest).filter((f) => !f.startsWith('ascmhl/') && !f.endsWith('.rushes-part'));
    expect(finals).toHaveLength(summary.destinations[0].verifiedFiles);
    for (const f of finals) expect(sha256(join(dest, f))).toBe(sha256(join(backup, f)));

    // The card comes back: the same command finishes the job without copying verified files again.
    execFileSync('cp', ['-a', backup, card]);
    const again = await offload({ source: card, destinations: [join(base, 'dst')], db });
    db.close();
    expect(again.status).toBe('completed');
    expect(again.resumedFiles).toBe(finals.length);
    expect(listFiles(dest).filter((f) => !f.startsWith('ascmhl/'))).toEqual(listFiles(card));
  });

  it('a file that changes while it is copied is never recorded as verified', async () => {
    const base = scratch();
    const card = join(base, 'D013');
    writeFile(card, 'D013C001.mov', pseudoRandomBytes(2_000_000, 1));
    writeFile(card, 'D013C002.mov', pseudoRandomBytes(2_000_000, 2));
    const db = openStore(join(base, 'home'));
    const summary = await offload({
      source: card,
      destinations: [join(base, 'dst')],
      db,
      concurrency: 1,
      onEvent: (e) => {
        // The camera (or a user) appends to the second clip after the card was listed.
        if (e.type === 'offload.started') appendFileSync(join(card, 'D013C002.mov'), 'more');
      },
    });
    db.close();
    expect(summary.status).toBe('incomplete');
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0].code).toBe('SOURCE_CHANGED');
    expect(summary.failures[0].message).toContain(join(card, 'D013C002.mov'));
    expect(existsSync(join(base, 'dst', 'D013', 'D013C001.mov'))).toBe(true);
    expect(existsSync(join(base, 'dst', 'D013', 'D013C002.mov'))).toBe(false);
    const mhl = manifestsOf(join(base, 'dst', 'D013'));
    expect(mhl).toHaveLength(1);
    const xml = readFileSync(join(base, 'dst', 'D013', 'ascmhl', mhl[0]), 'utf8');
    expect(xml).toContain('D013C001.mov');
    expect(xml).not.toContain('D013C002.mov');
  });
});

describe('kill -9 in the middle of an offload', () => {
  it('resumes: verified files are not copied again, partial files are replaced, and the history is what one run writes', async () => {
    const base = scratch();
    const card = join(base, 'E014');
    for (let i = 0; i < 12; i++) writeFile(card, `E014C${String(i).padStart(3, '0')}.mxf`, pseudoRandomBytes(40_000_000, i + 1));
    for (let i = 0; i < 200; i++) writeFile(card, `Sidecars/E014_${i}.xml`, pseudoRandomBytes(2_000, i + 100));
    const home = join(base, 'home');
    const args = ['offload', card, '--to', join(base, 'r1'), '--to', join(base, 'r2'), '--json', '--concurrency', '1'];

    const child = startCli(args, { RUSHES_HOME: home });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if ((out.match(/"file.completed"/g) ?? []).length >= 3 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('close', () => resolve());
    });
    await new Promise((r) => child.once('close', r).once('exit', r));
    expect(out).not.toContain('offload.finished');

    for (const r of ['r1', 'r2']) expect(manifestsOf(join(base, r, 'E014'))).toHaveLength(0);
    // What the killed run finished, by inode: a file copied again would be a new inode.
    const finished = new Map<string, number>();
    for (const r of ['r1', 'r2']) {
      for (const f of listFiles(join(base, r, 'E014'))) {
        if (!f.endsWith('.rushes-part')) finished.set(join(base, r, 'E014', f), statSync(join(base, r, 'E014', f)).ino);
      }
    }
    expect(finished.size).toBeGreaterThanOrEqual(2 * 3);

    const again = await runCli(args, { RUSHES_HOME: home });
    expect(again.code).toBe(0);
    const events = jsonLines(again.stdout);
    const started = events.find((e) => e.type === 'offload.started') as unknown as { resumedFiles: number };
    // Files the store knows as verified are skipped outright; any whose record the kill cut
    // off (records are written in batches) are read back and compared, but not copied again.
    const completedAgain = events.filter((e) => e.type === 'file.completed').length;
    expect(completedAgain).toBe(212 - started.resumedFiles);
    for (const [path, ino] of finished) expect(statSync(path).ino, path).toBe(ino);

    for (const r of ['r1', 'r2']) {
      const dest = join(base, r, 'E014');
      expect(listFiles(dest).filter((f) => !f.startsWith('ascmhl/'))).toEqual(listFiles(card));
      for (const f of listFiles(card)) expect(sha256(join(dest, f))).toBe(sha256(join(card, f)));
      const manifests = manifestsOf(dest);
      expect(manifests).toHaveLength(1);
      const xml = readFileSync(join(dest, 'ascmhl', manifests[0]), 'utf8');
      expect((xml.match(/<hash>/g) ?? []).length).toBe(212);
      const verify = await runCli(['verify', dest]);
      expect(verify.code).toBe(0);
    }
  }, 300_000);
});

describe('a destination byte flipped after the offload', () => {
  it('rushes verify names the file and exits 11', async () => {
    const base = scratch();
    const card = join(base, 'F015');
    writeFile(card, 'F015C001.mov', pseudoRandomBytes(1_000_000, 1));
    writeFile(card, 'F015C002.mov', pseudoRandomBytes(1_000_000, 2));
    const r = await runCli(['offload', card, '--to', join(base, 'dst')], { RUSHES_HOME: join(base, 'home') });
    expect(r.code).toBe(0);
    const victim = join(base, 'dst', 'F015', 'F015C002.mov');
    const bytes = readFileSync(victim);
    bytes[500_000] ^= 0x01;
    execFileSync('dd', ['of=' + victim, 'bs=1', 'seek=500000', 'count=1', 'conv=notrunc,fsync', 'status=none'], { input: bytes.subarray(500_000, 500_001) });
    const v = await runCli(['verify', join(base, 'dst', 'F015')]);
    expect(v.code).toBe(11);
    expect(v.stdout + v.stderr).toContain('F015C002.mov');
  });
});

describe('a source that changes after it was listed', () => {
  it('names a file that appeared and one touched after its copy, never completes, and a second run copies the new file', async () => {
    const base = scratch();
    const card = join(base, 'G016');
    writeFile(card, 'G016C001.mov', pseudoRandomBytes(1_000_000, 1));
    writeFile(card, 'G016C002.mov', pseudoRandomBytes(1_000_000, 2));
    const dst = join(base, 'dst');
    const home = join(base, 'home');
    const db = openStore(home);
    const first = await offload({
      source: card,
      destinations: [dst],
      db,
      concurrency: 1,
      onEvent: (e) => {
        // A copy into the card's folder still running: a clip lands after the listing,
        // and an already copied clip is touched again.
        if (e.type === 'offload.started') {
          writeFile(card, 'G016C003.mov', pseudoRandomBytes(1_000_000, 3));
          symlinkSync(join(base, 'nowhere.mov'), join(card, 'G016C005.mov'));
        }
        if (e.type === 'file.completed' && e.path === 'G016C001.mov') utimesSync(join(card, 'G016C001.mov'), new Date(), new Date('2026-01-01T00:00:00Z'));
      },
    });
    db.close();
    expect(first.status).toBe('incomplete');
    expect(first.failures.map((f) => [f.code, f.path]).sort()).toEqual([
      ['SOURCE_CHANGED', join(card, 'G016C001.mov')],
      ['SOURCE_CHANGED', join(card, 'G016C003.mov')],
      ['SOURCE_UNREADABLE', join(card, 'G016C005.mov')],
    ]);
    expect(first.failures.find((f) => f.path.endsWith('C003.mov'))!.message).toMatch(/appeared after the source was listed and was not copied/);
    expect(first.failures.find((f) => f.path.endsWith('C001.mov'))!.message).toMatch(/changed after it was listed \(modification time moved\)/);
    expect(existsSync(join(dst, 'G016', 'G016C003.mov'))).toBe(false);

    // Once the folder stops changing, a second run resumes and takes the new clip in.
    rmSync(join(card, 'G016C005.mov'));
    utimesSync(join(card, 'G016C001.mov'), new Date(), statSync(join(dst, 'G016', 'G016C001.mov')).mtime);
    const again = await runCli(['offload', card, '--to', dst, '--json'], { RUSHES_HOME: home });
    expect(again.code, again.stderr).toBe(0);
    expect(sha256(join(dst, 'G016', 'G016C003.mov'))).toBe(sha256(join(card, 'G016C003.mov')));
    const verify = await runCli(['verify', join(dst, 'G016')]);
    expect(verify.code, verify.stderr).toBe(0);
  });
});
