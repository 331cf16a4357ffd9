/**
 * Which files make one clip. A movie file is a clip; numbered frames of one name are one
 * clip (an image sequence, with its range and any missing frames); a RED .RDC folder's
 * spanned segments are one clip; sidecars ride along with the clip they describe; the rest
 * (reports, MHLs, thumbnails) is not a clip. Pure: works on a list of relative paths.
 */
import { basename, extname, posix } from 'node:path';
import type { SequenceInfo } from './types.ts';

export interface FileEntry {
  /** Relative to the roll folder, '/'-separated. */
  path: string;
  size: number;
}

export interface ClipUnit {
  kind: 'file' | 'sequence' | 'spanned';
  /** The clip's name: file name without extension, or the sequence's base name. */
  name: string;
  /** The clip's file, or the folder of a sequence / spanned clip. */
  relativePath: string;
  /** Its media files in order (frames, segments); the first is probed. */
  files: string[];
  size: number;
  sequence?: SequenceInfo;
  /** Sidecar files that describe it (Sony M01.XML, Canon XML, Blackmagic .sidecar, RED RMD). */
  sidecars: string[];
}

/** Formats written one file per frame. */
const FRAME_EXTENSIONS = new Set(['.dpx', '.exr', '.ari', '.tif', '.tiff', '.cin', '.arx']);
/** Formats where one file holds a clip (or a segment of one). */
const MOVIE_EXTENSIONS = new Set(['.mov', '.mxf', '.mp4', '.m4v', '.mts', '.m2ts', '.avi', '.mkv', '.braw', '.crm', '.r3d', '.nev', '.wav', '.bwf']);
const SIDECAR_EXTENSIONS = new Set(['.xml', '.rmd', '.rtn', '.sidecar', '.ale']);
const MAX_MISSING_LISTED = 1000;

/** name.0086400.dpx, name_0001001.exr, name0001.ari: the last run of digits (at most 9) before the extension. */
const FRAME_NUMBER = /^(.*?)(\d{1,9})$/;

export function groupClips(entries: readonly FileEntry[]): ClipUnit[] {
  const units: ClipUnit[] = [];
  const sequences = new Map<string, { dir: string; prefix: string; ext: string; frames: { n: number; digits: string; path: string; size: number }[] }>();
  const spanned = new Map<string, ClipUnit>();
  const sidecars: FileEntry[] = [];

  for (const e of entries) {
    const ext = extname(e.path).toLowerCase();
    const dir = posix.dirname(e.path);
    const stem = basename(e.path, extname(e.path));
    if (FRAME_EXTENSIONS.has(ext)) {
      const m = FRAME_NUMBER.exec(stem);
      if (m && !/\d$/.test(m[1]!)) {
        const key = `${dir}\0${m[1]}\0${ext}`;
        let seq = sequences.get(key);
        if (!seq) sequences.set(key, (seq = { dir, prefix: m[1]!, ext: extname(e.path), frames: [] }));
        seq.frames.push({ n: Number(m[2]), digits: m[2]!, path: e.path, size: e.size });
        continue;
      }
      units.push(single(e, stem));
    } else if (ext === '.r3d' && dir.toLowerCase().endsWith('.rdc')) {
      // A RED clip is its .RDC folder; _001.R3D, _002.R3D… are spans of one recording.
      let u = spanned.get(dir);
      if (!u) spanned.set(dir, (u = { kind: 'spanned', name: basename(dir, extname(dir)), relativePath: dir, files: [], size: 0, sidecars: [] }));
      u.files.push(e.path);
      u.size += e.size;
    } else if (MOVIE_EXTENSIONS.has(ext)) {
      units.push(single(e, stem));
    } else if (SIDECAR_EXTENSIONS.has(ext)) {
      sidecars.push(e);
    }
  }
  for (const u of spanned.values()) {
    u.files.sort();
    units.push(u);
  }
  for (const s of sequences.values()) for (const part of byPadding(s.frames)) units.push(sequenceUnit({ ...s, ...part }));
  attachSidecars(units, sidecars);
  return units.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

function single(e: FileEntry, stem: string): ClipUnit {
  return { kind: 'file', name: stem, relativePath: e.path, files: [e.path], size: e.size, sidecars: [] };
}

/**
 * Frames of one name are one sequence when their numbering agrees: unpadded (998, 999,
 * 1000) or padded to one width (0998…1000). Two padded widths under one name (v001.01 and
 * v001.0001) are two sequences.
 */
function byPadding(frames: { n: number; digits: string; path: string; size: number }[]): { width: number; frames: typeof frames }[] {
  const padded = new Set(frames.filter((f) => f.digits.length > 1 && f.digits.startsWith('0')).map((f) => f.digits.length));
  if (padded.size <= 1) {
    const width = padded.size ? [...padded][0]! : 1;
    return [{ width, frames }];
  }
  const parts = new Map<number, typeof frames>();
  for (const f of frames) {
    const w = f.digits.startsWith('0') || f.digits.length > Math.max(...padded) ? f.digits.length : Math.max(...padded);
    (parts.get(w) ?? parts.set(w, []).get(w)!).push(f);
  }
  return [...parts].map(([width, fs]) => ({ width, frames: fs }));
}

function sequenceUnit(s: { dir: string; prefix: string; width: number; ext: string; frames: { n: number; path: string; size: number }[] }): ClipUnit {
  s.frames.sort((a, b) => a.n - b.n);
  const first = s.frames[0]!.n;
  const last = s.frames[s.frames.length - 1]!.n;
  const missingFrames: number[] = [];
  let missingCount = 0;
  for (let i = 1; i < s.frames.length; i++) {
    const prev = s.frames[i - 1]!.n;
    const next = s.frames[i]!.n;
    // Counted, not walked: a gap of a million frames costs one step.
    missingCount += Math.max(0, next - prev - 1);
    for (let n = prev + 1; n < next && missingFrames.length < MAX_MISSING_LISTED; n++) missingFrames.push(n);
  }
  const name = s.prefix.replace(/[._-]+$/, '') || posix.basename(s.dir);
  const pattern = `${s.prefix}${'#'.repeat(s.width)}${s.ext}`;
  return {
    kind: 'sequence',
    name,
    // A sequence alone in its folder is named by the folder; one among others by its pattern.
    relativePath: s.dir === '.' ? pattern : `${s.dir}/${pattern}`,
    files: s.frames.map((f) => f.path),
    size: s.frames.reduce((t, f) => t + f.size, 0),
    sequence: { pattern, firstFrame: first, lastFrame: last, frameCount: s.frames.length, missingFrames, missingCount },
    sidecars: [],
  };
}

/** Sony XDROOT/Clip/A001C001M01.XML, Canon CLIPS001/X.XML, Blackmagic X.sidecar, RED X.RDC/X.RMD: sidecars share the clip's base name in its folder. */
function attachSidecars(units: ClipUnit[], sidecars: readonly FileEntry[]): void {
  const byStem = new Map<string, ClipUnit>();
  for (const u of units) {
    const dir = u.kind === 'spanned' ? u.relativePath : posix.dirname(u.relativePath);
    byStem.set(`${dir}\0${u.name.toLowerCase()}`, u);
  }
  for (const s of sidecars) {
    const dir = posix.dirname(s.path);
    const stem = basename(s.path, extname(s.path)).toLowerCase();
    const owner = byStem.get(`${dir}\0${stem}`) ?? byStem.get(`${dir}\0${stem.replace(/m\d\d$/, '')}`);
    owner?.sidecars.push(s.path);
  }
}
