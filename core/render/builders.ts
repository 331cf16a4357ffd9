/**
 * Invocation → ffmpeg arguments, one builder per function. Pure: the same invocation and
 * staging folder always give the same arguments, so every builder is tested without
 * running ffmpeg, and running an invocation twice gives the same outputs (bit-exact flags,
 * no creation times). Outputs are written into `staging` and committed by the runner.
 */
import { basename, dirname, extname, join } from 'node:path';
import { RushesError } from '../errors.ts';
import { bakeCube, parseCube } from './colour.ts';
import { geometryFilters, parseFdl, resolveFdl, type Geometry } from './fdl.ts';
import { inputPath, type Invocation } from './invocation.ts';

export interface RenderPlan {
  args: string[];
  /** Names under the output folder that the run commits (files, or a plate's folder). */
  outputs: string[];
  /** Those of `outputs` that are folders (created in staging before ffmpeg writes into them). */
  folders?: string[];
  /** Frames the run will write, for progress. */
  frames?: number;
  /** Files to write into the staging folder before ffmpeg runs (the baked LUT). */
  files: { name: string; content: string }[];
  /** What the function could not do as asked, said plainly. */
  warnings: string[];
  geometry?: Geometry;
}

export interface BuildOptions {
  /** A TrueType font for burn-ins; without one drawtext uses fontconfig's default. */
  fontFile?: string;
  /** Encoder threads: a fixed number keeps the output the same from run to run. */
  threads?: number;
}

