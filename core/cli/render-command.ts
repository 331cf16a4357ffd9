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

export async function renderCommand(fn: RenderRequest['fn'], input: string, f: RenderFlags, io: Io, home?: string): Promise<number> {
  const req = renderRequest(fn, f);
  const backend = oneOf(f.runtime, 'runtime', (await import('../runtime/executor.ts')).BACKENDS) ?? 'thread';
  const timeoutMs = f.timeout === undefined ? undefined : wholeNumber(f.timeout, 'timeout', 1, 7 * 24 * 3600)! * 1000;
  const { signal, dispose } = cancelOnSignals(io);
  try {
    return await withEngine(
      home,
      async (api) => {
        const clips = await api.clips.inspectPath(input, { signal });
        if (clips.length === 0) throw new RushesError('USAGE', `no clips under ${input}`, { path: input });
        let failed = 0;
        for (const { id, clipName } of clips) {
          try {
            const label = `${fn} ${clipName}`;
            const result = await api.renders.run(id, req, {
              backend,
              timeoutMs,
              signal,
              onProgress: (data) => {
                const p = data as Progress;
                if (f.json) io.stdout.write(JSON.stringify({ type: 'progress', clip: clipName, ...p }) + '\n');
                else if (io.stderr.isTTY && p.framesTotal) io.stderr.write(`\r${bar(p.framesDone! / p.framesTotal)} ${String(p.framesDone).padStart(6)}/${p.framesTotal} frames  ${p.rate.toFixed(1)} fps  ${label}\x1b[K`);
              },
            });
            if (!f.json && io.stderr.isTTY) io.stderr.write('\r\x1b[K');
            for (const w of result.warnings) {
              if (f.json) io.stdout.write(JSON.stringify({ type: 'warning', clip: clipName, message: w }) + '\n');
              else io.stderr.write(`rushes: warning: ${w}\n`);
            }
            report(result, clipName, result.runtime, f, io);
          } catch (e) {
            if (signal.aborted) throw e;
            if (!isRushesError(e) || e.code === 'USAGE' || e.code === 'RUNTIME_UNAVAILABLE') throw e;
            failed++;
            if (f.json) io.stdout.write(JSON.stringify({ type: 'failed', clip: clipName, error: { code: e.code, message: e.message, path: e.path } }) + '\n');
            else io.stderr.write(`✘ ${e.code}: ${e.message}\n`);
            if (clips.length === 1) return exitCodeFor(e.code);
          }
        }
        return failed ? EXIT.INCOMPLETE : EXIT.OK;
      },
      { render: { image: f.image } },
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
    .option('--runtime <name>', 'thread (host ffmpeg from a worker thread, default), process (a rushes-fn process) or docker (the worker image)')
    .option('--image <name>', 'worker image for --runtime docker (default rushes-worker:latest)')
    .option('--timeout <s>', 'kill a render that takes longer (default 6 h)')
    .option('--json', 'one JSON line per progress report, warning and result')
    .action(async (fn: string, input: string, flags: RenderFlags) => {
      const name = oneOf(fn, 'render function', ['proxy', 'plate', 'thumbnail', 'contact'] as const)!;
      setExit(await renderCommand(name, input, flags, io, program.opts().home));
    });
}
