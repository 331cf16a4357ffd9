/**
 * Card identification and fingerprints on generated camera cards (real ffmpeg clips where
 * ffmpeg writes the format, the right names and sidecars everywhere).
 */
import { chmodSync, rmSync, statSync, utimesSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyPool } from '../core/runtime/pool.ts';
import { fingerprintCard } from '../core/watch/fingerprint.ts';
import { identifyCard, sanitizeRoll } from '../core/watch/identify.ts';
import { scanCard } from '../core/watch/scan.ts';
import type { CameraFamily } from '../core/watch/types.ts';
import { CAMERA_CARDS, copyCard, makeArriCard, makeSonyXavcCard } from './helpers/cameras.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-identify-');
afterAll(() => destroyPool());

const EXPECTED: Record<CameraFamily, { roll: string; clips: number; evidence: RegExp }> = {
  arri: { roll: 'B007', clips: 3, evidence: /ARRIRAW|named like B007C001_261120_R1AB\.mxf/ },
  red: { roll: 'B007', clips: 2, evidence: /2 \.R3D clips in B007_1120AB\.RDM/ },
  sony: { roll: 'B007', clips: 2, evidence: /2 clips in XDROOT\/Clip with 2 M01\.XML sidecars/ },
  canon: { roll: 'B007', clips: 2, evidence: /2 \.CRM clips/ },
  blackmagic: { roll: 'B007', clips: 2, evidence: /2 \.braw clips/ },
  'dpx-sequence': { roll: 'CARD', clips: 2, evidence: /2 DPX sequences, 6 frames/ },
  'exr-sequence': { roll: 'CARD', clips: 2, evidence: /2 EXR sequences, 6 frames/ },
  generic: { roll: 'CARD', clips: 0, evidence: /no camera structure found/ },
};

describe('identifyCard', () => {
  for (const [family, make] of Object.entries(CAMERA_CARDS) as [CameraFamily, (typeof CAMERA_CARDS)[CameraFamily]][]) {
    it(`recognises a ${family} card and its roll`, async () => {
      const root = join(scratch(), 'CARD');
      make(root, { roll: 'B007' });
      const id = identifyCard(await scanCard(root));
      expect(id).toMatchObject({ camera: family, roll: EXPECTED[family].roll, clipCount: EXPECTED[family].clips });
      expect(id.evidence).toMatch(EXPECTED[family].evidence);
    });
  }

  it('takes the roll from the volume label, then the folder name, when clip names carry none', async () => {
    const root = join(scratch(), 'PLATES_DAY3');
    CAMERA_CARDS['dpx-sequence'](root);
    const snapshot = await scanCard(root);
    expect(identifyCard(snapshot, { volumeLabel: 'VFX_001' })).toMatchObject({ roll: 'VFX_001', volumeLabel: 'VFX_001' });
    expect(identifyCard(snapshot).roll).toBe('PLATES_DAY3');
    expect(identifyCard(snapshot, { folderName: 'from/elsewhere\u0007' }).roll).toBe('from_elsewhere_');
  });

  it('reads an FX6 card and modern camera indexes: two characters and a four-digit roll (ALEXA 35, Canon C80)', async () => {
    const fx6 = join(scratch(), 'UNTITLED');
    makeSonyXavcCard(fx6);
    expect(identifyCard(await scanCard(fx6), { volumeLabel: 'FX6_B' })).toMatchObject({ camera: 'sony', roll: 'FX6_B', clipCount: 2, evidence: '2 clips in M4ROOT/CLIP with 2 M01.XML sidecars' });
    const listed = (...paths: string[]) => ({ root: '/media/CARD', files: paths.map((path) => ({ path, size: 1, mtimeMs: 0 })), bytes: paths.length });
    expect(identifyCard(listed('A00020V30/A_0003C035_250922_110738_a0V3O.mxf', 'A00020V30/A_0003C036_250922_111502_a0V3O.mxf'))).toMatchObject({ camera: 'arri', roll: 'A_0003', clipCount: 2 });
    expect(identifyCard(listed('CONTENTS/CLIPS001/A_0002C015X250315_235831EJ_CANON.CRM'))).toMatchObject({ camera: 'canon', roll: 'A_0002' });
  });

  it('makes any name a safe folder name', () => {
    expect(sanitizeRoll('../..')).toBe('.._..');
    expect(sanitizeRoll('..')).toBe('card');
    expect(sanitizeRoll('  ')).toBe('card');
    expect(sanitizeRoll('A001\nB')).toBe('A001_B');
  });

  it('prefers the camera structure over clip names that look like another camera', async () => {
    // Sony and Canon clips are named like ARRI's; their folders decide.
    const sony = join(scratch(), 'S');
    CAMERA_CARDS.sony(sony);
    expect(identifyCard(await scanCard(sony)).camera).toBe('sony');
  });
});

describe('fingerprintCard', () => {
  it('is the same for the same card inserted again elsewhere, and changes with any name, size, mtime or sampled byte', async () => {
    const base = scratch();
    const a = join(base, 'a', 'A001R1AB');
    makeArriCard(a, { seed: 3 });
    const b = join(base, 'b', 'A001R1AB');
    copyCard(a, b);
    const fa = await fingerprintCard(await scanCard(a));
    expect(fa).toMatch(/^xxh128:[0-9a-f]{32}$/);
    expect(await fingerprintCard(await scanCard(b))).toBe(fa);

    // Another seed: other content under the same names.
    const c = join(base, 'c', 'A001R1AB');
    makeArriCard(c, { seed: 4 });
    expect(await fingerprintCard(await scanCard(c))).not.toBe(fa);

    const clip = join(b, 'A001R1AB', 'A001C001_261120_R1AB.mxf');
    const st = statSync(clip);
    // Same size and mtime, other bytes in a sampled block.
    const fd = openSync(clip, 'r+');
    writeSync(fd, Buffer.from('XX'), 0, 2, 100);
    closeSync(fd);
    utimesSync(clip, st.atime, st.mtime);
    const changedBytes = await fingerprintCard(await scanCard(b));
    expect(changedBytes).not.toBe(fa);

    utimesSync(clip, st.atime, new Date(st.mtimeMs + 5000));
    const changedTime = await fingerprintCard(await scanCard(b));
    expect(changedTime).not.toBe(changedBytes);

    writeFileSync(join(b, 'extra.txt'), 'x');
    expect(await fingerprintCard(await scanCard(b))).not.toBe(changedTime);
  });

  it('names a file it cannot read', async () => {
    const root = join(scratch(), 'A001');
    makeArriCard(root);
    const snapshot = await scanCard(root);
    const victim = join(root, snapshot.files[0].path);
    if (process.getuid?.() === 0) {
      // root reads through chmod 000: a file that vanished after the listing fails the same way.
      rmSync(victim);
    } else {
      chmodSync(victim, 0);
    }
    await expect(fingerprintCard(snapshot)).rejects.toMatchObject({ code: 'SOURCE_UNREADABLE', path: victim });
  });
});
