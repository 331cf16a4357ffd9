/**
 * Runs one invocation on this machine's ffmpeg: the body of `rushes-fn`, the same in a
 * container and on the host. Outputs are written into a staging folder beside the final
 * place (`.rushes-fn-<id>.….rushes-part`), fsynced and committed last, by rename; a failure leaves nothing
 * under a final name. Running an invocation again replaces its outputs with the same bytes.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { destinationError, errno, RushesError } from '../errors.ts';
import { fsyncFile, fsyncFolder, temporaryPath } from '../fs/durable.ts';
import { createHasher } from '../hash/index.ts';
import { forEachLimited } from '../util/limit.ts';
import { BUILDERS, type RenderPlan } from './builders.ts';
import { inputPath, outputDir, parseInvocation, type Invocation } from './invocation.ts';

export interface RenderOutput {
  /** Name under the output folder (a plate's folder, or a file). */
  name: string;
  path: string;
  /** Bytes, over all files for a folder. */
  size: number;
  files: number;
  /** xxh64 of the file; for a folder, of its files' names and digests in order. */
  xxh64: string;
}

export interface RenderResult {
  ok: true;
  id: string;
  fn: Invocation['fn'];
  outputs: RenderOutput[];
  warnings: string[];
  frames?: number;
  timings: { startedAt: string; ms: number; ffmpegMs: number };
}

export interface RenderProgress {
  frame: number;
  frames?: number;
  fps?: number;
  speed?: string;
}

/** Hashes one finished file: its xxh64 and size. */
export type OutputHasher = (path: string) => Promise<{ xxh64: string; bytes: number }>;

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onProgress?: (p: RenderProgress) => void;
  ffmpeg?: string;
  threads?: number;
  /**
   * How outputs are hashed. The default reads them on this thread, right for `rushes-fn`
   * (a process of its own); the daemon and CLI pass the worker pool's, so their event loop
   * does no hashing.
   */
  hashOutput?: OutputHasher;
}

export const DEFAULT_RENDER_TIMEOUT_MS = 6 * 60 * 60 * 1000;
/** A plate's frames hashed at once: enough to keep the pool's workers busy. */
const FRAMES_HASHED_AT_ONCE = 4;
const FONT_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/System/Library/Fonts/Supplemental/Arial.ttf'];

/** A staging folder of this run alone: two runs of one invocation (a CLI beside the daemon) never share one. */
function stagingDir(inv: Invocation): string {
  return temporaryPath(join(outputDir(inv), `rushes-fn-${inv.id}`), { unique: true });
}

export async function runInvocation(value: unknown, o: RunOptions = {}): Promise<RenderResult> {
  const inv = parseInvocation(value);
  const started = Date.now();
  await assertInput(inv);
  const out = outputDir(inv);
  await fsp.mkdir(out, { recursive: true }).catch((e: unknown) => {
    throw destinationError(e, out);
  });
  const staging = stagingDir(inv);
  const plan = BUILDERS[inv.fn](inv, staging, { fontFile: FONT_CANDIDATES.find((f) => existsSync(f)), threads: o.threads });
  try {
    await fsp.mkdir(staging, { recursive: true });
    for (const d of plan.folders ?? []) await fsp.mkdir(join(staging, d), { recursive: true });
    for (const f of plan.files) await fsp.writeFile(join(staging, f.name), f.content);
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true });
    throw destinationError(e, staging);
  }
  const t0 = Date.now();
  let written: WrittenOutput[];
  try {
    await runFfmpeg(inv, plan, o);
    written = await checkOutputs(inv, plan, staging);
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true });
    throw e;
  }
  const ffmpegMs = Date.now() - t0;
  const outputs: RenderOutput[] = [];
  try {
    for (const w of written) outputs.push(await commit(w, join(out, w.name), o.hashOutput ?? hashHere));
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
  return { ok: true, id: inv.id, fn: inv.fn, outputs, warnings: plan.warnings, frames: plan.frames, timings: { startedAt: new Date(started).toISOString(), ms: Date.now() - started, ffmpegMs } };
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
function runFfmpeg(inv: Invocation, plan: RenderPlan, o: RunOptions): Promise<void> {
  const input = inputPath(inv);
  return new Promise((resolve, reject) => {
    o.signal?.throwIfAborted();
    const child = spawn(o.ffmpeg ?? 'ffmpeg', plan.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let pending = '';
    let last: RenderProgress = { frame: 0, frames: plan.frames };
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
        else if (key === 'fps') last = { ...last, fps: Number(value) || undefined };
        else if (key === 'speed') last = { ...last, speed: value };
        else if (key === 'progress') o.onProgress?.(last);
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

/** The default OutputHasher: reads the file on this thread. */
async function hashHere(path: string): Promise<{ xxh64: string; bytes: number }> {
  const h = await createHasher('xxh64');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { xxh64: h.digest(), bytes };
}

/** Hashes a finished output for the result (a folder: its frames' names and digests, in order), forces it to the device, then moves it to its final name. */
async function commit(w: WrittenOutput, to: string, hashOutput: OutputHasher): Promise<RenderOutput> {
  let result: Omit<RenderOutput, 'name' | 'path'>;
  if (w.frames) {
    const frames = w.frames;
    const digests: { xxh64: string; bytes: number }[] = [];
    await forEachLimited(frames.keys(), FRAMES_HASHED_AT_ONCE, async (i) => {
      digests[i] = await hashOutput(join(w.path, frames[i]!));
      await fsyncFile(join(w.path, frames[i]!));
    });
    await fsyncFolder(w.path);
    const h = await createHasher('xxh64');
    w.frames.forEach((n, i) => h.update(Buffer.from(`${n} ${digests[i]!.xxh64}\n`)));
    result = { size: digests.reduce((sum, d) => sum + d.bytes, 0), files: w.frames.length, xxh64: h.digest() };
  } else {
    const d = await hashOutput(w.path);
    await fsyncFile(w.path);
    result = { size: d.bytes, files: 1, xxh64: d.xxh64 };
  }
  await moveIntoPlace(w.path, to, !!w.frames);
  return { name: w.name, path: to, ...result };
}

/**
 * Renames a finished output to its final name, replacing an earlier run's (a folder cannot be
 * renamed over a non-empty one: the old one steps aside first, and goes once the new one is
 * in), and makes the rename durable.
 */
export async function moveIntoPlace(from: string, to: string, isFolder: boolean): Promise<void> {
  const aside = temporaryPath(to, { unique: true });
  let movedAside = false;
  try {
    if (isFolder && existsSync(to)) {
      await fsp.rename(to, aside);
      movedAside = true;
    }
    await fsp.rename(from, to);
    await fsyncFolder(dirname(to));
  } catch (e) {
    // The earlier output goes back under its name: a failed commit never leaves the final name empty.
    if (movedAside) await fsp.rename(aside, to).catch(() => undefined);
    throw destinationError(e, to);
  }
  if (movedAside) await fsp.rm(aside, { recursive: true, force: true });
}
