/**
 * Probe results → one clip record. Pure: the same probe output always gives the same
 * record, so every vendor is tested on fixed inputs. Stream facts (size, codec, rates,
 * audio) come from ffprobe's structure; camera facts come from the vendor tables.
 */
import { posix } from 'node:path';
import { TOOL } from '../version.ts';
import type { ClipUnit } from './clips.ts';
import { isRational, type Raw } from './convert.ts';
import type { DpxHeader } from './probes/dpx.ts';
import { exrTimecode, type ExrAttributes } from './probes/exr.ts';
import type { FfprobeResult, FfprobeStream } from './probes/ffprobe.ts';
import { rollInClipName, rollOfReel } from './roll.ts';
import { clipTimecode, parseRate, rateFromNumber, reduce, timecodeBase } from './timecode.ts';
import type { ClipRecord, InspectionIssue, Rational } from './types.ts';
import { GENERIC_ROWS, holds, isVendor, VENDORS, type Field } from './vendors.ts';

/** The camera sidecars a bundle can carry (sidecars.ts reads them), each a namespace of raw keys. */
export type SidecarKind = 'sony' | 'canon' | 'braw';

export interface ProbeBundle {
  unit: ClipUnit;
  /** Absolute path of the roll folder the unit's paths are relative to. */
  root: string;
  /** The roll the offload filed the clip under: the record's roll only when the camera wrote none. */
  roll?: string;
  ffprobe?: FfprobeResult;
  /** Flattened MediaInfo fields (probes/mediainfo.ts). */
  mediainfo?: Record<string, string>;
  exif?: Record<string, unknown>;
  sony?: Record<string, string>;
  canon?: Record<string, string>;
  braw?: Record<string, string>;
  dpx?: DpxHeader;
  exr?: ExrAttributes;
  /** Tools and parsers that answered. */
  tools: string[];
  /** Tools that ran and failed, files that could not be read. */
  issues: InspectionIssue[];
  offloadId?: string;
}

type Values = Partial<Record<Field, unknown>>;

/** Every raw key → value, namespaced by source (see vendors.ts). */
function rawFacts(b: ProbeBundle): Map<string, Raw> {
  const facts = new Map<string, Raw>();
  const put = (prefix: string, obj: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(obj ?? {})) if ((typeof v === 'string' || typeof v === 'number') && !facts.has(prefix + k)) facts.set(prefix + k, v);
  };
  put('qt:', b.ffprobe?.format.tags);
  for (const s of b.ffprobe?.streams ?? []) if (s.codec_type === 'video' || s.codec_type === 'data') put('qt:', s.tags);
  put('mi:', b.mediainfo);
  put('exif:', b.exif);
  put('sony:', b.sony);
  put('canon:', b.canon);
  put('braw:', b.braw);
  return facts;
}

/** Applies the vendor tables: the first row with a usable value wins each field. */
function tableValues(facts: Map<string, Raw>): { values: Values; make?: string } {
  const vendor = VENDORS.find((v) => isVendor(v, facts));
  const values: Values = {};
  for (const [key, field, convert, when] of [...(vendor?.rows ?? []), ...GENERIC_ROWS]) {
    if (values[field] !== undefined) continue;
    const raw = facts.get(key);
    if (raw === undefined || (when && !holds(when, facts))) continue;
    const v = convert(raw);
    if (v !== undefined) values[field] = v;
  }
  return { values, make: vendor?.make };
}

