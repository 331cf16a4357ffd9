/**
 * Which camera wrote a card, and its roll name, from folder structure and file names alone
 * (no file is opened). The checks run from the most specific structure to the least: a Sony
 * or Canon card's clips are named like ARRI's, so their folders decide first.
 */
import { rollInClipName } from '../inspect/roll.ts';
import type { CameraFamily, CardFile, CardIdentity, CardSnapshot } from './types.ts';
/**
 * ARRI clip names: roll, clip, date, four-character card id (`A001C001_220101_R1AB`); on
 * ALEXA 35 and later a two-character camera index, four-digit roll, date, time and a
 * five-character id (`A_0003C035_250922_110738_a0V3O`).
 */
const ARRI_CLIP = /^(?:[A-Z]\d{3}C\d{3}_\d{6}_[A-Z0-9]{4}|[A-Z][A-Z_]\d{4}C\d{3}_\d{6}_\d{6}_[A-Z0-9]{5})/i;
/** A frame of an image sequence: `name.0001001.dpx`, `name_0001001.exr`. */
const SEQUENCE_FRAME = /^(.*?)[._-]?(\d{3,})\.(dpx|exr)$/i;

interface Listed {
  path: string;
  name: string;
  dir: string;
  ext: string;
  segments: string[];
}

function list(files: readonly CardFile[]): Listed[] {
  return files
    .map((f) => {
      const segments = f.path.split('/');
      const name = segments[segments.length - 1];
      const dot = name.lastIndexOf('.');
      return { path: f.path, name, dir: segments.slice(0, -1).join('/'), ext: dot > 0 ? name.slice(dot + 1).toLowerCase() : '', segments };
    })
    .filter((f) => !f.segments.some((s) => s.startsWith('.')));
}

