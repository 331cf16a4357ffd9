/**
 * The `swarm` backend: each invocation a replicated-job service on a Docker Swarm (one node
 * here, many at a centre), made through the Engine API of a manager. Its one task runs
 * `rushes-fn` in the worker image, locked down as the docker backend's container is
 * (./lockdown.ts) — read-only root, no capabilities, the image's user, limits — on a network of
 * the config's choosing (an overlay without egress by default: services cannot use
 * `--network none`). The task reads and writes the store itself (./remote-task.ts); progress
 * comes from the service's logs, the outcome from its task, and the service is removed when
 * it is done (its container too, where it ran on this node), and its task stopped first when
 * it is cancelled or past its deadline (./swarm.ts stopService). Swarm restarts nothing: a failed task is the
 * queue's to retry, like any job.
 */
import { randomBytes } from 'node:crypto';
import { RushesError } from '../errors.ts';
import { DockerEngine } from './docker.ts';
import type { ExecuteOptions, Executor } from './executor.ts';
import { containerFailure, DEFAULT_TIMEOUT_MS, DEFAULT_WORKER_IMAGE, IMAGE_USER, memoryOf, PIDS_LIMIT, TMP_BYTES, type ContainerLimits } from './lockdown.ts';
import { readProgressLine, readReply, withoutOk, type Invocation } from './protocol.ts';
import { invocationEnv, prepareTask, taskState, type RemoteTask } from './remote-task.ts';
import { createService, DEFAULT_NETWORK, ensureNetwork, FINAL_TASK_STATES, removeService, removeTaskContainer, secretId, stopService, swarmNodes, taskWatch, type TaskStatus } from './swarm.ts';
import { pinnedImage } from './worker-image.ts';

export interface SwarmOptions extends ContainerLimits {
  /** The worker image (default rushes-worker:latest), pinned by digest for the nodes (./worker-image.ts). */
  image?: string;
  /** A registry every node pulls from (`host:port`): the image is pushed there and run by its digest. */
  registry?: string;
  /** The network tasks join: `rushes-fn` (default, made when missing: an overlay with no egress, for a store that is a service on it), `host`, or one the operator made. */
  network?: string;
  /** A swarm secret holding an AWS credentials file: how tasks sign their requests to the store. */
  credentialsSecret?: string;
  /** More environment for the tasks (the store's address as the nodes see it: RUSHES_S3_ENDPOINT). */
  env?: Record<string, string>;
  /** The volume on each node that tasks stage their input in (default rushes-fn-scratch). */
  scratchVolume?: string;
  socketPath?: string;
  /** How often the tasks' states are asked for (default 200 ms). */
  pollMs?: number;
}

const SCRATCH = '/scratch';
const SECRET_FILE = 'rushes-aws-credentials';
/** A stopped task has this long to end cleanly before the swarm kills it. */
const STOP_GRACE_NS = 5e9;

