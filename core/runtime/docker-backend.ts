/**
 * The `docker` backend: `rushes-fn` in the worker image, through the Docker Engine API. The
 * input's folder is mounted read-only at /in, an output stage (the storage's, beside the
 * final place) at /out, the invocation read-only; no network, a non-root user, a read-only
 * root filesystem, no capabilities, CPU and memory limits; killed on cancel or at its
 * deadline, and removed. Outputs the function committed into /out are committed again,
 * from the stage to their final place, by this side; paths in the reply are the host's.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { destinationError, RushesError } from '../errors.ts';
import { DockerEngine } from './docker.ts';
import type { Executor, ExecuteOptions } from './executor.ts';
import { containerFailure, DEFAULT_TIMEOUT_MS, DEFAULT_WORKER_IMAGE, IMAGE_USER, memoryOf, PIDS_LIMIT, TMP_BYTES, type ContainerLimits } from './lockdown.ts';
import { readProgressLine, readReply, rewritePlaces, withoutOk, type Invocation } from './protocol.ts';
import { dirUri, fileUri, localPath, storageFor, type OutputStage } from './storage.ts';

export { DEFAULT_WORKER_IMAGE } from './lockdown.ts';

export interface DockerOptions extends ContainerLimits {
  image?: string;
  socketPath?: string;
}

/** A result that names outputs committed under the output folder. */
interface WithOutputs {
  outputs?: { name: string; path: string }[];
}

/** Where the input is inside the container: a folder (uri ending in /) is /in itself; a file is /in/<name>. */
function inputMount(uri: string, hostPath: string): { source: string; inside: string; hostPrefix: string } {
  if (uri.endsWith('/')) return { source: hostPath, inside: dirUri('/in'), hostPrefix: hostPath.replace(/\/$/, '') };
  return { source: dirname(hostPath), inside: fileUri(`/in/${basename(hostPath)}`), hostPrefix: dirname(hostPath) };
}

export function dockerBackend(options: DockerOptions = {}): Executor {
  const engine = new DockerEngine(options.socketPath);
  const image = options.image ?? DEFAULT_WORKER_IMAGE;
  return {
    backend: 'docker',
    async run<R>(inv: Invocation, o: ExecuteOptions = {}): Promise<R> {
      o.signal?.throwIfAborted();
      const input = await storageFor(inv.input.uri).localInput(inv.input.uri);
      const mount = inputMount(inv.input.uri, input);
      // A root host runs the image's user; a non-root host user runs as itself (its files stay its own).
      const hostUid = process.getuid?.() ?? IMAGE_USER;
      const user = hostUid === 0 ? `${IMAGE_USER}:${IMAGE_USER}` : `${hostUid}:${process.getgid?.() ?? hostUid}`;
      let stage: OutputStage | undefined;
      let job: string | undefined;
      let id: string | undefined;
      let committed = false;
      const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      let stopped: Error | undefined;
      const kill = (why: Error) => {
        stopped ??= why;
        if (id) void engine.call('POST', `/containers/${id}/kill`).catch(() => undefined);
      };
      const timer = setTimeout(() => kill(new RushesError('RENDER_TIMEOUT', `${inv.fn} of ${input} took longer than ${Math.round(timeoutMs / 1000)} s; its container was killed`, { path: input })), timeoutMs);
      const onAbort = () => kill(o.signal!.reason instanceof Error ? o.signal!.reason : new Error('cancelled'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        // The container writes only into the stage; this side commits what it made.
        if (inv.output) {
          stage = await storageFor(inv.output.uri).stageOutputs(inv.output.uri, inv.id);
          if (hostUid === 0) await fsp.chown(stage.dir, IMAGE_USER, IMAGE_USER).catch((e: unknown) => Promise.reject(destinationError(e, stage!.dir)));
        }
        job = await fsp.mkdtemp(join(tmpdir(), 'rushes-job-'));
        await fsp.chmod(job, 0o755);
        const inside: Invocation = { ...inv, input: { ...inv.input, uri: mount.inside }, ...(inv.output ? { output: { uri: dirUri('/out') } } : {}) };
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
              { Type: 'bind', Source: mount.source, Target: '/in', ReadOnly: true },
              ...(stage ? [{ Type: 'bind', Source: stage.dir, Target: '/out' }] : []),
              { Type: 'bind', Source: job, Target: '/job', ReadOnly: true },
            ],
            NetworkMode: 'none',
            ReadonlyRootfs: true,
            Tmpfs: { '/tmp': `rw,nosuid,size=${TMP_BYTES}` },
            CapDrop: ['ALL'],
            SecurityOpt: ['no-new-privileges'],
            PidsLimit: PIDS_LIMIT,
            Memory: memoryOf(options),
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
          else {
            const p = readProgressLine(line);
            if (p) o.onProgress?.(p);
          }
        });
        const { StatusCode: exit } = (await engine.ok('POST', `/containers/${id}/wait`, undefined, 'to wait for the container')) as { StatusCode: number };
        if (stopped) throw stopped;
        const mounts: [string, string][] = [['/in', mount.hostPrefix], ...(stage ? [['/out', stage.dir] as [string, string]] : [])];
        const reply = rewritePlaces(readReply<R>(stdout), mounts) as ReturnType<typeof readReply<R>>;
        if (exit !== 0 || !reply?.ok) {
          const e = containerFailure(exit, reply, `${inv.fn} of ${input}`, input, { code: 'RENDER_FAILED', why: `most likely it ran out of its ${Math.round(memoryOf(options) / 1024 ** 2)} MiB memory limit` });
          const hint = /\(EACCES\)/.test(e.message) ? `; the container runs as ${user}, which must be able to read the input folder (make it world-readable, or run Rushes as the owner)` : '';
          throw new RushesError(e.code, e.message + hint, { path: e.path });
        }
        const result = withoutOk(reply);
        const outputs = (result as WithOutputs).outputs;
        if (stage && outputs?.length) {
          if (hostUid === 0 && inv.output) await chownOutputs(stage.dir, outputs, localPath(inv.output.uri));
          const landed = await stage.commit(outputs.map((x) => x.name));
          committed = true;
          (result as WithOutputs).outputs = outputs.map((x) => ({ ...x, path: landed.get(x.name)! }));
        }
        return result as R;
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        if (id) await engine.call('DELETE', `/containers/${id}?force=1`).catch(() => undefined);
        if (job) await fsp.rm(job, { recursive: true, force: true });
        if (stage && !committed) await stage.discard();
      }
    },
  };
}

/** Outputs the container made as user 10001 are given to whoever owns the folder they land in. */
async function chownOutputs(dir: string, outputs: { name: string }[], out: string): Promise<void> {
  const owner = await fsp.stat(out);
  const chownTree = async (path: string): Promise<void> => {
    await fsp.chown(path, owner.uid, owner.gid);
    if ((await fsp.stat(path)).isDirectory()) for (const n of await fsp.readdir(path)) await chownTree(join(path, n));
  };
  for (const o of outputs) await chownTree(join(dir, o.name));
}
