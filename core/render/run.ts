/**
 * Runs one render invocation on this machine's ffmpeg: the body of the render functions,
 * the same in a worker thread, a `rushes-fn` process and a container. Outputs are written
 * into a staging folder the storage gives (beside the final place for file://), hashed,
 * and committed last; a failure leaves nothing under a final name. Running an invocation
 * again replaces its outputs with the same bytes.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { destinationError, errno, RushesError } from '../errors.ts';
import type { Progress } from '../events/types.ts';
import type { Hashing } from '../hash/hashing.ts';
import { createHasher } from '../hash/index.ts';
import type { FunctionContext } from '../runtime/functions.ts';
import { fileUri, storageFor } from '../runtime/storage.ts';
import { forEachLimited } from '../util/limit.ts';
import { BUILDERS, type RenderPlan } from './builders.ts';
import { inputPath, type Invocation } from './invocation.ts';

export interface RenderOutput {
  /** Name under the output folder (a plate's folder, or a file). */
  name: string;
  /** Where it landed: a path for file:// outputs. */
  path: string;
  /** Bytes, over all files for a folder. */
  size: number;
  files: number;
  /** xxh64 of the file; for a folder, of its files' names and digests in order. */
  xxh64: string;
}

export interface RenderResult {
  id: string;
  fn: Invocation['fn'];
  outputs: RenderOutput[];
  warnings: string[];
  frames?: number;
  timings: { startedAt: string; ms: number; ffmpegMs: number };
}

export interface RenderContext extends FunctionContext {
  ffmpeg?: string;
  threads?: number;
}

export const DEFAULT_RENDER_TIMEOUT_MS = 6 * 60 * 60 * 1000;
/** A plate's frames hashed at once. */
const FRAMES_HASHED_AT_ONCE = 4;
const FONT_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/System/Library/Fonts/Supplemental/Arial.ttf'];

export async function runRender(given: Invocation, o: RenderContext): Promise<RenderResult> {
  const started = Date.now();
  const input = storageFor(given.input.uri);
  const output = storageFor(given.output.uri);
  // The builders read the input where the storage put it (a staged copy for a remote one).
  const inv: Invocation = { ...given, input: { ...given.input, uri: fileUri(await input.localInput(given.input.uri)) } };
  await assertInput(inv);
  const stage = await output.stageOutputs(inv.output.uri, inv.id);
  const plan = BUILDERS[inv.fn](inv, stage.dir, { fontFile: FONT_CANDIDATES.find((f) => existsSync(f)), threads: o.threads });
  try {
    for (const d of plan.folders ?? []) await fsp.mkdir(join(stage.dir, d), { recursive: true });
    for (const f of plan.files) await fsp.writeFile(join(stage.dir, f.name), f.content);
  } catch (e) {
    await stage.discard();
    throw destinationError(e, stage.dir);
  }
  try {
    const t0 = Date.now();
    await runFfmpeg(inv, plan, o);
    const written = await checkOutputs(inv, plan, stage.dir);
    const ffmpegMs = Date.now() - t0;
    const hashed = [];
    for (const w of written) hashed.push({ name: w.name, ...(await hashOutput(w, o.hashing)) });
    const landed = await stage.commit(written.map((w) => w.name));
    const outputs = hashed.map((h) => ({ ...h, path: landed.get(h.name)! }));
    return { id: inv.id, fn: inv.fn, outputs, warnings: plan.warnings, frames: plan.frames, timings: { startedAt: new Date(started).toISOString(), ms: Date.now() - started, ffmpegMs } };
  } catch (e) {
    await stage.discard();
    throw e;
  }
}

async function assertInput(inv: Invocation): Promise<void> {
  const path = inputPath(inv);
  try {
    const st = await fsp.stat(path);
    if (!st.isFile()) throw new RushesError('SOURCE_MISSING', `render input ${path} is not a file`, { path });
    if (st.size === 0) throw new RushesError('INPUT_UNDECODABLE', `render input ${path} is empty (0 bytes)`, { path });
  } catch (e) {
    if (e instanceof RushesError) throw e;
    throw new RushesError('SOURCE_MISSING', `render input ${path} cannot be read (${errno(e) ?? (e as Error).message})`, { path, cause: e });
  }
}

