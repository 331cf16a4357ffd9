/**
 * How a container that runs a function is locked down, one definition for the runtimes that
 * start one (docker on this machine, swarm on a cluster): the worker image's non-root user, a
 * read-only root filesystem with a small private /tmp, no capabilities, limits on memory,
 * CPUs and processes, and a deadline past which it is killed.
 */
import { RushesError } from '../errors.ts';
import { errorFromReply, type Reply } from './protocol.ts';

/** The worker image (workers/Dockerfile); RUSHES_WORKER_IMAGE names another where no config does (a test's, a bench's). */
export const DEFAULT_WORKER_IMAGE = process.env.RUSHES_WORKER_IMAGE || 'rushes-worker:latest';
/** The image's user (workers/Dockerfile). */
export const IMAGE_USER = 10001;
export const DEFAULT_MEMORY_BYTES = 4 * 1024 ** 3;
/** Without a deadline of its own, a run is killed after this. */
export const DEFAULT_TIMEOUT_MS = 6 * 60 * 60 * 1000;
/** /tmp inside the container: room for a tool's small files, in memory. */
export const TMP_BYTES = 256 * 1024 * 1024;
export const PIDS_LIMIT = 512;
/** The exit of a container killed by SIGKILL (out of memory, `docker kill`, a node going down). */
export const KILLED = 137;

export interface ContainerLimits {
  /** CPUs the container may use (default: all). */
  cpus?: number;
  /** Memory limit in bytes (default 4 GiB). */
  memoryBytes?: number;
}

export const memoryOf = (l: ContainerLimits) => l.memoryBytes ?? DEFAULT_MEMORY_BYTES;

/**
 * The error of a container that ended without success: the reply's when it gave one, else
 * what its exit says. `killed` names the likely cause of a SIGKILL where the runtime knows it.
 */
export function containerFailure(exit: number, reply: Reply<unknown> | undefined, what: string, path: string | undefined, killed: { code: 'RENDER_FAILED' | 'TASK_LOST'; why: string }): RushesError {
  if (exit === KILLED && !(reply && !reply.ok)) return new RushesError(killed.code, `the container running ${what} was killed (exit ${KILLED}): ${killed.why}`, { path });
  return errorFromReply(exit, reply, `rushes-fn exited ${exit} without a result for ${what}`, path);
}
