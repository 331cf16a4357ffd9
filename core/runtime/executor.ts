/**
 * Where a function runs, behind one interface: `run(invocation, {signal, onProgress})`
 * gives the function's result, or throws its error with its code. The backends:
 *
 * - `thread`: a worker of this process's pool (the default; no process to start);
 * - `process`: a `rushes-fn` child process on this machine;
 * - `docker`: `rushes-fn` in the worker image, locked down (./docker-backend.ts);
 * - `swarm`: the worker image as a Docker Swarm job, on whichever node (./swarm-backend.ts);
 * - `aws-batch`: the worker image as an AWS Batch job (./batch-backend.ts).
 *
 * Each runs the same invocation to the same result; which one a job uses is the engine's
 * choice, by configuration and job kind. The first three run here, reading and writing
 * local paths (a remote place is staged on this side, ./remote.ts); the last two run on
 * other machines, which read and write the store (s3://) themselves.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { RushesError } from '../errors.ts';
import type { Progress } from '../events/types.ts';
import { batchBackend, type BatchOptions } from './batch-backend.ts';
import { dockerBackend, type DockerOptions } from './docker-backend.ts';
import { swarmBackend, type SwarmOptions } from './swarm-backend.ts';
import { runTask } from './pool.ts';
import { withRemotePlaces } from './remote.ts';
import { errorFromReply, readProgressLine, readReply, withoutOk, type Invocation } from './protocol.ts';

export const LOCAL_BACKENDS = ['thread', 'process', 'docker'] as const;
/** Backends whose functions run on other machines, as tasks of another engine. */
export const REMOTE_BACKENDS = ['swarm', 'aws-batch'] as const;
export type LocalBackend = (typeof LOCAL_BACKENDS)[number];
export type RemoteBackend = (typeof REMOTE_BACKENDS)[number];
export type Backend = LocalBackend | RemoteBackend;
export const BACKENDS: readonly Backend[] = [...LOCAL_BACKENDS, ...REMOTE_BACKENDS];

export const isRemoteBackend = (b: Backend): b is RemoteBackend => (REMOTE_BACKENDS as readonly string[]).includes(b);

export interface ExecuteOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** A deadline for the run; past it the function is stopped and fails. */
  timeoutMs?: number;
}

export interface Executor {
  readonly backend: Backend;
  run<R>(inv: Invocation, o?: ExecuteOptions): Promise<R>;
}

/** What the pool's `invoke` task takes (workers/tasks.ts). */
export interface InvokeTask {
  invocation: Invocation;
  timeoutMs?: number;
}

export const threadExecutor: Executor = {
  backend: 'thread',
  run: <R>(invocation: Invocation, o: ExecuteOptions = {}) =>
    runTask<InvokeTask, R>('invoke', { invocation, timeoutMs: o.timeoutMs }, { signal: o.signal, onMessage: (m) => o.onProgress?.(m as Progress) }),
};

const RUSHES_FN = join(PACKAGE_ROOT, 'bin', 'rushes-fn.cjs');
/** How long `rushes-fn` has to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5000;

/** `rushes-fn` as a child process: the invocation on stdin, progress lines on stderr, the reply on stdout. */
export const processExecutor: Executor = {
  backend: 'process',
  run: <R>(inv: Invocation, o: ExecuteOptions = {}) =>
    new Promise<R>((resolve, reject) => {
      o.signal?.throwIfAborted();
      const child = spawn(process.execPath, [RUSHES_FN], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, ...(o.timeoutMs ? { RUSHES_FN_TIMEOUT_MS: String(o.timeoutMs) } : {}) },
      });
      const stdout: string[] = [];
      const lines = (stream: NodeJS.ReadableStream, onLine: (l: string) => void) => {
        let pending = '';
        stream.on('data', (b: Buffer) => {
          const parts = (pending + b.toString('utf8')).split('\n');
          pending = parts.pop()!;
          parts.forEach(onLine);
        });
        stream.on('end', () => pending && onLine(pending));
      };
      lines(child.stdout, (l) => stdout.push(l));
      lines(child.stderr, (l) => {
        const p = readProgressLine(l);
        if (p) o.onProgress?.(p);
      });
      let killer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        child.kill('SIGTERM');
        killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (e) => reject(new RushesError('RUNTIME_UNAVAILABLE', `rushes-fn could not start: ${e.message}`, { cause: e })));
      child.on('close', (code, sig) => {
        clearTimeout(killer);
        o.signal?.removeEventListener('abort', onAbort);
        if (o.signal?.aborted) return reject(o.signal.reason);
        const reply = readReply<R>(stdout);
        if (code === 0 && reply?.ok) return resolve(withoutOk(reply));
        reject(errorFromReply(code ?? 1, reply, `rushes-fn ended (${sig ?? `exit ${code}`}) without a result for ${inv.fn} ${inv.id}`));
      });
      child.stdin.end(JSON.stringify(inv));
    }),
};

export interface ExecutorOptions {
  docker?: DockerOptions;
  swarm?: SwarmOptions;
  awsBatch?: BatchOptions;
}

/**
 * The executor of a backend. One that runs here reads inputs from and writes outputs to any
 * registered storage through this side (./remote.ts); one that runs elsewhere is handed the
 * places as they are.
 */
export function executorFor(backend: Backend, options: ExecutorOptions = {}): Executor {
  switch (backend) {
    case 'swarm':
      return swarmBackend(options.swarm);
    case 'aws-batch':
      return batchBackend(options.awsBatch);
    case 'docker':
      return withRemotePlaces(dockerBackend(options.docker));
    case 'process':
      return withRemotePlaces(processExecutor);
    default:
      return withRemotePlaces(threadExecutor);
  }
}

/**
 * One executor per backend, made when first asked for: a remote backend keeps what it learnt
 * across runs (a checked swarm and its pinned image, a registered job definition, runs gathered
 * into array jobs), so every job of an engine shares it.
 */
export function executorSet(options: ExecutorOptions = {}): (backend: Backend) => Executor {
  const made = new Map<Backend, Executor>();
  return (backend) => {
    let e = made.get(backend);
    if (!e) made.set(backend, (e = executorFor(backend, options)));
    return e;
  };
}
