/**
 * Where a render function runs, behind one interface. `process` runs it here, on the
 * host's ffmpeg (the default: nothing else to install). `docker` runs the worker image
 * through the Docker Engine API: the input's folder mounted read-only, a private working
 * folder inside the output folder, the invocation read-only, no network, a non-root user,
 * CPU and memory limits, a read-only root filesystem; killed on cancel or at its deadline.
 * Both return the same result for the same invocation.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { codeForFnExit, destinationError, RushesError, type ErrorCode } from '../errors.ts';
import { dirUri, fileUri, inputPath, outputDir, type Invocation } from '../render/invocation.ts';
import { DEFAULT_RENDER_TIMEOUT_MS, moveIntoPlace, runInvocation, type RenderProgress, type RenderResult } from '../render/run.ts';
import { DockerEngine } from './docker.ts';
import { temporaryPath } from '../fs/durable.ts';
import { hashFile } from '../hash/read.ts';

export type RuntimeName = 'process' | 'docker';

export interface RuntimeRunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  onProgress?: (p: RenderProgress) => void;
}

export interface RenderRuntime {
  readonly name: RuntimeName;
  run(inv: Invocation, o?: RuntimeRunOptions): Promise<RenderResult>;
}

export interface DockerRuntimeOptions {
  image?: string;
  socketPath?: string;
  /** CPUs the container may use (default: all). */
  cpus?: number;
  /** Memory limit in bytes (default 4 GiB). */
  memoryBytes?: number;
}

export const DEFAULT_WORKER_IMAGE = 'rushes-worker:latest';
const DEFAULT_MEMORY = 4 * 1024 ** 3;
/** The image's user (workers/Dockerfile); a non-root host user runs as itself instead. */
const IMAGE_USER = 10001;

/** Outputs of the process runtime are hashed in the worker pool: the daemon's event loop does no hashing. */
async function hashInPool(path: string): Promise<{ xxh64: string; bytes: number }> {
  const r = await hashFile(path, ['xxh64'], { direct: false });
  return { xxh64: r.digests.xxh64!, bytes: r.bytes };
}

export function processRuntime(): RenderRuntime {
  return { name: 'process', run: (inv, o = {}) => runInvocation(inv, { ...o, hashOutput: hashInPool }) };
}

export function renderRuntime(name: RuntimeName, docker: DockerRuntimeOptions = {}): RenderRuntime {
  return name === 'docker' ? dockerRuntime(docker) : processRuntime();
}