const COMMON = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-progress', 'pipe:1', '-nostats'];
const BITEXACT = ['-map_metadata', '-1', '-map_chapters', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact'];
const LUT_FILE = 'look.cube';

const PROXY_CODECS = {
  h264: { ext: 'mp4', video: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'], audio: ['-c:a', 'aac', '-b:a', '192k'] },
  prores_proxy: { ext: 'mov', video: ['-c:v', 'prores_ks', '-profile:v', '0', '-pix_fmt', 'yuv422p10le', '-vendor', 'apl0'], audio: ['-c:a', 'pcm_s16le'] },
  prores_lt: { ext: 'mov', video: ['-c:v', 'prores_ks', '-profile:v', '1', '-pix_fmt', 'yuv422p10le', '-vendor', 'apl0'], audio: ['-c:a', 'pcm_s16le'] },
  dnxhr_lb: { ext: 'mov', video: ['-c:v', 'dnxhd', '-profile:v', 'dnxhr_lb', '-pix_fmt', 'yuv422p'], audio: ['-c:a', 'pcm_s16le'] },
} as const;

/** The clip's name for output files: the invocation's, else the input file's (a sequence's without its frame number). */
function clipNameOf(inv: Invocation): string {
  if (inv.input.clip?.clipName) return inv.input.clip.clipName;
  const stem = basename(inputPath(inv), extname(inputPath(inv)));
  return inv.input.clip?.sequencePattern ? stem.replace(/[._-]?\d+$/, '') : stem;
}

function fps(inv: Invocation): { num: number; denom: number } | undefined {
  return inv.input.clip?.frameRate;
}

/** ffmpeg input arguments: a movie file, or an image sequence from its first frame (plus `offset`). */
function inputArgs(inv: Invocation, offset = 0, seekSeconds?: number): string[] {
  const clip = inv.input.clip;
  if (clip?.sequencePattern) {
    const dir = image2Literal(dirname(inputPath(inv)));
    const pattern = image2Pattern(clip.sequencePattern);
    const rate = fps(inv);
    return ['-f', 'image2', ...(rate ? ['-framerate', `${rate.num}/${rate.denom}`] : []), '-start_number', String((clip.firstFrameNumber ?? 0) + offset), '-i', join(dir, pattern)];
  }
  return [...(seekSeconds ? ['-ss', (Math.floor(seekSeconds * 1e6) / 1e6).toFixed(6)] : []), '-i', inputPath(inv)];
}

/** A path the image2 demuxer and muxer read literally: its own % doubled (a single % would be a frame number). */
const image2Literal = (s: string) => s.replace(/%/g, '%%');
/** A sequence pattern with # for the frame number, as an image2 pattern. */
const image2Pattern = (pattern: string) => image2Literal(pattern).replace(/#+/, (h) => `%0${h.length}d`);

/** Seconds at which frame `n` starts, rounded down so an accurate seek never skips it. */
function frameSeconds(n: number, rate: { num: number; denom: number }): number {
  return Math.floor(((n * rate.denom) / rate.num) * 1e6) / 1e6;
}

/**
 * A filter option value, escaped for both levels ffmpeg parses: the option list (\ ' :)
 * and then the filter graph (\ ' [ ] , ;). No quotes: every special character is escaped.
 */
export function filterValue(v: string): string {
  const option = v.replace(/[\\':]/g, (c) => `\\${c}`);
  return option.replace(/[\\'\[\],;]/g, (c) => `\\${c}`);
}

/** drawtext expands %{…} in its text: a literal % or \ is escaped for that first. */
const drawtextText = (s: string) => filterValue(s.replace(/[\\%]/g, (c) => `\\${c}`));

function burnIn(inv: Invocation, o: BuildOptions, height: number): string[] {
  const clip = inv.input.clip ?? {};
  const size = Math.max(12, Math.round(height / 30));
  const font = o.fontFile ? `fontfile=${filterValue(o.fontFile)}:` : '';
  const box = `${font}fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.5:boxborderw=${Math.round(size / 4)}`;
  const f = [`drawtext=${box}:x=${size}:y=${size}:text=${drawtextText(clipNameOf(inv))}`];
  if (clip.roll) f.push(`drawtext=${box}:x=w-tw-${size}:y=${size}:text=${drawtextText(clip.roll)}`);
  const rate = fps(inv);
  if (clip.timecodeStart && rate) f.push(`drawtext=${box}:x=(w-tw)/2:y=h-th-${size}:timecode=${filterValue(clip.timecodeStart)}:rate=${rate.num}/${rate.denom}`);
  return f;
}

/** Crop / de-squeeze / scale: from the FDL when there is one, else the picture scaled to `height` with square pixels. */
function geometry(inv: Invocation, height: number): { filters: string[]; pad: string[]; geometry?: Geometry; outHeight: number } {
  const clip = inv.input.clip ?? {};
  const p = inv.params;
  if (p.fdl) {
    if (!clip.width || !clip.height) throw new RushesError('USAGE', 'an FDL needs the source picture size (input.clip.width and height)');
    const g = resolveFdl(parseFdl(p.fdl.document), { width: clip.width, height: clip.height }, { framingDecision: p.fdl.framingDecision, canvasTemplate: p.fdl.canvasTemplate, height });
    const f = geometryFilters(g);
    return { filters: f.picture, pad: f.pad, geometry: g, outHeight: g.pad?.height ?? g.scale.height };
  }
  const squeeze = clip.anamorphicSqueeze ?? 1;
  if (clip.width && clip.height) {
    const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);
    const w = even((clip.width * squeeze * height) / clip.height);
    return { filters: [`scale=${w}:${even(height)}:flags=lanczos`, 'setsar=1'], pad: [], outHeight: even(height) };
  }
  return { filters: [`scale=-2:${height}:flags=lanczos`, 'setsar=1'], pad: [], outHeight: height };
}

/** The CDL-then-LUT as one baked LUT, applied to RGB after scaling. */
function colour(inv: Invocation, staging: string): { filters: string[]; files: RenderPlan['files']; graded?: boolean } {
  const lut = inv.params.lut ? parseCube(inv.params.lut.cube, inv.params.lut.name) : undefined;
  const cube = bakeCube(inv.params.cdl, lut);
  if (!cube) return { filters: [], files: [] };
  return { filters: ['format=gbrp16le', `lut3d=file=${filterValue(join(staging, LUT_FILE))}:interp=tetrahedral`], files: [{ name: LUT_FILE, content: cube }], graded: true };
}

export function buildProxy(inv: Invocation, staging: string, o: BuildOptions = {}): RenderPlan {
  const p = inv.params;
  const codec = PROXY_CODECS[p.codec ?? 'h264'];
  const sourceHeight = inv.input.clip?.height;
  const height = p.height ?? Math.min(1080, sourceHeight ?? 1080);
  const g = geometry(inv, height);
  const c = colour(inv, staging);
  // A graded picture is display-referred Rec. 709 RGB: back to YUV with the 709 matrix, and tagged so players agree.
  const toYuv = c.graded ? ['scale=out_color_matrix=bt709:out_range=tv'] : [];
  const tags = c.graded ? ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'] : [];
  const filters = [...g.filters, ...c.filters, ...g.pad, ...(p.burnIn === false ? [] : burnIn(inv, o, g.outHeight)), ...toYuv, `format=${codec.video[codec.video.indexOf('-pix_fmt') + 1]}`];
  const name = `${clipNameOf(inv)}.${codec.ext}`;
  const audio = p.audio === false || inv.input.clip?.sequencePattern ? ['-an'] : ['-map', '0:a?', ...codec.audio];
  return {
    args: [...COMMON, ...inputArgs(inv), '-map', '0:v:0', ...audio, '-vf', filters.join(','), ...codec.video, ...tags, ...(o.threads ? ['-threads', String(o.threads)] : []), ...BITEXACT, join(staging, name)],
    outputs: [name],
    frames: inv.input.clip?.durationFrames,
    files: c.files,
    warnings: [],
    geometry: g.geometry,
  };
}

export function buildPlate(inv: Invocation, staging: string, o: BuildOptions = {}): RenderPlan {
  const clip = inv.input.clip ?? {};
  const p = inv.params;
  if (!p.frames) throw new RushesError('USAGE', 'a plate needs a frame range (params.frames [first, last])');
  const [a, b] = p.frames;
  if (b < a) throw new RushesError('USAGE', `frame range ${a}-${b} ends before it starts`);
  const handles = p.handles ?? 0;
  const first = a - handles;
  const last = b + handles;
  const total = clip.durationFrames;
  if (first < 0 || (total !== undefined && last > total - 1))
    throw new RushesError('USAGE', `frames ${a}-${b} with ${handles} handles (${first}-${last}) run outside the clip (0-${total === undefined ? '?' : total - 1})`);
  const rate = fps(inv);
  if (!clip.sequencePattern && !rate) throw new RushesError('USAGE', 'a plate from a movie needs its frame rate (input.clip.frameRate)');
  const count = last - first + 1;
  const format = p.format ?? 'exr';
  const name = clipNameOf(inv);
  const folder = `${name}_${first}-${last}`;
  const number = (clip.firstFrameNumber ?? 0) + first;
  const encode = format === 'exr' ? ['-c:v', 'exr', '-pix_fmt', 'gbrpf32le', '-compression', 'zip16', '-format', 'float'] : ['-c:v', 'dpx', '-pix_fmt', 'rgb48le'];
  return {
    args: [
      ...COMMON,
      ...inputArgs(inv, first, clip.sequencePattern ? undefined : frameSeconds(first, rate!) + (clip.videoStartSeconds ?? 0)),
      '-map', '0:v:0', '-an', '-frames:v', String(count),
      ...encode, ...(o.threads ? ['-threads', String(o.threads)] : []), ...BITEXACT,
      '-f', 'image2', '-start_number', String(number),
      join(image2Literal(staging), image2Literal(folder), `${image2Literal(name)}.%07d.${format}`),
    ],
    outputs: [folder],
    folders: [folder],
    frames: count,
    files: [],
    warnings: [],
  };
}

export function buildThumbnail(inv: Invocation, staging: string, o: BuildOptions = {}): RenderPlan {
  const clip = inv.input.clip ?? {};
  const width = inv.params.width ?? 320;
  const rate = fps(inv);
  // A tenth of the way in, at most 1 s: past a slate's flash frames, still the shot.
  const seconds = clip.sequencePattern || !rate || !clip.durationFrames ? 0 : Math.min(1, frameSeconds(Math.floor(clip.durationFrames / 10), rate));
  const c = colour(inv, staging);
  const name = `${clipNameOf(inv)}.jpg`;
  return {
    args: [...COMMON, ...inputArgs(inv, 0, seconds || undefined), '-map', '0:v:0', '-frames:v', '1', '-vf', [`scale=${width}:-2:flags=lanczos`, ...c.filters, 'format=yuvj444p'].join(','), '-c:v', 'mjpeg', '-q:v', '3', ...(o.threads ? ['-threads', String(o.threads)] : []), ...BITEXACT, '-f', 'image2', '-update', '1', join(staging, name)],
    outputs: [name],
    frames: 1,
    files: c.files,
    warnings: [],
  };
}

export function buildContact(inv: Invocation, staging: string, o: BuildOptions = {}): RenderPlan {
  const clip = inv.input.clip ?? {};
  const count = inv.params.count ?? 8;
  const width = inv.params.width ?? 320;
  if (!clip.durationFrames) throw new RushesError('USAGE', 'a contact strip needs the clip length (input.clip.durationFrames)');
  const step = Math.max(1, Math.floor(clip.durationFrames / count));
  const tiles = Math.min(count, Math.ceil(clip.durationFrames / step));
  const c = colour(inv, staging);
  const name = `${clipNameOf(inv)}_contact.jpg`;
  const filters = [`select=${filterValue(`not(mod(n,${step}))`)}`, `scale=${width}:-2:flags=lanczos`, ...c.filters, 'format=yuvj444p', `tile=${tiles}x1`];
  return {
    args: [...COMMON, ...inputArgs(inv), '-map', '0:v:0', '-frames:v', '1', '-vf', filters.join(','), '-fps_mode', 'passthrough', '-c:v', 'mjpeg', '-q:v', '3', ...(o.threads ? ['-threads', String(o.threads)] : []), ...BITEXACT, '-f', 'image2', '-update', '1', join(staging, name)],
    outputs: [name],
    frames: clip.durationFrames,
    files: c.files,
    warnings: [],
  };
}

export const BUILDERS: Record<Invocation['fn'], (inv: Invocation, staging: string, o?: BuildOptions) => RenderPlan> = {
  proxy: buildProxy,
  plate: buildPlate,
  thumbnail: buildThumbnail,
  contact: buildContact,
};
