/**
 * Inspects one clip: runs the probes its format calls for, reads its sidecars and headers,
 * and normalises what they said. It never throws for bad input: a clip no tool can read
 * still gets a record, with the reason in `inspection.issues`. It runs inside a pool
 * worker (workers/tasks.ts); the external tools are child processes with a deadline.
 */
import { promises as fsp } from 'node:fs';
import { extname, join } from 'node:path';
import { errno } from '../errors.ts';
import type { ClipUnit } from './clips.ts';
import { normalise, type ProbeBundle } from './normalise.ts';
import { DPX_HEADER_BYTES, HeaderError, parseDpxHeader } from './probes/dpx.ts';
import { EXR_HEADER_BYTES, parseExrHeader } from './probes/exr.ts';
import { exiftool } from './probes/exiftool.ts';
import { ffprobe } from './probes/ffprobe.ts';
import { flattenMediainfo, mediainfo } from './probes/mediainfo.ts';
import { readStart } from './read-start.ts';
import { readSidecars } from './sidecars.ts';
import { DEFAULT_TOOL_TIMEOUT_MS, ToolError, type ToolOptions } from './tools.ts';
import type { ClipRecord, InspectionIssue } from './types.ts';

export interface InspectInput {
  /** The roll folder the unit's paths are relative to. */
  root: string;
  unit: ClipUnit;
  /** The roll the offload filed the clip under; the record prefers the roll the camera wrote (normalise.ts). */
  roll?: string;
  offloadId?: string;
  /** Per tool call; a tool that takes longer is killed. */
  timeoutMs?: number;
}

/** Formats ffprobe cannot open: their headers are read by ExifTool. */
const EXIFTOOL_FIRST = new Set(['.r3d', '.braw', '.crm', '.nev', '.ari', '.arx']);
/** Where MediaInfo reads more than ffprobe: MXF descriptors and acquisition metadata. */
const MEDIAINFO_TOO = new Set(['.mxf']);
/** An EXR header is read in steps up to this: string attributes can make it large, but not endless. */
const EXR_HEADER_MAX_BYTES = 16 * 1024 * 1024;

export async function inspectClip(input: InspectInput, signal?: { throwIfAborted(): void }): Promise<ClipRecord> {
  const { unit, root } = input;
  const tools: ToolOptions = { timeoutMs: input.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS, signal };
  const bundle: ProbeBundle = { unit, root, roll: input.roll, offloadId: input.offloadId, tools: [], issues: [] };
  const file = join(root, unit.files[0] ?? unit.relativePath);
  const ext = extname(file).toLowerCase();
  const issue = (i: InspectionIssue) => bundle.issues.push(i);

  const size = await fileSize(file);
  if (typeof size !== 'number') issue({ code: 'UNREADABLE', message: `${file} cannot be read (${size})`, path: file });
  else if (size === 0) issue({ code: 'EMPTY', message: `${file} is empty (0 bytes)`, path: file });
  else if (ext === '.dpx' || ext === '.exr') await readHeader(bundle, file, ext);
  else await runProbes(bundle, file, ext, tools);

  await readSidecars(bundle);
  signal?.throwIfAborted();
  try {
    return normalise(bundle);
  } catch (e) {
    // A header that parsed but holds nonsense must not cost the clip its record.
    return failedRecord(input, `${file}: its metadata could not be normalised (${(e as Error).message})`, bundle.issues);
  }
}

/** The record of a clip that could not be inspected at all: where it is and why. */
export function failedRecord(input: InspectInput, message: string, earlier: InspectionIssue[] = []): ClipRecord {
  return normalise({ unit: input.unit, root: input.root, roll: input.roll, offloadId: input.offloadId, tools: [], issues: [...earlier, { code: 'INTERNAL', message, path: join(input.root, input.unit.relativePath) }] });
}