/** The most common roll among clip names, if any has one. */
function rollFromClips(names: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const n of names) {
    const roll = rollInClipName(n)?.roll;
    if (roll) counts.set(roll, (counts.get(roll) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

const stem = (name: string) => name.replace(/\.[^.]+$/, '');
const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface Found {
  camera: CameraFamily;
  clips: string[];
  evidence: string;
}

function red(files: Listed[]): Found | undefined {
  const r3d = files.filter((f) => f.ext === 'r3d');
  if (r3d.length === 0) return undefined;
  // A clip spans segments `_001.R3D`, `_002.R3D` … in one .RDC folder.
  const clips = unique(r3d.map((f) => stem(f.name).replace(/_\d{3}$/, '')));
  const rdm = unique(r3d.flatMap((f) => f.segments.filter((s) => /\.rdm$/i.test(s))));
  return { camera: 'red', clips, evidence: `${plural(clips.length, '.R3D clip')}${rdm.length ? ` in ${rdm.join(', ')}` : ''}` };
}

/** Sony's two card layouts: XDCAM's XDROOT/Clip MXF (VENICE, F55, FX9), XAVC's PRIVATE/M4ROOT/CLIP MP4 (FX6, FX3, FX30). */
const SONY_LAYOUTS = [
  { root: 'XDROOT', clipFolder: /(^|\/)XDROOT\/Clip$/i, ext: 'mxf', name: 'XDROOT/Clip' },
  { root: 'M4ROOT', clipFolder: /(^|\/)M4ROOT\/CLIP$/i, ext: 'mp4', name: 'M4ROOT/CLIP' },
];

function sony(files: Listed[]): Found | undefined {
  const layout = SONY_LAYOUTS.find((l) => files.some((f) => f.segments.some((s) => s.toUpperCase() === l.root)));
  if (!layout) return undefined;
  const inClip = files.filter((f) => f.ext === layout.ext && layout.clipFolder.test(f.dir));
  const sidecars = files.filter((f) => /M\d{2}\.XML$/i.test(f.name));
  const clips = inClip.map((f) => stem(f.name));
  return { camera: 'sony', clips, evidence: `${plural(clips.length, 'clip')} in ${layout.name}${sidecars.length ? ` with ${plural(sidecars.length, 'M01.XML sidecar')}` : ''}` };
}

function canon(files: Listed[]): Found | undefined {
  const crm = files.filter((f) => f.ext === 'crm');
  const inContents = files.filter((f) => (f.ext === 'mxf' || f.ext === 'mp4') && /(^|\/)CONTENTS\/CLIPS\d{3}$/i.test(f.dir));
  if (crm.length === 0 && inContents.length === 0) return undefined;
  const clips = unique([...crm, ...inContents].map((f) => stem(f.name)));
  return { camera: 'canon', clips, evidence: crm.length ? `${plural(crm.length, '.CRM clip')} (Cinema RAW Light)` : `${plural(clips.length, 'clip')} in CONTENTS/CLIPS` };
}

function arri(files: Listed[]): Found | undefined {
  const movies = files.filter((f) => (f.ext === 'mxf' || f.ext === 'mov') && ARRI_CLIP.test(f.name));
  // ARRIRAW: one .ari file per frame, a folder per clip.
  const frames = files.filter((f) => f.ext === 'ari');
  if (movies.length === 0 && frames.length === 0) return undefined;
  const clips = unique([...movies.map((f) => stem(f.name)), ...frames.map((f) => f.dir || stem(f.name))]);
  return { camera: 'arri', clips, evidence: frames.length ? `${plural(clips.length, 'ARRIRAW clip')} (.ari frames)` : `${plural(clips.length, 'clip')} named like ${movies[0].name}` };
}

function blackmagic(files: Listed[]): Found | undefined {
  const braw = files.filter((f) => f.ext === 'braw');
  if (braw.length === 0) return undefined;
  return { camera: 'blackmagic', clips: braw.map((f) => stem(f.name)), evidence: plural(braw.length, '.braw clip') };
}

function sequences(files: Listed[]): Found | undefined {
  const groups = new Map<string, { ext: string; frames: number }>();
  for (const f of files) {
    const m = SEQUENCE_FRAME.exec(f.name);
    if (!m) continue;
    const key = `${f.dir}/${m[1]}`;
    const g = groups.get(key) ?? { ext: m[3].toLowerCase(), frames: 0 };
    g.frames++;
    groups.set(key, g);
  }
  const seqs = [...groups.entries()].filter(([, g]) => g.frames >= 2);
  if (seqs.length === 0) return undefined;
  const exr = seqs.filter(([, g]) => g.ext === 'exr').length;
  const camera: CameraFamily = exr > seqs.length - exr ? 'exr-sequence' : 'dpx-sequence';
  const frames = seqs.reduce((n, [, g]) => n + g.frames, 0);
  const clips = seqs.map(([key]) => key.slice(key.lastIndexOf('/') + 1) || key);
  return { camera, clips, evidence: `${plural(seqs.length, `${camera === 'exr-sequence' ? 'EXR' : 'DPX'} sequence`)}, ${plural(frames, 'frame')}` };
}

const DETECTORS = [red, sony, canon, arri, blackmagic, sequences];

/** A roll name as one folder name: no separators, no control characters, not empty. */
export function sanitizeRoll(name: string): string {
  const clean = name
    .replace(/[/\\\x00-\x1f\x7f]/g, '_')
    .trim()
    .replace(/^\.+$/, '');
  return clean || 'card';
}

export function identifyCard(snapshot: CardSnapshot, options: { volumeLabel?: string; folderName?: string } = {}): CardIdentity {
  const files = list(snapshot.files);
  const found = DETECTORS.map((detect) => detect(files)).find((f) => f !== undefined);
  const folder = options.folderName ?? snapshot.root.split(/[/\\]/).filter(Boolean).pop() ?? '';
  const roll = (found && rollFromClips(found.clips)) || options.volumeLabel || folder;
  return {
    camera: found?.camera ?? 'generic',
    roll: sanitizeRoll(roll),
    ...(options.volumeLabel ? { volumeLabel: options.volumeLabel } : {}),
    clipCount: found?.clips.length ?? 0,
    evidence: found?.evidence ?? `no camera structure found; ${plural(files.length, 'file')}`,
  };
}
