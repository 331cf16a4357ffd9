/**
 * From a clip (its inspection record) and what a person asked for to an invocation: the
 * clip facts a function needs, colour and framing files read and parsed here (so the
 * invocation carries them and the function reads nothing but its input), and an id derived
 * from all of it, so asking twice names the same work.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { RushesError } from '../errors.ts';
import type { ClipRecord } from '../inspect/types.ts';
import { parseAmf, parseCdlXml, parseCube, type Cdl } from './colour.ts';
import { parseFdl } from './fdl.ts';
import { BUILDERS } from './builders.ts';
import { fileUri, parseInvocation, type ClipFacts, type FnName, type Invocation } from './invocation.ts';
import { folderUri, isUri, storageFor } from '../runtime/storage.ts';

/** Plain parameters pass through to the invocation as they are; files are read and parsed here. */
const PLAIN_PARAMS = ['codec', 'height', 'burnIn', 'audio', 'frames', 'handles', 'format', 'width', 'count'] as const;

export type PlainParams = Pick<Invocation['params'], (typeof PLAIN_PARAMS)[number]>;

export interface RenderRequest extends PlainParams {
  fn: FnName;
  outDir: string;
  fdlFile?: string;
  framingDecision?: string;
  canvasTemplate?: string;
  cdlFile?: string;
  cdlId?: string;
  lutFile?: string;
  amfFile?: string;
}

/** The facts of a clip record a function uses. */
function clipFacts(rec: ClipRecord): ClipFacts {
  const squeeze = rec.camera.anamorphicSqueeze;
  const f: ClipFacts = {
    clipName: rec.clipName,
    roll: rec.roll,
    timecodeStart: rec.timecode?.start,
    frameRate: rec.projectFrameRate,
    durationFrames: rec.durationFrames,
    width: rec.video.width,
    height: rec.video.height,
    anamorphicSqueeze: squeeze && squeeze.num !== squeeze.denom ? squeeze.num / squeeze.denom : undefined,
    videoStartSeconds: videoStartOffset(rec),
    firstFrameNumber: rec.sequence?.firstFrame,
    sequencePattern: rec.sequence?.pattern,
  };
  for (const k of Object.keys(f) as (keyof ClipFacts)[]) if (f[k] === undefined) delete f[k];
  return f;
}

/** How far the video stream starts after the file's first stream (ffmpeg seeks count from the latter). */
function videoStartOffset(rec: ClipRecord): number | undefined {
  const ff = rec.raw.ffprobe as { format?: { start_time?: string }; streams?: { codec_type?: string; start_time?: string }[] } | undefined;
  const video = ff?.streams?.find((s) => s.codec_type === 'video');
  const offset = Number(video?.start_time ?? 0) - Number(ff?.format?.start_time ?? 0);
  return Number.isFinite(offset) && offset > 0 ? Math.round(offset * 1e6) / 1e6 : undefined;
}

/** The file a function reads: the clip, or a sequence's first frame. */
function inputFile(rec: ClipRecord): string {
  if (!rec.sequence) return rec.source.path;
  const s = rec.sequence;
  return join(rec.source.path, s.pattern.replace(/#+/, (h) => String(s.firstFrame).padStart(h.length, '0')));
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (e) {
    throw new RushesError('USAGE', `the ${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { path });
  }
}

export interface BuiltInvocation {
  invocation: Invocation;
  /** What was asked for that cannot be applied (AMF named transforms). */
  warnings: string[];
}

export async function buildInvocation(rec: ClipRecord, req: RenderRequest): Promise<BuiltInvocation> {
  const warnings: string[] = [];
  const params: Invocation['params'] = {};
  for (const k of PLAIN_PARAMS) if (req[k] !== undefined) (params as Record<string, unknown>)[k] = req[k];
  if (req.fdlFile) {
    let doc: unknown;
    try {
      doc = JSON.parse(await readText(req.fdlFile, 'FDL'));
    } catch (e) {
      if (e instanceof RushesError) throw e;
      throw new RushesError('USAGE', `the FDL ${req.fdlFile} is not JSON: ${(e as Error).message}`, { path: req.fdlFile });
    }
    params.fdl = { document: parseFdl(doc, `the FDL ${req.fdlFile}`) as object, framingDecision: req.framingDecision, canvasTemplate: req.canvasTemplate };
  }
  let cdl: Cdl | undefined;
  if (req.amfFile) {
    const amf = parseAmf(await readText(req.amfFile, 'AMF'), req.amfFile);
    cdl = amf.cdl;
    for (const t of amf.notApplied) warnings.push(`${req.amfFile}: ${t.stage} ${t.transformId} is not applied (Rushes applies ASC CDL looks and .cube LUTs, not named ACES transforms)`);
  }
  if (req.cdlFile) cdl = parseCdlXml(await readText(req.cdlFile, 'CDL'), req.cdlFile, req.cdlId);
  if (cdl) params.cdl = cdl;
  if (req.lutFile) {
    const cube = await readText(req.lutFile, 'LUT');
    parseCube(cube, req.lutFile); // a malformed LUT is refused here, naming the line, not inside the render
    params.lut = { name: req.lutFile.split('/').pop()!, cube };
  }
  const input = { uri: fileUri(inputFile(rec)), clip: clipFacts(rec) };
  const output = { uri: folderUri(req.outDir) };
  storageFor(output.uri); // a place nothing here can write is refused now, not in a job later
  const digest = createHash('sha256').update(JSON.stringify({ fn: req.fn, input, output, params })).digest('hex').slice(0, 16);
  const invocation = parseInvocation({ fn: req.fn, id: `${req.fn}-${digest}`, input, output, params });
  // Builders are pure: building once here refuses a bad range or framing now, not in a job later.
  BUILDERS[req.fn](invocation, isUri(req.outDir) ? '/.check' : join(req.outDir, '.check'));
  return { invocation, warnings };
}
