/**
 * Renders as queue jobs. A `render` job names a clip in the store and what to make of it
 * (a RenderRequest); the invocation is built when it runs, from the clip's record, and run
 * on the runtime the request, the config (per function) or the default chooses.
 * Thumbnails and proxies are queued per clip by workflow rule after inspection; plates
 * come from `POST /api/renders` or the CLI.
 */
import { join } from 'node:path';
import type { JobHandler } from '../queue/index.ts';
import { RushesError } from '../errors.ts';
import { buildInvocation, type PlainParams, type RenderRequest } from './request.ts';
import type { DockerOptions } from '../runtime/docker-backend.ts';
import { executorFor, type Backend } from '../runtime/executor.ts';
import type { RenderResult } from './run.ts';
import type { ClipStore } from '../inspect/clip-store.ts';

/** The body of POST /api/renders (schemas/render-request.schema.json). */
export interface RenderApiRequest extends PlainParams {
  fn: RenderRequest['fn'];
  clipId?: number;
  path?: string;
  out: string;
  fdl?: string;
  framingDecision?: string;
  canvasTemplate?: string;
  cdl?: string;
  cdlId?: string;
  lut?: string;
  amf?: string;
  runtime?: Backend;
  priority?: number;
}

export interface RenderConfig {
  runtime?: Backend;
  runtimes?: Partial<Record<RenderRequest['fn'], Backend>>;
  image?: string;
  cpus?: number;
  memoryMiB?: number;
  thumbnails?: boolean;
  proxies?: { out: string; codec?: RenderRequest['codec']; height?: number; burnIn?: boolean; lut?: string; cdl?: string };
}

export interface RenderJobPayload {
  clipId: number;
  request: RenderRequest;
  runtime?: Backend;
  /** A deadline for the render (default six hours). */
  timeoutMs?: number;
  /** The clip's roll, its roll folder and offload, for the rule that syncs what the render made (renders after inspection carry them). */
  roll?: string;
  rollFolder?: string;
  offloadId?: string;
}

export interface RenderJobResult extends RenderResult {
  runtime: Backend;
  clipId: number;
}

declare module '../queue/types.ts' {
  interface JobKinds {
    render: { payload: RenderJobPayload; result: RenderJobResult };
  }
}

declare module '../events/types.ts' {
  interface EventMap {
    render: { jobId: number; clipId: number; type: 'render.finished'; data: { fn: RenderRequest['fn']; backend: Backend; outputs: RenderResult['outputs']; warnings: string[] } };
  }
}

/** Below inspection and offloads: pictures come after the footage is safe and catalogued. */
export const RENDER_PRIORITY = -2;

/** Where a render runs: where it was asked to, else the config's for the function, else the config's, else a worker thread. */
export function backendFor(config: RenderConfig, fn: RenderRequest['fn'], asked?: Backend): Backend {
  return asked ?? config.runtimes?.[fn] ?? config.runtime ?? 'thread';
}

export function dockerOptions(config: RenderConfig): DockerOptions {
  return { image: config.image, cpus: config.cpus, memoryBytes: config.memoryMiB ? config.memoryMiB * 1024 * 1024 : undefined };
}

/** Where a clip's poster frame goes: its own folder under the home, named by clip id. */
export const thumbnailDir = (home: string, clipId: number) => join(home, 'thumbnails', String(clipId));

export function renderHandler(clips: ClipStore, config: RenderConfig): JobHandler<'render'> {
  return async ({ job, signal, progress, events }) => {
    const { clipId, request, runtime, timeoutMs } = job.payload;
    const clip = clips.get(clipId);
    if (!clip) throw new RushesError('USAGE', `clip ${clipId} is not in the store`);
    const { invocation, warnings } = await buildInvocation(clip.record, request);
    const executor = executorFor(backendFor(config, request.fn, runtime), { docker: dockerOptions(config) });
    const result = await executor.run<RenderResult>(invocation, { signal, timeoutMs, onProgress: (p) => progress({ clipId, fn: request.fn, ...p }) });
    if (request.fn === 'thumbnail' && result.outputs[0]) clips.setThumbnail(clipId, result.outputs[0].path);
    const all = [...warnings, ...result.warnings];
    events.append<'render'>({ topic: 'render', jobId: job.id, clipId, type: 'render.finished', data: { fn: request.fn, backend: executor.backend, outputs: result.outputs, warnings: all } }, job.id);
    return { ...result, warnings: all, runtime: executor.backend, clipId };
  };
}
