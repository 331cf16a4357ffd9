/**
 * Camera cards for tests, laid out and named as each camera family writes them: real
 * ffmpeg clips where ffmpeg can write the format (MXF, QuickTime, DPX), pseudo-random bytes
 * under the right names where it cannot (R3D, BRAW, CRM, ARRIRAW, EXR), and the sidecars
 * cameras leave. The same seed makes the same card, byte for byte and mtime for mtime; a
 * different seed changes every clip's content.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CameraFamily } from '../../core/watch/types.ts';
import { pseudoRandomBytes, writeFile } from './card.ts';
import { canonClipXml } from './raw-clips.ts';
import { sonyNrtXml } from './sony.ts';

export interface CardOptions {
  roll?: string;
  clips?: number;
  seed?: number;
}

/** Made once per process and reused: every card's clips start from these. */
let cache: { mxf: Buffer; mov: Buffer; dpx: Buffer[] } | undefined;

function ffmpegClips(): NonNullable<typeof cache> {
  if (cache) return cache;
  const dir = mkdtempSync(join(tmpdir(), 'rushes-ffmpeg-clips-'));
  const src = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=24'];
  execFileSync('ffmpeg', [...src, '-t', '0.5', '-c:v', 'mpeg2video', '-f', 'mxf', join(dir, 'clip.mxf')]);
  execFileSync('ffmpeg', [...src, '-t', '0.5', '-c:v', 'prores_ks', join(dir, 'clip.mov')]);
  execFileSync('ffmpeg', [...src, '-frames:v', '3', '-f', 'image2', join(dir, 'frame.%07d.dpx')]);
  const dpx = readdirSync(dir)
    .filter((n) => n.endsWith('.dpx'))
    .sort()
    .map((n) => readFileSync(join(dir, n)));
  cache = { mxf: readFileSync(join(dir, 'clip.mxf')), mov: readFileSync(join(dir, 'clip.mov')), dpx };
  rmSync(dir, { recursive: true, force: true }); // kept in memory: the folder would stay behind in /tmp after every run
  return cache;
}

/** A real clip made distinct per seed and clip: a tail of seeded bytes after the media (players ignore it). */
function variant(media: Buffer, seed: number, clip: number): Buffer {
  return Buffer.concat([media, pseudoRandomBytes(4096, seed * 1000 + clip + 1)]);
}

const SHOT = new Date('2026-11-20T14:03:07Z');
const at = (i: number) => new Date(SHOT.getTime() + i * 60_000);
const pad = (n: number, w = 3) => String(n).padStart(w, '0');

export function makeArriCard(root: string, o: CardOptions = {}): void {
  const { roll = 'A001', clips = 2, seed = 1 } = o;
  const folder = `${roll}R1AB`;
  for (let c = 1; c <= clips; c++) {
    const name = `${roll}C${pad(c)}_261120_R1AB`;
    writeFile(root, `${folder}/${name}.mxf`, variant(ffmpegClips().mxf, seed, c), at(c));
  }
  // One ARRIRAW clip: a frame per file in its own folder.
  const raw = `${roll}C${pad(clips + 1)}_261120_R1AB`;
  for (let f = 0; f < 3; f++) writeFile(root, `${folder}/${raw}/${raw}.${pad(f, 7)}.ari`, pseudoRandomBytes(65_536, seed * 7 + f), at(clips + 1));
}

export function makeRedCard(root: string, o: CardOptions = {}): void {
  const { roll = 'A001', clips = 2, seed = 1 } = o;
  const rdm = `${roll}_1120AB.RDM`;
  for (let c = 1; c <= clips; c++) {
    const clip = `${roll}_C${pad(c)}_1120AB`;
    // A clip spans several segments.
    for (let s = 1; s <= 2; s++) writeFile(root, `${rdm}/${clip}.RDC/${clip}_${pad(s)}.R3D`, pseudoRandomBytes(200_000, seed * 100 + c * 10 + s), at(c));
    writeFile(root, `${rdm}/${clip}.RDC/${clip}.rtn`, pseudoRandomBytes(2_000, seed + c), at(c));
  }
}

