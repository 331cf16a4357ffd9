/**
 * The filesystems of a real set: a camera card and a shuttle drive are exFAT (here through
 * exfat-fuse, as on many Linux carts), the RAID is ext4. An offload from a write-protected
 * exFAT card to both ends complete and verified, and the reference ASC MHL tool accepts what
 * was written on each. Folder fsync must be tolerated where a filesystem refuses it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsyncFolder } from '../core/fs/durable.ts';
import { jsonLines, runCli } from './helpers/cli.ts';
import { listFiles, makeSmallCard, pseudoRandomBytes, sha256, writeFile } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { makeVolume, volumeSupport, type Volume } from './helpers/volumes.ts';
import { referenceToolMissing, runReference } from './helpers/peer.ts';

const scratch = scratchFolders('rushes-exfat-');
const notReady = volumeSupport() ?? referenceToolMissing();
if (notReady && process.env.CI) throw new Error(`CI needs exFAT volumes and the reference ASC MHL tool: ${notReady}`);

describe('folder fsync', () => {
  it('is tolerated where the filesystem refuses it (EINVAL on /proc, as on FUSE and SMB mounts)', async () => {
    await expect(fsyncFolder('/proc')).resolves.toBeUndefined();
    await expect(fsyncFolder(join(scratch(), 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe.skipIf(notReady !== undefined)(`exFAT cards and shuttle drives${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  const volumes: Volume[] = [];
  afterAll(() => volumes.forEach((v) => v.remove()));

  it('offloads a write-protected exFAT card to an exFAT shuttle drive and an ext4 RAID; both verify in Rushes and in the reference tool', async () => {
    const base = scratch();
    const card = makeVolume(base, 'A001', 'exfat', 96);
    const shuttle = makeVolume(base, 'shuttle', 'exfat', 128);
    const raid = makeVolume(base, 'raid', 'ext4', 128);
    volumes.push(card, shuttle, raid);
    const names = makeSmallCard(card.path);
    // Larger than one copy chunk, in a camera's folder layout.
    writeFile(card.path, 'PRIVATE/M4ROOT/CLIP/A001C010_260314SZ.MP4', pseudoRandomBytes(21 * 1024 * 1024 + 3, 5));
    card.remountReadOnly();

    const r = await runCli(['--home', join(base, 'home'), 'offload', card.path, '--to', shuttle.path, '--to', raid.path, '--hash', 'xxh64,md5', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = jsonLines(r.stdout).find((e) => e.type === 'offload.finished')!.summary as { destinations: { destination: string; complete: boolean; checkKinds: string[] }[] };
    for (const d of summary.destinations) {
      expect(d.complete).toBe(true);
      expect(d.checkKinds.every((k) => k.startsWith('full'))).toBe(true);
    }

    for (const dest of [shuttle.path, raid.path]) {
      const roll = join(dest, 'A001');
      for (const n of [...names, 'PRIVATE/M4ROOT/CLIP/A001C010_260314SZ.MP4']) expect(sha256(join(roll, n))).toBe(sha256(join(card.path, n)));
      expect(listFiles(roll).filter((f) => f.includes('rushes-part'))).toEqual([]);
      expect((await runCli(['verify', roll])).code).toBe(0);
      const ref = await runReference('ascmhl-debug', ['verify', roll]);
      expect(ref.code, ref.stdout + ref.stderr).toBe(0);
      // Its folder-hash check prints ERROR but still exits 0 on a mismatch (peers/ascmhl/README).
      const withDirs = await runReference('ascmhl-debug', ['verify', '-dh', roll]);
      expect(withDirs.code, withDirs.stdout + withDirs.stderr).toBe(0);
      expect(withDirs.stdout + withDirs.stderr).not.toMatch(/ERROR/);
      expect((await runReference('ascmhl', ['info', roll])).code).toBe(0);
    }
    // The card was only read: the write-protected mount would have refused any write.
    expect(spawnSync('findmnt', ['-no', 'OPTIONS', card.path], { encoding: 'utf8' }).stdout).toMatch(/(^|,)ro(,|$)/);
  });
});