export function normalise(b: ProbeBundle, now = new Date()): ClipRecord {
  const { unit } = b;
  const facts = rawFacts(b);
  const { values, make } = tableValues(facts);
  const video = b.ffprobe?.streams.find((s) => s.codec_type === 'video');
  const audio = b.ffprobe?.streams.filter((s) => s.codec_type === 'audio') ?? [];
  const get = <T>(f: Field) => values[f] as T | undefined;

  const rec: ClipRecord = {
    schemaVersion: 1,
    clipName: get<string>('clipName') ?? unit.name,
    kind: unit.kind === 'sequence' ? 'sequence' : video ? 'video' : audio.length ? 'audio' : b.sony || b.canon || b.braw || exifHasPicture(b.exif) ? 'video' : 'unknown',
    camera: compact({
      make: get<string>('camera.make') ?? make,
      model: get('camera.model'),
      serialNumber: get('camera.serialNumber'),
      firmwareVersion: get('camera.firmwareVersion'),
      label: get('camera.label'),
      captureFrameRate: get('camera.captureFrameRate'),
      anamorphicSqueeze: get('camera.anamorphicSqueeze'),
      isoSpeed: get('camera.isoSpeed'),
      shutterAngle: get('camera.shutterAngle'),
      shutterSpeed: get('camera.shutterSpeed'),
      sensorMode: get('camera.sensorMode'),
      whiteBalance: get('camera.whiteBalance'),
      tint: get('camera.tint'),
      ndStops: get('camera.ndStops'),
    }),
    lens: compact({
      make: get('lens.make'),
      model: get('lens.model'),
      serialNumber: get('lens.serialNumber'),
      focalLength: get('lens.focalLength'),
      nominalFocalLength: get('lens.nominalFocalLength'),
      tStop: get('lens.tStop'),
      fStop: get('lens.fStop'),
      focusDistance: get('lens.focusDistance'),
    }),
    colour: compact({ space: get('colour.space'), gamma: get('colour.gamma'), look: get('colour.look') }),
    video: compact({
      codec: video?.codec_name ?? get('video.codec'),
      profile: video?.profile && video.profile !== 'unknown' ? video.profile : undefined,
      width: video?.width ?? get('video.width'),
      height: video?.height ?? get('video.height'),
      pixelAspectRatio: video ? ratioText(video.sample_aspect_ratio) : undefined,
      bitDepth: video ? bitDepth(video) : get('video.bitDepth'),
      chroma: video?.pix_fmt ? chromaOf(video.pix_fmt) : undefined,
    }),
    source: compact({
      path: posix.join(b.root, unit.kind === 'sequence' ? posix.dirname(unit.relativePath) : unit.relativePath),
      root: b.root,
      relativePath: unit.relativePath,
      size: unit.size,
      files: unit.files.length,
      offloadId: b.offloadId,
    }),
    raw: rawOf(b),
    inspection: {
      status: 'ok',
      tools: b.tools,
      issues: b.issues,
      inspectedAt: now.toISOString(),
      rushesVersion: TOOL.version,
    },
  };
  const recorder = compact({ make: get<string>('recorder.make'), model: get<string>('recorder.model'), serialNumber: get<string>('recorder.serialNumber'), firmwareVersion: get<string>('recorder.firmwareVersion') });
  if (Object.keys(recorder).length) rec.recorder = recorder;
  for (const k of ['reel', 'scene', 'take'] as const) {
    const v = get<string>(k);
    if (v) rec[k] = v;
  }
  applyRoll(rec, b.roll);
  const container = containerOf(b);
  if (container) rec.container = container;
  if (b.ffprobe && audio.length) {
    rec.audio = compact({
      tracks: audio.length,
      channels: audio.reduce((t, s) => t + (s.channels ?? 0), 0),
      sampleRate: audio[0]?.sample_rate ? Number(audio[0].sample_rate) : undefined,
      bitDepth: audio[0] ? bitDepth(audio[0]) : undefined,
      codec: audio[0]?.codec_name,
    });
  }
  applyTiming(rec, b, values);
  applyImageHeaders(rec, b);
  if (unit.sequence) {
    rec.sequence = unit.sequence;
    if (unit.sequence.missingCount > 0)
      rec.inspection.issues.push({ code: 'SEQUENCE_GAPS', message: `${unit.sequence.missingCount} frame(s) missing between ${unit.sequence.firstFrame} and ${unit.sequence.lastFrame} (first: ${unit.sequence.missingFrames.slice(0, 5).join(', ')})`, path: rec.source.path });
  }
  const recordedAt = get<string>('recordedAt');
  if (recordedAt) rec.recordedAt = recordedAt;
  rec.inspection.status = b.tools.length === 0 ? 'failed' : b.issues.some((i) => i.code !== 'SEQUENCE_GAPS') ? 'partial' : 'ok';
  if (rec.inspection.status === 'failed') rec.kind = unit.kind === 'sequence' ? 'sequence' : 'unknown';
  return rec;
}

/**
 * The roll and camera index as the camera wrote them: the clip name (B002C014_… → roll B002,
 * camera B), else the recorded reel (with the camera index in front of a bare reel number),
 * else the roll the offload filed the clip under. A folder's name is never a roll here.
 */
