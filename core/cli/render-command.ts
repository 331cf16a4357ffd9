/**
 * `rushes render proxy|plate|thumbnail|contact INPUT --out DIR …`: inspects the input (a
 * clip file, a sequence folder or frame, or a folder of clips) into the store, and renders
 * each clip through the engine on the chosen backend, with a progress bar (or JSON lines
 * with --json).
 */
import type { Command } from 'commander';
import { RushesError, isRushesError } from '../errors.ts';
import type { Progress } from '../events/types.ts';
import type { RenderRequest } from '../render/request.ts';
import type { RenderResult } from '../render/run.ts';
import { oneOf, wholeNumber } from './options.ts';
import { dataHome } from '../store/home.ts';
import { resolve } from 'node:path';
import { withEngine } from './engine.ts';
import { formatBytes } from '../util/format.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { cancelOnSignals, type Io } from './io.ts';
import { bar } from './progress.ts';

interface RenderFlags {
  out: string;
  codec?: string;
  height?: string;
  burnIn?: boolean;
  audio?: boolean;
  frames?: string;
  handles?: string;
  format?: string;
  width?: string;
  count?: string;
  fdl?: string;
  framing?: string;
  template?: string;
  cdl?: string;
  cdlId?: string;
  lut?: string;
  amf?: string;
  runtime?: string;
  image?: string;
  config?: string;
  timeout?: string;
  json?: boolean;
}

/** "100-147" → [100, 147]. */
function parseFrames(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(v.trim());
  if (!m) throw new RushesError('USAGE', `--frames wants FIRST-LAST, frames counted from the clip's first (0), e.g. 100-147 (got "${v}")`);
  return [Number(m[1]), Number(m[2])];
}

function renderRequest(fn: RenderRequest['fn'], f: RenderFlags): RenderRequest {
  return {
    fn,
    outDir: f.out,
    codec: oneOf(f.codec, 'codec', ['h264', 'prores_proxy', 'prores_lt', 'dnxhr_lb'] as const),
    height: wholeNumber(f.height, 'height', 16, 8640),
    burnIn: f.burnIn === false ? false : undefined,
    audio: f.audio === false ? false : undefined,
    frames: parseFrames(f.frames),
    handles: wholeNumber(f.handles, 'handles', 0, 1000),
    format: oneOf(f.format, 'format', ['exr', 'dpx'] as const),
    width: wholeNumber(f.width, 'width', 16, 4096),
    count: wholeNumber(f.count, 'count', 1, 64),
    fdlFile: f.fdl,
    framingDecision: f.framing,
    canvasTemplate: f.template,
    cdlFile: f.cdl,
    cdlId: f.cdlId,
    lutFile: f.lut,
    amfFile: f.amf,
  };
}

/** Attempts of a render on another engine's machines: a task lost there (killed, its node gone) is tried again. */
const REMOTE_ATTEMPTS = 3;

export async function renderCommand(fn: RenderRequest['fn'], input: string, f: RenderFlags, io: Io, home?: string): Promise<number> {
  const req = renderRequest(fn, f);
  // Loaded when the command runs, not for every `rushes` (--help, other commands).
  const { BACKENDS, isRemoteBackend } = await import('../runtime/executor.ts');
  const { readConfigFor } = await import('../engine/config.ts');
  const asked = oneOf(f.runtime, 'runtime', BACKENDS);
  const timeoutMs = f.timeout === undefined ? undefined : wholeNumber(f.timeout, 'timeout', 1, 7 * 24 * 3600)! * 1000;
  // The config's render section (where each function runs, the swarm, AWS Batch) and sync endpoints (s3://): --config, else the home's.
  const { config } = readConfigFor(home ?? dataHome(), f.config && resolve(f.config));
  const render = { ...config.render, ...(f.image ? { image: f.image } : {}) };
  const backend = asked ?? render.runtimes?.[fn] ?? render.runtime ?? 'thread';
  const { signal, dispose } = cancelOnSignals(io);
  try {
    return await withEngine(
      home,
      async (api) => {
        const clips = await api.clips.inspectPath(input, { signal });
        if (clips.length === 0) throw new RushesError('USAGE', `no clips under ${input}`, { path: input });
        /** 0 when rendered, 1 when it failed for a reason of its own (the others go on), or throws what stops them all. */
        const renderOne = async ({ id, clipName }: { id: number; clipName: string }): Promise<number> => {
          try {
            const label = `${fn} ${clipName}`;
            const result = await api.renders.run(id, req, {
              backend,
              timeoutMs,
              signal,
              maxAttempts: isRemoteBackend(backend) ? REMOTE_ATTEMPTS : undefined,
              onProgress: (data) => {
                const p = data as Progress;
                if (f.json) io.stdout.write(JSON.stringify({ type: 'progress', clip: clipName, ...p }) + '\n');
                else if (io.stderr.isTTY && p.framesTotal && clips.length === 1) io.stderr.write(`\r${bar(p.framesDone! / p.framesTotal)} ${String(p.framesDone).padStart(6)}/${p.framesTotal} frames  ${p.rate.toFixed(1)} fps  ${label}\x1b[K`);
              },
            });
            if (!f.json && io.stderr.isTTY && clips.length === 1) io.stderr.write('\r\x1b[K');
            for (const w of result.warnings) {
              if (f.json) io.stdout.write(JSON.stringify({ type: 'warning', clip: clipName, message: w }) + '\n');
              else io.stderr.write(`rushes: warning: ${w}\n`);
            }
            report(result, clipName, result.runtime, f, io);
            return 0;
          } catch (e) {
            if (signal.aborted) throw e;
            if (!isRushesError(e) || e.code === 'USAGE' || e.code === 'RUNTIME_UNAVAILABLE') throw e;
            if (f.json) io.stdout.write(JSON.stringify({ type: 'failed', clip: clipName, error: { code: e.code, message: e.message, path: e.path } }) + '\n');
            else io.stderr.write(`✘ ${clipName}: ${e.code}: ${e.message}\n`);
            if (clips.length === 1) throw e;
            return 1;
          }
        };
        let failed = 0;
        try {
          if (isRemoteBackend(backend)) {
            // Fanned out: every clip handed to the other engine at once; the queue's limit on its tasks (render.swarm.maxTasks, render.awsBatch.maxTasks) paces them.
            const settled = await Promise.allSettled(clips.map(renderOne));
            const stop = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
            if (stop) throw stop.reason;
            failed = settled.reduce((n, r) => n + (r as PromiseFulfilledResult<number>).value, 0);
          } else for (const c of clips) failed += await renderOne(c);
        } catch (e) {
          if (clips.length === 1 && isRushesError(e) && e.code !== 'USAGE' && e.code !== 'RUNTIME_UNAVAILABLE' && !signal.aborted) return exitCodeFor(e.code);
          throw e;
        }
        return failed ? EXIT.INCOMPLETE : EXIT.OK;
      },
      { render, sync: config.sync },
    );
  } finally {
    dispose();
  }
}