export function swarmBackend(options: SwarmOptions = {}): Executor {
  const engine = new DockerEngine(options.socketPath);
  const watch = taskWatch(engine, options.pollMs ?? 200);
  let ready: Promise<{ image: string; secret?: string }> | undefined;
  // Checked once per backend, again after a failure (the operator may have fixed it meanwhile).
  const readiness = () =>
    (ready ??= (async () => {
      const nodes = await swarmNodes(engine);
      await ensureNetwork(engine, options.network ?? DEFAULT_NETWORK);
      const image = await pinnedImage(engine, options.image ?? DEFAULT_WORKER_IMAGE, { registry: options.registry, nodes });
      return { image, secret: options.credentialsSecret && (await secretId(engine, options.credentialsSecret)) };
    })().catch((e: unknown) => {
      ready = undefined;
      throw e;
    }));

  function serviceSpec(task: RemoteTask, invocationVar: string, image: string, secret: string | undefined): object {
    const inv = task.invocation;
    const env = { ...task.env, RUSHES_FN_INVOCATION: invocationVar, RUSHES_FN_SCRATCH: SCRATCH, ...(secret ? { AWS_SHARED_CREDENTIALS_FILE: `/run/secrets/${SECRET_FILE}` } : {}) };
    const labels = { 'dev.rushes.invocation': inv.id, 'dev.rushes.run': task.run };
    return {
      Name: `rushes-fn-${inv.id}-${randomBytes(3).toString('hex')}`.slice(0, 63),
      Labels: labels,
      Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          User: `${IMAGE_USER}:${IMAGE_USER}`,
          Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
          Labels: labels,
          ReadOnly: true,
          CapabilityDrop: ['ALL'],
          StopGracePeriod: STOP_GRACE_NS,
          Mounts: [
            { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: TMP_BYTES, Mode: 0o1777 } },
            { Type: 'volume', Source: options.scratchVolume ?? 'rushes-fn-scratch', Target: SCRATCH },
          ],
          ...(secret ? { Secrets: [{ SecretID: secret, SecretName: options.credentialsSecret, File: { Name: SECRET_FILE, UID: String(IMAGE_USER), GID: String(IMAGE_USER), Mode: 0o400 } }] } : {}),
        },
        Resources: { Limits: { MemoryBytes: memoryOf(options), Pids: PIDS_LIMIT, ...(options.cpus ? { NanoCPUs: Math.round(options.cpus * 1e9) } : {}) } },
        // The queue retries, with its own attempts and backoff: the swarm restarts nothing.
        RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
        Networks: [{ Target: options.network ?? DEFAULT_NETWORK }],
      },
    };
  }

  /** Follows one service to its task's end: progress from its logs, the state from the watch. */
  function follow(id: string, name: string, o: ExecuteOptions, stop: AbortSignal): Promise<TaskStatus> {
    const logs = new AbortController();
    void engine
      .readLogs(`/services/${id}/logs?follow=1&stdout=0&stderr=1`, (_stream, line) => {
        const p = readProgressLine(line);
        if (p) o.onProgress?.(p);
      }, logs.signal)
      .catch(() => undefined);
    return new Promise((resolve, reject) => {
      const done = (f: () => void) => {
        unwatch();
        logs.abort();
        stop.removeEventListener('abort', onStop);
        f();
      };
      const onStop = () => done(() => reject(stop.reason));
      stop.addEventListener('abort', onStop, { once: true });
      const unwatch = watch.watch(id, (s) => {
        if (!FINAL_TASK_STATES.has(s.state)) o.onProgress?.(taskState('swarm', name, s.state));
        else done(() => resolve(s));
      });
    });
  }

  return {
    backend: 'swarm',
    async run<R>(inv: Invocation, o: ExecuteOptions = {}): Promise<R> {
      o.signal?.throwIfAborted();
      const { image, secret } = await readiness();
      const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const task = await prepareTask(inv, 'swarm', { timeoutMs, env: options.env, signal: o.signal });
      const spec = serviceSpec(task, await invocationEnv(task), image, secret) as { Name: string };
      const what = `${inv.fn} of ${inv.input.uri}`;
      // One signal for every way the run stops early: a cancel, or the deadline.
      const stop = new AbortController();
      const onAbort = () => stop.abort(o.signal!.reason instanceof Error ? o.signal!.reason : new Error('cancelled'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => stop.abort(new RushesError('RENDER_TIMEOUT', `${what} took longer than ${Math.round(timeoutMs / 1000)} s; its swarm task was removed`)), timeoutMs);
      let id: string | undefined;
      let status: TaskStatus | undefined;
      try {
        id = await createService(engine, spec);
        o.onProgress?.(taskState('swarm', spec.Name, 'new'));
        status = await follow(id, spec.Name, o, stop.signal);
        const stdout: string[] = [];
        await engine.readLogs(`/services/${id}/logs?stdout=1&stderr=0`, (_s, line) => stdout.push(line));
        const reply = readReply<R>(stdout);
        if (status.state === 'complete' && reply?.ok) return withoutOk(reply);
        throw taskFailure(status, reply, what, spec.Name);
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        // An ended task's service goes, and its container where it ran here; one stopped early is shut down first.
        if (id && status) await removeService(engine, id).then(() => removeTaskContainer(engine, status!.containerId), () => undefined);
        else if (id) await stopService(engine, id).catch(() => undefined);
      }
    },
  };
}

/** Why a task ended without a result: its reply's error, its exit, or what the swarm says of it. */
function taskFailure(s: TaskStatus, reply: ReturnType<typeof readReply>, what: string, name: string): RushesError {
  if (s.state === 'rejected') return new RushesError('RUNTIME_UNAVAILABLE', `the swarm could not start ${name} for ${what}: ${s.err ?? s.message}`);
  if (s.state === 'failed' && s.exitCode !== undefined)
    return containerFailure(s.exitCode, reply, what, undefined, { code: 'TASK_LOST', why: 'stopped from outside, out of its memory limit, or its node went down' });
  return new RushesError('TASK_LOST', `the swarm task ${name} running ${what} ended ${s.state} without a result (${s.err ?? s.message})`);
}
