/**
 * Docker Swarm mode through the Engine API (./docker.ts): whether this engine manages a
 * swarm, the network tasks join, services and the state of their one task. One poller asks
 * for the tasks of every service being followed at once (./status-watch.ts).
 */
import { RushesError } from '../errors.ts';
import type { DockerEngine } from './docker.ts';
import { StatusWatch } from './status-watch.ts';

/** The network tasks join by default: an overlay with no way out (services cannot use `--network none`). */
export const DEFAULT_NETWORK = 'rushes-fn';

export interface TaskStatus {
  /** new, pending, assigned, accepted, preparing, starting, running, complete, failed, rejected, shutdown, orphaned, remove */
  state: string;
  /** The engine's words about it ("task: non-zero exit (5)", "No such image: …", "no suitable node …"). */
  message: string;
  err?: string;
  exitCode?: number;
  containerId?: string;
  node?: string;
}

/** States a task does not leave. */
export const FINAL_TASK_STATES = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

interface ApiTask {
  ServiceID: string;
  NodeID?: string;
  CreatedAt: string;
  Status: { State: string; Message?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

/** Checks that this engine is a swarm manager; answers how many nodes the swarm has. */
export async function swarmNodes(engine: DockerEngine): Promise<number> {
  const info = (await engine.ok('GET', '/info', undefined, 'to describe itself')) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; Nodes?: number } };
  const swarm = info.Swarm ?? {};
  if (swarm.LocalNodeState !== 'active') throw new RushesError('RUNTIME_UNAVAILABLE', `the Docker engine at ${engine.socketPath} is not part of a swarm (docker swarm init, or join one as a manager)`);
  if (!swarm.ControlAvailable) throw new RushesError('RUNTIME_UNAVAILABLE', `the Docker engine at ${engine.socketPath} is not a swarm manager (docker swarm init, or docker node promote this node)`);
  return swarm.Nodes ?? 1;
}

/**
 * Makes sure tasks can join `name`: the node's own network (`host`) always exists; the
 * default one is made when missing (an overlay without egress); any other must exist.
 */
export async function ensureNetwork(engine: DockerEngine, name: string): Promise<void> {
  if (name === 'host') return;
  const found = await engine.call('GET', `/networks/${encodeURIComponent(name)}`);
  if (found.status === 200) return;
  if (name !== DEFAULT_NETWORK) throw new RushesError('RUNTIME_UNAVAILABLE', `the swarm network ${name} does not exist (docker network create --driver overlay ${name})`);
  const made = await engine.call('POST', '/networks/create', { Name: name, Driver: 'overlay', Internal: true, Attachable: true, CheckDuplicate: true, Labels: { 'dev.rushes': 'fn' } });
  // Two engines making it at once: the other one won.
  if (made.status >= 300 && made.status !== 409) throw new RushesError('RUNTIME_UNAVAILABLE', `the Docker engine refused to make the network ${name}: ${(made.body as { message?: string })?.message ?? made.status}`);
}

/** The id of a swarm secret by name. */
export async function secretId(engine: DockerEngine, name: string): Promise<string> {
  const found = (await engine.ok('GET', `/secrets?filters=${encodeURIComponent(JSON.stringify({ name: [name] }))}`, undefined, 'to list secrets')) as { ID: string; Spec: { Name: string } }[];
  const hit = found.find((s) => s.Spec.Name === name);
  if (!hit) throw new RushesError('RUNTIME_UNAVAILABLE', `the swarm secret ${name} does not exist (docker secret create ${name} FILE, FILE an AWS credentials file)`);
  return hit.ID;
}

export async function createService(engine: DockerEngine, spec: object): Promise<string> {
  const made = await engine.call('POST', '/services/create', spec);
  if (made.status >= 300) throw new RushesError('RUNTIME_UNAVAILABLE', `the swarm refused the service: ${(made.body as { message?: string })?.message ?? made.status}`);
  return (made.body as { ID: string }).ID;
}

/** Removes a service whose task has ended; one already gone is fine. */
export async function removeService(engine: DockerEngine, id: string): Promise<void> {
  const r = await engine.call('DELETE', `/services/${id}`);
  if (r.status >= 300 && r.status !== 404) throw new RushesError('RUNTIME_UNAVAILABLE', `the swarm refused to remove service ${id}: ${(r.body as { message?: string })?.message ?? r.status}`);
}

/**
 * Stops a job service's task wherever it runs, then removes the service. Removing a
 * replicated-job service alone leaves its running task running (Docker 20.10); a job allowed
 * no task at once (MaxConcurrent 0) has the swarm shut its task down, on whichever node.
 */
export async function stopService(engine: DockerEngine, id: string): Promise<void> {
  const found = await engine.call('GET', `/services/${id}`);
  if (found.status === 200) {
    const svc = found.body as { Version: { Index: number }; Spec: { Mode: { ReplicatedJob?: object } } };
    const spec = { ...svc.Spec, Mode: { ReplicatedJob: { ...svc.Spec.Mode.ReplicatedJob, MaxConcurrent: 0 } } };
    const r = await engine.call('POST', `/services/${id}/update?version=${svc.Version.Index}`, spec);
    if (r.status >= 300 && r.status !== 404) throw new RushesError('RUNTIME_UNAVAILABLE', `the swarm refused to stop service ${id}: ${(r.body as { message?: string })?.message ?? r.status}`);
  }
  await removeService(engine, id);
}

/**
 * Removes the container of an ended task when it ran on this engine's node (the swarm keeps
 * ended tasks' containers after their service is gone); another node's is that node's to prune.
 */
export async function removeTaskContainer(engine: DockerEngine, containerId: string | undefined): Promise<void> {
  if (containerId) await engine.call('DELETE', `/containers/${containerId}?force=1`).catch(() => undefined);
}

function statusOf(t: ApiTask): TaskStatus {
  const exit = t.Status.ContainerStatus?.ExitCode;
  return {
    state: t.Status.State,
    message: t.Status.Message ?? '',
    err: t.Status.Err,
    exitCode: FINAL_TASK_STATES.has(t.Status.State) ? exit : undefined,
    containerId: t.Status.ContainerStatus?.ContainerID,
    node: t.NodeID,
  };
}

/** Follows the task of each service: one request for all of them per tick (the newest task, should the swarm have made another). */
export function taskWatch(engine: DockerEngine, pollMs: number): StatusWatch<TaskStatus> {
  return new StatusWatch<TaskStatus>(
    async (ids) => {
      const r = await engine.call('GET', `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: ids }))}`);
      if (r.status !== 200) return [];
      const newest = new Map<string, ApiTask>();
      for (const t of r.body as ApiTask[]) if (!newest.has(t.ServiceID) || newest.get(t.ServiceID)!.CreatedAt < t.CreatedAt) newest.set(t.ServiceID, t);
      return [...newest].map(([id, t]) => [id, statusOf(t)] as [string, TaskStatus]);
    },
    (s) => `${s.state}|${s.err ?? ''}|${s.message}`,
    pollMs,
  );
}