export function dockerRuntime(options: DockerRuntimeOptions = {}): RenderRuntime {
  const engine = new DockerEngine(options.socketPath);
  const image = options.image ?? DEFAULT_WORKER_IMAGE;
  return {
    name: 'docker',
    async run(inv, o = {}) {
      o.signal?.throwIfAborted();
      const input = inputPath(inv);
      const out = outputDir(inv);
      await fsp.mkdir(out, { recursive: true }).catch((e: unknown) => {
        throw destinationError(e, out);
      });
      const hostUid = process.getuid?.() ?? IMAGE_USER;
      const user = hostUid === 0 ? `${IMAGE_USER}:${IMAGE_USER}` : `${hostUid}:${process.getgid?.() ?? hostUid}`;
      // The container writes only here; the runtime moves its committed outputs into place.
      const work = temporaryPath(join(out, `rushes-docker-${inv.id}`), { unique: true });
      let job: string | undefined;

      let id: string | undefined;
      const timeoutMs = o.timeoutMs ?? DEFAULT_RENDER_TIMEOUT_MS;
      let stopped: RushesError | Error | undefined;
      const kill = (why: RushesError | Error) => {
        stopped ??= why;
        if (id) void engine.call('POST', `/containers/${id}/kill`).catch(() => undefined);
      };
      const timer = setTimeout(() => kill(new RushesError('RENDER_TIMEOUT', `${inv.fn} of ${input} took longer than ${Math.round(timeoutMs / 1000)} s; its container was killed`, { path: input })), timeoutMs);
      const onAbort = () => kill(o.signal!.reason instanceof Error ? o.signal!.reason : new Error('cancelled'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        try {
          await fsp.mkdir(work);
          if (hostUid === 0) await fsp.chown(work, IMAGE_USER, IMAGE_USER);
        } catch (e) {
          throw destinationError(e, work);
        }
        job = await fsp.mkdtemp(join(tmpdir(), 'rushes-job-'));
        await fsp.chmod(job, 0o755);
        const inside: Invocation = { ...inv, input: { ...inv.input, uri: fileUri(`/in/${basename(input)}`) }, output: { uri: dirUri('/out') } };
        await fsp.writeFile(join(job, 'invocation.json'), JSON.stringify(inside), { mode: 0o644 });
        const created = await engine.call('POST', `/containers/create?name=rushes-fn-${inv.id}-${randomBytes(3).toString('hex')}`, {
          Image: image,
          Cmd: ['/job/invocation.json'],
          User: user,
          Env: [`RUSHES_FN_TIMEOUT_MS=${timeoutMs}`],
          NetworkDisabled: true,
          Labels: { 'dev.rushes.invocation': inv.id },
          HostConfig: {
            Mounts: [
              { Type: 'bind', Source: dirname(input), Target: '/in', ReadOnly: true },
              { Type: 'bind', Source: work, Target: '/out' },
              { Type: 'bind', Source: job, Target: '/job', ReadOnly: true },
            ],
            NetworkMode: 'none',
            ReadonlyRootfs: true,
            Tmpfs: { '/tmp': 'rw,nosuid,size=256m' },
            CapDrop: ['ALL'],
            SecurityOpt: ['no-new-privileges'],
            PidsLimit: 512,
            Memory: options.memoryBytes ?? DEFAULT_MEMORY,
            ...(options.cpus ? { NanoCpus: Math.round(options.cpus * 1e9) } : {}),
          },
        });
        if (created.status === 404) throw new RushesError('RUNTIME_UNAVAILABLE', `the worker image ${image} is not on this Docker engine; build it with scripts/build-image.sh`);
        if (created.status >= 300) throw new RushesError('RUNTIME_UNAVAILABLE', `Docker engine refused to create the container: ${(created.body as { message?: string })?.message ?? created.status}`);
        id = (created.body as { Id: string }).Id;
        if (stopped) throw stopped;
        await engine.ok('POST', `/containers/${id}/start`, undefined, 'to start the container');
        // A cancel that came while the engine was starting it could not kill it yet: now it can.
        if (stopped) await engine.call('POST', `/containers/${id}/kill`).catch(() => undefined);
        const stdout: string[] = [];
        await engine.followLogs(id, (stream, line) => {
          if (stream === 'stdout') stdout.push(line);
          else if (line.startsWith('{')) {
            try {
              const p = JSON.parse(line) as RenderProgress & { type?: string };
              if (p.type === 'progress') o.onProgress?.({ frame: p.frame, frames: p.frames, fps: p.fps, speed: p.speed });
            } catch {
              /* not ours */
            }
          }
        });
        const { StatusCode: exit } = (await engine.ok('POST', `/containers/${id}/wait`, undefined, 'to wait for the container')) as { StatusCode: number };
        if (stopped) throw stopped;
        const reply = parseReply(stdout);
        if (exit !== 0 || !reply || reply.ok !== true) {
          const err = reply?.error;
          const code: ErrorCode = (err?.code as ErrorCode | undefined) ?? (exit === 137 ? 'RENDER_FAILED' : codeForFnExit(exit));
          // Paths inside the container mean nothing outside it: say the host's.
          const fallback =
            exit === 137
              ? `the container rendering ${input} was killed (exit 137): most likely it ran out of its ${Math.round((options.memoryBytes ?? DEFAULT_MEMORY) / 1024 ** 2)} MiB memory limit`
              : `rushes-fn exited ${exit} without a result rendering ${input}`;
          let message = (err?.message ?? fallback).split(`/in/${basename(input)}`).join(input);
          if (/\(EACCES\)/.test(message)) message += `; the container runs as ${user}, which must be able to read the input folder (make it world-readable, or run Rushes as the owner)`;
          throw new RushesError(code === 'CANCELLED' ? 'RENDER_FAILED' : code, message, { path: input });
        }
        return await commitFromWork(reply as RenderResult, work, out);
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        if (id) await engine.call('DELETE', `/containers/${id}?force=1`).catch(() => undefined);
        if (job) await fsp.rm(job, { recursive: true, force: true });
        await fsp.rm(work, { recursive: true, force: true });
      }
    },
  };
}

function parseReply(lines: string[]): { ok?: boolean; error?: { code?: string; message?: string } } | undefined {
  for (const line of [...lines].reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as { ok?: boolean };
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

/** Moves the container's committed outputs to their final names (owned like the folder they land in). */
async function commitFromWork(result: RenderResult, work: string, out: string): Promise<RenderResult> {
  const owner = await fsp.stat(out);
  const outputs = [];
  for (const o of result.outputs) {
    const from = join(work, o.name);
    const to = join(out, o.name);
    if (process.getuid?.() === 0) await chownTree(from, owner.uid, owner.gid);
    await moveIntoPlace(from, to, (await fsp.stat(from)).isDirectory());
    outputs.push({ ...o, path: to });
  }
  return { ...result, outputs };
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await fsp.chown(path, uid, gid);
  if ((await fsp.stat(path)).isDirectory()) for (const n of await fsp.readdir(path)) await chownTree(join(path, n), uid, gid);
}
