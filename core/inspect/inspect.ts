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
import { parseSonyXml } from './probes/sony-xml.ts';
import { DEFAULT_TOOL_TIMEOUT_MS, ToolError, type ToolOptions } from './tools.ts';
import type { ClipRecord, InspectionIssue } from './types.ts';

export interface InspectInput {
  /** The roll folder the unit's paths are relative to. */
  root: string;
  unit: ClipUnit;
  roll?: string;
  offloadId?: string;
  hashes?: Record<string, Record<string, string>>;
  /** Per tool call; a tool that takes longer is killed. */
  timeoutMs?: number;
  /** Also run MediaInfo on every movie, not only where it knows more than ffprobe (MXF). */
  mediainfoAlways?: boolean;
}

/** Formats ffprobe cannot open: their headers are read by ExifTool. */
const EXIFTOOL_FIRST = new Set(['.r3d', '.braw', '.crm', '.nev', '.ari', '.arx']);
/** Where MediaInfo reads more than ffprobe: MXF descriptors and acquisition metadata. */
const MEDIAINFO_TOO = new Set(['.mxf']);
const SIDECAR_MAX_BYTES = 4 * 1024 * 1024;

export async function inspectClip(input: InspectInput, signal?: { throwIfAborted(): void }): Promise<ClipRecord> {
  const { unit, root } = input;
  const tools: ToolOptions = { timeoutMs: input.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS, signal };
  const bundle: ProbeBundle = { unit, root, roll: input.roll, offloadId: input.offloadId, hashes: input.hashes, tools: [], issues: [] };
  const file = join(root, unit.files[0] ?? unit.relativePath);
  const ext = extname(file).toLowerCase();
  const issue = (i: InspectionIssue) => bundle.issues.push(i);

  const size = await fileSize(file);
  if (typeof size !== 'number') issue({ code: 'UNREADABLE', message: `${file} cannot be read (${size})`, path: file });
  else if (size === 0) issue({ code: 'EMPTY', message: `${file} is empty (0 bytes)`, path: file });
  else if (ext === '.dpx' || ext === '.exr') await readHeader(bundle, file, ext);
  else await runProbes(bundle, file, ext, tools, input.mediainfoAlways ?? false);

  await readSidecars(bundle, root);
  signal?.throwIfAborted();
  try {
    return normalise(bundle);
  } catch (e) {
    // A header that parsed but holds nonsense must not cost the clip its record.
    return failedRecord(input, `${file}: its metadata could not be normalised (${(e as Error).message})`, bundle.issues);
  }
}

/** The record of a clip that could not be inspected at all: where it is and why. */
export function failedRecord(input: Pick<InspectInput, 'root' | 'unit' | 'roll' | 'offloadId' | 'hashes'>, message: string, earlier: InspectionIssue[] = []): ClipRecord {
  return normalise({ unit: input.unit, root: input.root, roll: input.roll, offloadId: input.offloadId, hashes: input.hashes, tools: [], issues: [...earlier, { code: 'INTERNAL', message, path: join(input.root, input.unit.relativePath) }] });
}

async function runProbes(b: ProbeBundle, file: string, ext: string, o: ToolOptions, mediainfoAlways: boolean): Promise<void> {
  const attempt = async <T>(tool: string, run: () => Promise<T>): Promise<T | undefined> => {
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
    MEDIAINFO_TOO.has(ext) || mediainfoAlways ? attempt('mediainfo', async () => flattenMediainfo(await mediainfo(file, o))) : undefined,
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
  const want = ext === '.dpx' ? DPX_HEADER_BYTES : EXR_HEADER_BYTES;
  try {
    const head = await readStart(file, want);
    if (ext === '.dpx') b.dpx = parseDpxHeader(head);
    else b.exr = parseExrHeader(head);
    b.tools.push(ext === '.dpx' ? 'dpx-header' : 'exr-header');
  } catch (e) {
    const code = e instanceof HeaderError ? (/truncat/.test(e.message) ? 'TRUNCATED' : 'UNKNOWN_FORMAT') : 'UNREADABLE';
    b.issues.push({ code, message: `${file}: ${(e as Error).message}`, path: file });
  }
}

async function readSidecars(b: ProbeBundle, root: string): Promise<void> {
  for (const rel of b.unit.sidecars) {
    const path = join(root, rel);
    if (!/m\d\d\.xml$/i.test(rel)) continue;
    try {
      const text = (await readStart(path, SIDECAR_MAX_BYTES)).toString('utf8');
      b.sony = parseSonyXml(text);
      b.tools.push('sony-xml');
    } catch (e) {
      b.issues.push({ code: 'SIDECAR_INVALID', message: `sidecar ${path} cannot be used: ${(e as Error).message}`, path });
    }
  }
}

async function readStart(path: string, bytes: number): Promise<Buffer> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function fileSize(path: string): Promise<number | string> {
  try {
    return (await fsp.stat(path)).size;
  } catch (e) {
    return errno(e) ?? (e as Error).message;
  }
}