function applyRoll(rec: ClipRecord, offloadRoll: string | undefined): void {
  const named = rollInClipName(rec.clipName) ?? rollInClipName(posix.basename(rec.source.relativePath));
  if (named) rec.camera.label ??= named.camera;
  const roll = named?.roll ?? (rec.reel ? rollOfReel(rec.reel, rec.camera.label) : undefined) ?? offloadRoll;
  if (roll) rec.roll = roll;
}

/** Frame rates, duration and timecode, from whichever source knows them. */
function applyTiming(rec: ClipRecord, b: ProbeBundle, values: Values): void {
  const video = b.ffprobe?.streams.find((s) => s.codec_type === 'video');
  const streamRate = video ? (parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate)) : undefined;
  const headerRate = b.dpx?.frameRate ? rateFromNumber(b.dpx.frameRate) : isRational(b.exr?.framesPerSecond) ? reduce(b.exr.framesPerSecond as Rational) : undefined;
  const project = (values.projectFrameRate as Rational | undefined) ?? streamRate ?? headerRate;
  if (project) rec.projectFrameRate = project;
  const capture = (values['camera.captureFrameRate'] as Rational | undefined) ?? (b.dpx || b.exr ? headerRate : undefined);
  if (capture) rec.camera.captureFrameRate = capture;

  const seconds = Number(video?.duration ?? b.ffprobe?.format.duration);
  const seq = b.unit.sequence;
  const frames = (seq ? seq.lastFrame - seq.firstFrame + 1 : undefined) ?? (values.durationFrames as number | undefined) ?? (video?.nb_frames ? Number(video.nb_frames) : undefined) ?? (project && seconds > 0 ? Math.round((seconds * project.num) / project.denom) : undefined);
  if (frames && frames > 0) rec.durationFrames = frames;
  if (seconds > 0) rec.durationSeconds = Math.round(seconds * 1000) / 1000;
  else if (frames && project) rec.durationSeconds = Math.round(((frames * project.denom) / project.num) * 1000) / 1000;

  const start = (values['timecode.start'] as string | undefined) ?? b.dpx?.timecode ?? exrStart(b.exr);
  const base = (values['timecode.rate'] as number | undefined) ?? (project ? timecodeBase(project) : undefined);
  if (start && base) {
    // Sony at 50p/59.94p counts frames at the video rate but timecode at half of it (halfStep).
    const tcFrames = frames && values['timecode.halfStep'] === true ? Math.ceil(frames / 2) : frames;
    const tc = clipTimecode(start, base, tcFrames);
    if (tc) rec.timecode = tc;
  }
}

function exrStart(exr: ExrAttributes | undefined): string | undefined {
  const tc = exr?.timeCode as { timeAndFlags: number } | undefined;
  return tc ? exrTimecode(tc.timeAndFlags).text : undefined;
}