function report(r: RenderResult, clip: string, runtime: string, f: RenderFlags, io: Io): void {
  if (f.json) {
    io.stdout.write(JSON.stringify({ type: 'rendered', clip, runtime, result: r }) + '\n');
    return;
  }
  for (const out of r.outputs) io.stdout.write(`✔ ${out.path}  ${out.files > 1 ? `${out.files} frames, ` : ''}${formatBytes(out.size)}  xxh64 ${out.xxh64}  (${(r.timings.ms / 1000).toFixed(1)} s, ${runtime})\n`);
}

export function registerRenderCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('render')
    .description('render a proxy, a VFX plate, a thumbnail or a contact strip of a clip (or of every clip in a folder)')
    .argument('<fn>', 'proxy | plate | thumbnail | contact')
    .argument('<input>', 'a clip, an image sequence (its folder or a frame), or a folder of clips')
    .requiredOption('--out <dir>', 'folder the outputs are committed into')
    .option('--codec <codec>', 'proxy codec: h264 (default), prores_proxy, prores_lt, dnxhr_lb')
    .option('--height <px>', 'proxy height (default 1080, or the source height if smaller)')
    .option('--no-burn-in', 'no clip name, roll and timecode burnt into the proxy')
    .option('--no-audio', 'leave the audio out of the proxy')
    .option('--frames <A-B>', 'plate frame range, counted from the clip\'s first frame (0)')
    .option('--handles <n>', 'frames added before and after a plate\'s range')
    .option('--format <exr|dpx>', 'plate format (default exr, 32-bit float, ZIP)')
    .option('--width <px>', 'thumbnail / contact frame width (default 320)')
    .option('--count <n>', 'frames in a contact strip (default 8)')
    .option('--fdl <file>', 'ASC FDL 2.0 (JSON): crop, de-squeeze and scale by its framing decision and canvas template')
    .option('--framing <id>', 'the FDL framing decision to use (default: the first of the default framing intent)')
    .option('--template <id>', 'the FDL canvas template to use (default: the first)')
    .option('--cdl <file>', 'ASC CDL (.cdl, .cc, .ccc) applied before the LUT')
    .option('--cdl-id <id>', 'which ColorCorrection of a .ccc/.cdl (default: the first)')
    .option('--lut <file>', '3D LUT (.cube) applied after the CDL')
    .option('--amf <file>', 'ACES Metadata File: its CDL look is applied; named ACES transforms are reported, not applied')
    .option('--runtime <name>', 'thread (host ffmpeg from a worker thread, default), process (a rushes-fn process), docker (the worker image), swarm (Docker Swarm jobs) or aws-batch (AWS Batch jobs); swarm and aws-batch want an s3:// --out, and take every clip at once')
    .option('--image <name>', 'worker image for --runtime docker or swarm (default rushes-worker:latest)')
    .option('--config <file>', 'a daemon config whose "render" section (runtimes, swarm, awsBatch) and "sync" endpoints apply (default: the home\'s config.json)')
    .option('--timeout <s>', 'kill a render that takes longer (default 6 h)')
    .option('--json', 'one JSON line per progress report, warning and result')
    .action(async (fn: string, input: string, flags: RenderFlags) => {
      const name = oneOf(fn, 'render function', ['proxy', 'plate', 'thumbnail', 'contact'] as const)!;
      setExit(await renderCommand(name, input, flags, io, program.opts().home));
    });
}
