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
import { isRemoteBackend, REMOTE_BACKENDS, type Backend, type Executor, type ExecutorOptions, type RemoteBackend } from '../runtime/executor.ts';
import type { SwarmOptions } from '../runtime/swarm-backend.ts';
import type { BatchOptions } from '../runtime/batch-backend.ts';
import { REMOTE_CLASS, type Limits } from '../queue/index.ts';
import type { JobSpec } from '../queue/types.ts';
import type { RenderResult } from './run.ts';
import type { ClipStore } from '../inspect/clip-store.ts';

/** The body of POST /api/renders (schemas/render-request.schema.json). */
export interface RenderApiRequest extends PlainParams {
  fn: RenderRequest['fn'];
  clipId?: number;
  /** Many clips at once (a turnover's plates): one job each, every one checked before any is queued. */
  clipIds?: number[];
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

/** The config's `render.swarm`: how renders reach a Docker Swarm (docs/cluster.md). */
export interface SwarmConfig extends Pick<SwarmOptions, 'image' | 'registry' | 'network' | 'credentialsSecret' | 'env'> {
  /** Swarm tasks running at once for this engine (default 16). */
  maxTasks?: number;
}

/** The config's `render.awsBatch`: the job queue and definition renders go to (docs/cluster.md). */
export interface AwsBatchConfig extends Omit<BatchOptions, 'pollMs'> {
  /** AWS Batch jobs running at once for this engine (default 256). */
  maxTasks?: number;
}

export interface RenderConfig {
  runtime?: Backend;
  runtimes?: Partial<Record<RenderRequest['fn'], Backend>>;
  image?: string;
  cpus?: number;
  memoryMiB?: number;
  swarm?: SwarmConfig;
  awsBatch?: AwsBatchConfig;
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

/** Every backend's settings from the config: a swarm's containers take the docker runtime's image and limits unless it names its own. */
export function executorOptions(config: RenderConfig): ExecutorOptions {
  const docker = dockerOptions(config);
  const { maxTasks: _s, ...swarm } = config.swarm ?? {};
  const { maxTasks: _b, ...awsBatch } = config.awsBatch ?? {};
  return { docker, swarm: { ...docker, ...swarm, image: swarm.image ?? docker.image }, awsBatch };
}

/** Remote tasks at once per backend, unless the config says otherwise. */
export const DEFAULT_REMOTE_TASKS: Readonly<Record<RemoteBackend, number>> = { swarm: 16, 'aws-batch': 256 };

/** The resource a render on a remote backend holds while its task runs (queue/limits.ts: it takes none of the runner's own slots). */
export const remoteResource = (b: RemoteBackend) => `${REMOTE_CLASS}${b}`;

/** The queue's limit on each remote backend's tasks, from the config. */
export function remoteLimits(config: RenderConfig): Limits['resources'] {
  const max: Record<RemoteBackend, number | undefined> = { swarm: config.swarm?.maxTasks, 'aws-batch': config.awsBatch?.maxTasks };
  return Object.fromEntries(REMOTE_BACKENDS.map((b) => [remoteResource(b), max[b] ?? DEFAULT_REMOTE_TASKS[b]]));
}

/** The resources a render job holds: a remote backend's slot, or none (a local render takes one of the runner's). */
export function renderResources(config: RenderConfig, payload: Pick<RenderJobPayload, 'request' | 'runtime'>): string[] {
  const b = backendFor(config, payload.request.fn, payload.runtime);
  return isRemoteBackend(b) ? [remoteResource(b)] : [];
}

/** A render job: the payload, with the resources its backend holds. */
export function renderJob(config: RenderConfig, payload: RenderJobPayload, rest: Omit<JobSpec, 'kind' | 'payload' | 'resources'> = {}): JobSpec {
  return { kind: 'render', payload, resources: renderResources(config, payload), ...rest };
}

/** Where a clip's poster frame goes: its own folder under the home, named by clip id. */
export const thumbnailDir = (home: string, clipId: number) => join(home, 'thumbnails', String(clipId));

export function renderHandler(clips: ClipStore, config: RenderConfig, executors: (b: Backend) => Executor): JobHandler<'render'> {
  return async ({ job, signal, progress, events }) => {
    const { clipId, request, runtime, timeoutMs } = job.payload;
    const clip = clips.get(clipId);
    if (!clip) throw new RushesError('USAGE', `clip ${clipId} is not in the store`);
    const { invocation, warnings } = await buildInvocation(clip.record, request);
    const executor = executors(backendFor(config, request.fn, runtime));
    const result = await executor.run<RenderResult>(invocation, { signal, timeoutMs, onProgress: (p) => progress({ clipId, fn: request.fn, ...p }) });
    if (request.fn === 'thumbnail' && result.outputs[0]) clips.setThumbnail(clipId, result.outputs[0].path);
    const all = [...warnings, ...result.warnings];
    events.append<'render'>({ topic: 'render', jobId: job.id, clipId, type: 'render.finished', data: { fn: request.fn, backend: executor.backend, outputs: result.outputs, warnings: all } }, job.id);
    return { ...result, warnings: all, runtime: executor.backend, clipId };
  };
}
