/**
 * Folder hashes against values the reference tool (ascmhl) published: its scenario output
 * (two cards under a Reels folder) and its test that seals Stuff.txt + A/A1.txt. If these
 * hold, a folder sealed by Rushes and one sealed by ascmhl carry the same hashes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashBytes } from '../core/hash/index.ts';
import { computeFolderHashes as fromColumns, folderHashInput } from '../core/mhl/dirhash.ts';
import type { Digests, HashFormat } from '../core/hash/index.ts';
import { digestBytes } from '../core/mhl/digest.ts';
import { c4Of } from './helpers/mhl.ts';

/** A generator of pseudo-random bytes from a seed (xorshift32). */
function seededBytes(seed: number): (n: number) => Buffer {
  let x = seed >>> 0 || 1;
  return (n) => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
    return b;
  };
}

/** Folder hashes of files given one object each (the input itself is columns). */
const computeFolderHashes = (files: { path: string; digests: Digests }[], directories: string[], formats: HashFormat[]) =>
  fromColumns(folderHashInput(files, (f, format) => f.digests[format], directories, formats));

describe('ASC MHL folder hashes', () => {
  it('match the reference tool for a card with a Clips folder (published scenario, xxh64)', async () => {
    const h = await computeFolderHashes(
      [
        { path: 'Clips/A003C011_141024_R2EC.mov', digests: { xxh64: '52392f79a36d6571' } },
        { path: 'Clips/A003C012_141024_R2EC.mov', digests: { xxh64: '5dbca064ddddd6fc' } },
        { path: 'Sidecar.txt', digests: { xxh64: 'e5dda75a353d8b34' } },
      ],
      ['Clips'],
      ['xxh64'],
    );
    expect(h.get('Clips')!.get('xxh64')).toEqual({ content: 'f2afc6434255a53d', structure: 'a25d5ca89c95f9e2' });
    expect(h.get('')!.get('xxh64')).toEqual({ content: '7a82373c131cf40a', structure: '1131a950fcc55e4b' });
  });

  it('match the reference tool for a folder of two card folders (content ignores names, structure does not)', async () => {
    // Reels/ with A002R2EC and A003R2EC (whose own hashes the scenario lists) and Summary.txt.
    const h = await computeFolderHashes(
      [
        { path: 'A003R2EC/Clips/A003C011_141024_R2EC.mov', digests: { xxh64: '52392f79a36d6571' } },
        { path: 'A003R2EC/Clips/A003C012_141024_R2EC.mov', digests: { xxh64: '5dbca064ddddd6fc' } },
        { path: 'A003R2EC/Sidecar.txt', digests: { xxh64: 'e5dda75a353d8b34' } },
        { path: 'Summary.txt', digests: { xxh64: '0ac48e431d4538ba' } },
      ],
      ['A003R2EC', 'A003R2EC/Clips'],
      ['xxh64'],
    );
    expect(h.get('A003R2EC')!.get('xxh64')).toEqual({ content: '7a82373c131cf40a', structure: '1131a950fcc55e4b' });
    // Add A002R2EC by its published folder hashes: the root must then match the published root.
    const a002 = { content: '8d02114c32e28cbe', structure: 'f557f8ca8e5a88ef' };
    const a003 = h.get('A003R2EC')!.get('xxh64')!;
    const bytes = (d: string) => digestBytes('xxh64', d);
    const el = async (name: string, d: string) => hashBytes('xxh64', Buffer.concat([Buffer.from(name), bytes(d)]));
    const content = await hashBytes('xxh64', Buffer.concat([a002.content, a003.content, '0ac48e431d4538ba'].sort().map(bytes)));
    const structure = await hashBytes(
      'xxh64',
      Buffer.concat((await Promise.all([el('A002R2EC', a002.structure), el('A003R2EC', a003.structure), el('Summary.txt', '0ac48e431d4538ba')])).sort().map(bytes)),
    );
    expect({ content, structure }).toEqual({ content: '92950bc8fda076ec', structure: '2c2ce52605558158' });
  });

  it('hash an empty folder as the empty input, and leave out a format some file lacks', async () => {
    const h = await computeFolderHashes([{ path: 'a/x', digests: { xxh64: '94c399c2a9a21f9a' } }], ['empty', 'a'], ['xxh64', 'md5']);
    const empty = await hashBytes('xxh64', new Uint8Array());
    expect(h.get('empty')!.get('xxh64')).toEqual({ content: empty, structure: empty });
    expect(h.get('a')!.has('md5')).toBe(false);
    expect(h.get('')!.has('md5')).toBe(false);
    expect(h.get('empty')!.has('md5')).toBe(true); // nothing below it lacks md5
  });

  it('decodes a C4 ID back to its 64 SHA-512 bytes', () => {
    const id = c4Of('stuff\n');
    const sha = Buffer.from(digestBytes('c4', id)).toString('hex');
    expect(sha).toBe(createHash('sha512').update('stuff\n').digest('hex'));
  });
  it('order a folder of many children by their digest text in every format (words above 2^63, shared prefixes, equal digests, a long name between short ones)', async () => {
    const random = seededBytes(17); // the same digests every run: a failure can be replayed
    const names = Array.from({ length: 3000 }, (_, i) => (i === 1500 ? 'n'.repeat(5000) : `f${i}`)); // the long one outgrows the scratch buffer
    for (const format of ['xxh64', 'xxh3', 'md5', 'sha1'] as HashFormat[]) {
      const bytes = format === 'sha1' ? 20 : format === 'md5' ? 16 : 8;
      const digests = names.map((_, i) => {
        const b = random(bytes);
        if (i % 7 === 0) b[0] = 0xff; // high bit set: unsigned order, not signed
        if (i % 11 === 0) b.fill(0xab, 0, bytes - 1); // all but the last byte shared
        return b.toString('hex');
      });
      digests[5] = digests[3]!; // two files with the same content
      const h = await computeFolderHashes(names.map((n, i) => ({ path: `d/${n}`, digests: { [format]: digests[i] } })), ['d'], [format]);
      const content = await hashBytes(format, Buffer.concat([...digests].sort().map((d) => digestBytes(format, d))));
      const elements = await Promise.all(names.map((n, i) => hashBytes(format, Buffer.concat([Buffer.from(n), digestBytes(format, digests[i]!)]))));
      const structure = await hashBytes(format, Buffer.concat(elements.sort().map((d) => digestBytes(format, d))));
      expect(h.get('d')!.get(format), format).toEqual({ content, structure });
    }
  });

  it('refuse a digest of the wrong width or not hex rather than hash misaligned bytes', async () => {
    const folderOf = (...digests: string[]) => computeFolderHashes(digests.map((d, i) => ({ path: `f${i}`, digests: { xxh64: d } })), [], ['xxh64']);
    await expect(folderOf('94c399c2a9a21f9a', '94c399c2a9a21f')).rejects.toThrow(/"94c399c2a9a21f", not 8 bytes of hex/);
    await expect(folderOf('94c399c2a9a21f', '94c399c2a9a21f9a00')).rejects.toThrow(/not 8 bytes of hex/); // the total alone would pass
    await expect(folderOf('94c399c2a9a21f9a', '94c399c2a9a21fzz')).rejects.toThrow(/"94c399c2a9a21fzz", not 8 bytes of hex/);
  });
});
