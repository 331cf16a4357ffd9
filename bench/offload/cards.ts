/**
 * The cards the offload benchmark copies, apart so each cost shows: a few large clips
 * (streaming speed: how close to the devices' bandwidth) and many small files, as DPX and
 * EXR sequences are (per-file overhead: opens, fsyncs, renames, records). Content is
 * incompressible and every file differs.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBlock } from '../_cold.ts';

export const CARDS = ['clips', 'small'] as const;
export type CardName = (typeof CARDS)[number];

export interface Card {
  name: CardName;
  /** The card's folder (its name is the roll). */
  path: string;
  bytes: number;
  files: number;
  describe: string;
}

const BLOCK = 16 * 1024 * 1024;

/** `clips` clips of equal size adding up to `bytes`, as a camera writes them. */
export function makeClipsCard(root: string, bytes: number, clips: number): Card {
  const path = join(root, 'A001');
  const block = randomBlock(BLOCK);
  const size = Math.floor(bytes / clips);
  mkdirSync(join(path, 'Clips'), { recursive: true });
  for (let c = 0; c < clips; c++) {
    const fd = openSync(join(path, 'Clips', `A001C${String(c + 1).padStart(3, '0')}_260101_R1AB.mxf`), 'w');
    for (let off = 0; off < size; off += block.length) {
      block.writeUInt32LE(c * 100_000 + off / block.length, 0);
      writeSync(fd, block, 0, Math.min(block.length, size - off));
    }
    closeSync(fd);
  }
  execFileSync('sync');
  return { name: 'clips', path, bytes: size * clips, files: clips, describe: `${clips} clips of ${(size / 2 ** 20).toFixed(0)} MiB` };
}

/** `files` frames of `size` bytes, 1,000 to a folder, as an image sequence. */
export function makeSmallCard(root: string, files: number, size: number): Card {
  const path = join(root, 'B001');
  const block = randomBlock(BLOCK);
  for (let i = 0; i < files; i++) {
    const dir = join(path, 'DPX', `B001C001_${String(Math.floor(i / 1000)).padStart(2, '0')}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    const fd = openSync(join(dir, `B001C001.${String(i).padStart(7, '0')}.dpx`), 'w');
    const start = (i * 4099) % (block.length - size);
    block.writeUInt32LE(i, start);
    writeSync(fd, block, start, size);
    closeSync(fd);
  }
  execFileSync('sync');
  return { name: 'small', path, bytes: files * size, files, describe: `${files.toLocaleString('en')} files of ${(size / 1024).toFixed(0)} KiB` };
}