async function runProbes(b: ProbeBundle, file: string, ext: string, o: ToolOptions): Promise<void> {
  const attempt = async <T>(tool: string, run: () => Promise<T>): Promise<T | undefined> => {
    // A cancelled clip starts no further tool.
    o.signal?.throwIfAborted();
    try {
      const v = await run();
      b.tools.push(tool);
      return v;
    } catch (e) {
      b.issues.push(toolIssue(e, tool, file));
      return undefined;
    }
  };
  if (EXIFTOOL_FIRST.has(ext)) {
    b.exif = await attempt('exiftool', () => exifOrError(file, o));
    return;
  }
  const [probe, mi] = await Promise.all([
    attempt('ffprobe', () => ffprobe(file, o)),
    MEDIAINFO_TOO.has(ext) ? attempt('mediainfo', async () => flattenMediainfo(await mediainfo(file, o))) : undefined,
  ]);
  b.ffprobe = probe;
  b.mediainfo = mi;
  if (!probe) {
    // ffprobe could not open it: ExifTool may still know the format (or say why not).
    b.exif = await attempt('exiftool', () => exifOrError(file, o));
  } else if (probe.streams.length === 0) {
    b.issues.push({ code: 'UNKNOWN_FORMAT', message: `${file}: no audio or video stream found`, path: file, tool: 'ffprobe' });
  }
}

/** ExifTool answers an unknown or damaged file with an Error tag and exit 0: that is a failure here. */
async function exifOrError(file: string, o: ToolOptions): Promise<Record<string, unknown>> {
  const tags = await exiftool(file, o);
  if (typeof tags.Error === 'string') throw new ToolError('TOOL_FAILED', 'exiftool', `exiftool cannot read ${file}: ${tags.Error}`);
  // ExifTool describes any file (a text file is "TXT"): only a picture or sound is a clip.
  const mime = String(tags.MIMEType ?? '');
  if (!/^(video|image|audio)\//.test(mime)) throw new ToolError('TOOL_FAILED', 'exiftool', `${file} is not a picture or sound format ExifTool knows (${tags.FileType ?? 'unknown type'}${mime ? `, ${mime}` : ''})`);
  return tags;
}

function toolIssue(e: unknown, tool: string, file: string): InspectionIssue {
  if (e instanceof ToolError) {
    const corrupt = /invalid data|moov atom not found|end of file|truncat|could not find codec|format error|not a picture or sound/i.test(e.message);
    return { code: e.code === 'TOOL_FAILED' && corrupt ? 'UNREADABLE' : e.code, message: e.message, path: file, tool };
  }
  return { code: 'TOOL_FAILED', message: `${tool} output about ${file} could not be read: ${(e as Error).message}`, path: file, tool };
}

async function readHeader(b: ProbeBundle, file: string, ext: string): Promise<void> {
  try {
    if (ext === '.dpx') b.dpx = parseDpxHeader((await readStart(file, DPX_HEADER_BYTES)).bytes);
    else b.exr = await readExrHeader(file);
    b.tools.push(ext === '.dpx' ? 'dpx-header' : 'exr-header');
  } catch (e) {
    const code = e instanceof HeaderError ? (/truncat/.test(e.message) ? 'TRUNCATED' : 'UNKNOWN_FORMAT') : 'UNREADABLE';
    b.issues.push({ code, message: `${file}: ${(e as Error).message}`, path: file });
  }
}

/** A header larger than the first read is read again, larger, until it parses or reaches the cap. */
async function readExrHeader(file: string): Promise<ReturnType<typeof parseExrHeader>> {
  for (let want = EXR_HEADER_BYTES; ; want *= 16) {
    const { bytes, size } = await readStart(file, want);
    try {
      return parseExrHeader(bytes);
    } catch (e) {
      const cutShort = e instanceof HeaderError && /truncat/.test(e.message) && size > bytes.length;
      if (!cutShort) throw e;
      if (want >= EXR_HEADER_MAX_BYTES) throw new HeaderError(`OpenEXR header is larger than ${EXR_HEADER_MAX_BYTES} bytes; not read`);
    }
  }
}

async function fileSize(path: string): Promise<number | string> {
  try {
    return (await fsp.stat(path)).size;
  } catch (e) {
    return errno(e) ?? (e as Error).message;
  }
}