/** Runs ffmpeg, reading its -progress lines; kills it (SIGKILL) on cancel or at the deadline. */
function runFfmpeg(inv: Invocation, plan: RenderPlan, o: RenderContext): Promise<void> {
  const input = inputPath(inv);
  return new Promise((resolve, reject) => {
    o.signal?.throwIfAborted();
    const child = spawn(o.ffmpeg ?? 'ffmpeg', plan.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let pending = '';
    let last = { frame: 0, fps: 0, bytes: 0 };
    let settled = false;
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (e) {
        child.kill('SIGKILL');
        reject(e);
      } else resolve();
    };
    const timeoutMs = o.timeoutMs ?? DEFAULT_RENDER_TIMEOUT_MS;
    const timer = setTimeout(() => finish(new RushesError('RENDER_TIMEOUT', `${inv.fn} of ${input} took longer than ${Math.round(timeoutMs / 1000)} s; ffmpeg was killed`, { path: input })), timeoutMs);
    const onAbort = () => finish(o.signal!.reason instanceof Error ? o.signal!.reason : new Error(String(o.signal!.reason ?? 'cancelled')));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      pending += b.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const eq = line.indexOf('=');
        const key = line.slice(0, eq);
        const value = line.slice(eq + 1).trim();
        if (key === 'frame') last = { ...last, frame: Number(value) || 0 };
        else if (key === 'fps') last = { ...last, fps: Number(value) || 0 };
        else if (key === 'total_size') last = { ...last, bytes: Number(value) || 0 };
        else if (key === 'progress') o.onProgress?.(renderProgress(last, plan));
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 16_384) stderr += b.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      finish(e.code === 'ENOENT' ? new RushesError('RUNTIME_UNAVAILABLE', 'ffmpeg is not installed on this machine') : new RushesError('RENDER_FAILED', `ffmpeg could not start: ${e.message}`)),
    );
    child.on('close', (code, sig) => {
      if (code === 0) return finish();
      finish(ffmpegError(input, stderr, code, sig));
    });
  });
}

/** What went wrong, from ffmpeg's own words: a clip it cannot decode is the input's fault, anything else the render's. */
function ffmpegError(input: string, stderr: string, code: number | null, sig: NodeJS.Signals | null): RushesError {
  const lines = stderr.trim().split('\n').map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '')).filter(Boolean);
  const first = lines.find((l) => /invalid|error|could not|no such|not supported|failed|unable/i.test(l)) ?? lines[0] ?? 'no message';
  const undecodable = /invalid data found|could not find codec parameters|moov atom not found|no decoder|decoder .* not found|does not contain any stream|unknown format|end of file/i.test(stderr);
  return new RushesError(undecodable ? 'INPUT_UNDECODABLE' : 'RENDER_FAILED', `ffmpeg ${undecodable ? 'cannot decode' : 'failed on'} ${input} (${sig ?? `exit ${code}`}): ${first.slice(0, 300)}`, { path: input });
}

/** An output ffmpeg wrote into staging: a file, or a plate's folder with its frame names. */
interface WrittenOutput {
  name: string;
  path: string;
  frames?: string[];
}

/** Every promised output is there and not empty; a plate has every frame. */
async function checkOutputs(inv: Invocation, plan: RenderPlan, staging: string): Promise<WrittenOutput[]> {
  const written: WrittenOutput[] = [];
  for (const name of plan.outputs) {
    const path = join(staging, name);
    const st = await fsp.stat(path).catch(() => undefined);
    if (!st) throw new RushesError('RENDER_FAILED', `ffmpeg finished but wrote no ${name} for ${inputPath(inv)}`, { path: inputPath(inv) });
    if (st.isDirectory()) {
      const frames = (await fsp.readdir(path)).sort();
      if (plan.frames !== undefined && frames.length !== plan.frames)
        throw new RushesError('RENDER_FAILED', `ffmpeg wrote ${frames.length} of ${plan.frames} frames of ${inputPath(inv)} (the range may run past the clip's end)`, { path: inputPath(inv) });
      written.push({ name, path, frames });
    } else if (st.size === 0) throw new RushesError('RENDER_FAILED', `ffmpeg wrote an empty ${name} for ${inputPath(inv)}`, { path: inputPath(inv) });
    else written.push({ name, path });
  }
  return written;
}

/** Where a render is: frames written of those planned, at ffmpeg's frames per second; bytes written so far (the total is not known before the end). */
function renderProgress(p: { frame: number; fps: number; bytes: number }, plan: RenderPlan): Progress {
  const framesTotal = plan.frames ?? 0;
  const left = Math.max(0, framesTotal - p.frame);
  return {
    bytesDone: p.bytes,
    bytesTotal: 0,
    filesDone: 0,
    filesTotal: plan.outputs.length,
    framesDone: p.frame,
    framesTotal,
    rate: p.fps,
    etaSeconds: framesTotal && p.fps > 0 ? left / p.fps : null,
  };
}

/** The hash of a finished output for the result: of the file, or of a plate's frames' names and digests, in order. */
async function hashOutput(w: WrittenOutput, hashing: Hashing): Promise<{ size: number; files: number; xxh64: string }> {
  if (!w.frames) {
    const d = await hashing.hashFile(w.path, ['xxh64'], { direct: false });
    return { size: d.bytes, files: 1, xxh64: d.digests.xxh64! };
  }
  const frames = w.frames;
  const digests: { xxh64: string; bytes: number }[] = [];
  await forEachLimited(frames.keys(), FRAMES_HASHED_AT_ONCE, async (i) => {
    const d = await hashing.hashFile(join(w.path, frames[i]!), ['xxh64'], { direct: false });
    digests[i] = { xxh64: d.digests.xxh64!, bytes: d.bytes };
  });
  const h = await createHasher('xxh64');
  frames.forEach((n, i) => h.update(Buffer.from(`${n} ${digests[i]!.xxh64}\n`)));
  return { size: digests.reduce((sum, d) => sum + d.bytes, 0), files: frames.length, xxh64: h.digest() };
}