/** DPX and EXR headers: size, depth, transfer, the device that made them. */
function applyImageHeaders(rec: ClipRecord, b: ProbeBundle): void {
  if (b.dpx) {
    const d = b.dpx;
    rec.video.width ??= d.width || undefined;
    rec.video.height ??= d.height || undefined;
    rec.video.bitDepth ??= d.bitDepth || undefined;
    rec.video.codec ??= 'dpx';
    rec.video.chroma ??= d.descriptor === 51 ? 'RGBA' : d.descriptor === 50 ? 'RGB' : d.descriptor === 100 ? '4:2:2' : undefined;
    if (d.pixelAspect) rec.video.pixelAspectRatio ??= reduce({ num: d.pixelAspect[0], denom: d.pixelAspect[1] });
    if (d.transfer !== 'user-defined' && d.transfer !== 'unspecified video') rec.colour.gamma ??= d.transfer === 'logarithmic' || d.transfer === 'printing density' ? 'Cineon log' : d.transfer;
    if (d.shutterAngle) rec.camera.shutterAngle ??= Math.round(d.shutterAngle * 100) / 100;
    if (d.inputDevice) rec.camera.model ??= d.inputDevice;
    if (d.inputSerial) rec.camera.serialNumber ??= d.inputSerial;
    if (d.createdAt) rec.recordedAt ??= d.createdAt.replace(/^(\d{4}):(\d{2}):(\d{2}):(\d{2}):(\d{2}):(\d{2}).*$/, '$1-$2-$3T$4:$5:$6');
  }
  if (b.exr) {
    const e = b.exr;
    const dw = e.dataWindow as { xMin: number; yMin: number; xMax: number; yMax: number } | undefined;
    if (dw && typeof dw.xMax === 'number' && dw.xMax >= dw.xMin && dw.yMax >= dw.yMin) {
      rec.video.width ??= dw.xMax - dw.xMin + 1;
      rec.video.height ??= dw.yMax - dw.yMin + 1;
    }
    rec.video.codec ??= `exr ${String(e.compression ?? '')}`.trim();
    const channels = Array.isArray(e.channels) ? (e.channels as { name: string; type: string }[]) : undefined;
    if (channels?.length) {
      rec.video.chroma ??= channels.map((ch) => ch.name).join('');
      rec.video.bitDepth ??= channels[0]!.type === 'half' ? 16 : 32;
    }
    if (typeof e.pixelAspectRatio === 'number' && e.pixelAspectRatio > 0) rec.video.pixelAspectRatio ??= reduce({ num: Math.round(e.pixelAspectRatio * 1000), denom: 1000 });
    if (typeof e.capDate === 'string') rec.recordedAt ??= e.capDate.replace(/^(\d{4}):(\d{2}):(\d{2}) /, '$1-$2-$3T');
  }
}

function containerOf(b: ProbeBundle): string | undefined {
  if (b.dpx) return 'DPX';
  if (b.exr) return 'OpenEXR';
  const f = b.ffprobe?.format.format_name ?? '';
  if (f.startsWith('mov')) return 'QuickTime';
  if (f === 'mxf') return 'MXF';
  if (f) return b.ffprobe?.format.format_long_name ?? f;
  const ext = posix.extname(b.unit.files[0] ?? '').slice(1).toUpperCase();
  return { R3D: 'R3D', BRAW: 'BRAW', CRM: 'Cinema RAW Light', ARI: 'ARRIRAW' }[ext];
}

function rawOf(b: ProbeBundle): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  if (b.ffprobe) raw.ffprobe = { format: b.ffprobe.format, streams: b.ffprobe.streams };
  if (b.mediainfo) raw.mediainfo = b.mediainfo;
  if (b.exif) raw.exiftool = b.exif;
  if (b.sony) raw.sonyXml = b.sony;
  if (b.canon) raw.canonXml = b.canon;
  if (b.braw) raw.brawSidecar = b.braw;
  if (b.dpx) raw.dpx = b.dpx;
  if (b.exr) raw.exr = b.exr;
  return raw;
}

function exifHasPicture(exif: Record<string, unknown> | undefined): boolean {
  return !!exif && (Number(exif.ImageWidth) > 0 || String(exif.MIMEType ?? '').startsWith('video/'));
}

function ratioText(v: string | undefined): Rational | undefined {
  const m = /^(\d+):(\d+)$/.exec(v ?? '');
  return m && Number(m[1]) > 0 && Number(m[2]) > 0 ? reduce({ num: Number(m[1]), denom: Number(m[2]) }) : undefined;
}

function bitDepth(s: FfprobeStream): number | undefined {
  const raw = Number(s.bits_per_raw_sample);
  if (raw > 0) return raw;
  if (s.bits_per_sample && s.bits_per_sample > 0) return s.bits_per_sample;
  const m = /(\d+)(?:le|be)$/.exec(s.pix_fmt ?? '');
  return m ? Number(m[1]) : s.pix_fmt ? 8 : undefined;
}

function chromaOf(pixFmt: string): string | undefined {
  if (/^yuva?444/.test(pixFmt)) return '4:4:4';
  if (/^yuva?422/.test(pixFmt)) return '4:2:2';
  if (/^yuva?420/.test(pixFmt)) return '4:2:0';
  if (/^(gbrap|rgba|bgra|argb)/.test(pixFmt)) return 'RGBA';
  if (/^(gbr|rgb|bgr)/.test(pixFmt)) return 'RGB';
  if (/^gray/.test(pixFmt)) return 'mono';
  return pixFmt;
}

/** Drops undefined members, so the record holds only what a source said. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