/** An FX9's XQD card: XDROOT/Clip MXF, each with its NonRealTimeMeta sidecar. */
export function makeSonyCard(root: string, o: CardOptions = {}): void {
  const { roll = 'A001', clips = 2, seed = 1 } = o;
  for (let c = 1; c <= clips; c++) {
    const clip = `${roll}C${pad(c)}_261120AB`;
    writeFile(root, `XDROOT/Clip/${clip}.MXF`, variant(ffmpegClips().mxf, seed, c), at(c));
    writeFile(root, `XDROOT/Clip/${clip}M01.XML`, sonyNrtXml('fx9', { duration: 12 }), at(c));
  }
  writeFile(root, 'XDROOT/MEDIAPRO.XML', '<?xml version="1.0"?>\n<MediaProfile/>\n', at(0));
}

/** An FX6's SD card: XAVC MP4 in PRIVATE/M4ROOT/CLIP, named C0001, C0002… (no roll in the names). */
export function makeSonyXavcCard(root: string, o: CardOptions = {}): void {
  const { clips = 2, seed = 1 } = o;
  for (let c = 1; c <= clips; c++) {
    writeFile(root, `PRIVATE/M4ROOT/CLIP/C${pad(c, 4)}.MP4`, variant(ffmpegClips().mov, seed, c), at(c));
    writeFile(root, `PRIVATE/M4ROOT/CLIP/C${pad(c, 4)}M01.XML`, sonyNrtXml('fx6', { duration: 12 }), at(c));
  }
  writeFile(root, 'PRIVATE/M4ROOT/MEDIAPRO.XML', '<?xml version="1.0"?>\n<MediaProfile/>\n', at(0));
}

export function makeCanonCard(root: string, o: CardOptions = {}): void {
  const { roll = 'A001', clips = 2, seed = 1 } = o;
  for (let c = 1; c <= clips; c++) {
    const clip = `${roll}C${pad(c)}_261120AB_CANON`;
    writeFile(root, `CONTENTS/CLIPS001/${clip}.CRM`, pseudoRandomBytes(180_000, seed * 100 + c), at(c));
    writeFile(root, `CONTENTS/CLIPS001/${clip}.XML`, canonClipXml({ title: clip }), at(c));
  }
}

export function makeBrawCard(root: string, o: CardOptions = {}): void {
  const { roll = 'A001', clips = 2, seed = 1 } = o;
  for (let c = 1; c <= clips; c++) writeFile(root, `${roll}_11201403_C${pad(c)}.braw`, pseudoRandomBytes(150_000, seed * 100 + c), at(c));
}

export function makeDpxCard(root: string, o: CardOptions = {}): void {
  const { roll = 'A001', clips = 2, seed = 1 } = o;
  for (let c = 1; c <= clips; c++) {
    ffmpegClips().dpx.forEach((frame, f) => writeFile(root, `${roll}_plate${c}/${roll}_plate${c}.${pad(86_400 + f, 7)}.dpx`, variant(frame, seed, c * 10 + f), at(c)));
  }
}

export function makeExrCard(root: string, o: CardOptions = {}): void {
  const { roll = 'A001', clips = 2, seed = 1 } = o;
  // ffmpeg 5.1 decodes EXR but cannot encode it: frames are seeded bytes under EXR names.
  for (let c = 1; c <= clips; c++) {
    for (let f = 0; f < 3; f++) writeFile(root, `${roll}_comp${c}/${roll}_comp${c}_${pad(1001 + f, 7)}.exr`, pseudoRandomBytes(40_000, seed * 100 + c * 10 + f), at(c));
  }
}

export function makeGenericCard(root: string, o: CardOptions = {}): void {
  const { clips = 2, seed = 1 } = o;
  for (let c = 1; c <= clips; c++) writeFile(root, `DCIM/100MEDIA/CLIP${pad(c, 4)}.MOV`, variant(ffmpegClips().mov, seed, c), at(c));
  writeFile(root, 'notes.txt', `card seed ${seed}\n`, at(0));
}

export const CAMERA_CARDS: Record<CameraFamily, (root: string, o?: CardOptions) => void> = {
  arri: makeArriCard,
  red: makeRedCard,
  sony: makeSonyCard,
  canon: makeCanonCard,
  blackmagic: makeBrawCard,
  'dpx-sequence': makeDpxCard,
  'exr-sequence': makeExrCard,
  generic: makeGenericCard,
};

/** Copies a card elsewhere, keeping modification times (a re-inserted card). */
export function copyCard(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  execFileSync('cp', ['-a', `${from}/.`, to]);
}

