/**
 * What the runtimes that hand a function to other machines share (swarm, aws-batch). Their
 * task reads its input from and writes its outputs to a store every machine reaches (s3://)
 * itself, so nothing is staged on this side — except an input that exists only here, which is
 * put up beside the outputs first. The invocation travels in the task's environment, or
 * through the store when it is too large for one (a LUT makes it so); how to reach the store
 * goes with it, credentials never do (the task has its own: a role, a secret).
 */
import { createHash, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { RushesError } from '../errors.ts';
import type { Progress } from '../util/progress.ts';
import type { Invocation } from './protocol.ts';
import { controlUri } from './result-record.ts';
import { isLocalUri, localPath, storageFor, type SharedObjects } from './storage.ts';

/** An invocation larger than this goes through the store: AWS Batch takes 30 KiB per submitted job, a process's environment 128 KiB per variable. */
export const INLINE_INVOCATION_BYTES = 16 * 1024;

export interface RemoteTask {
  /** The invocation as the task runs it: every place in the shared store. */
  invocation: Invocation;
  /** Names this run; the task writes it into its result record (RUSHES_FN_RUN). */
  run: string;
  /** How the task reaches the store, its deadline and its run; RUSHES_FN_INVOCATION is added by `invocationEnv`. */
  env: Record<string, string>;
  /** The store the outputs go to, where the task's invocation and answer meet this side. */
  shared: SharedObjects;
}

function sharedOf(uri: string, backend: string): SharedObjects {
  const shared = storageFor(uri).shared;
  if (!shared) throw new RushesError('USAGE', `the ${backend} runtime runs functions on other machines: their outputs go to a store those machines reach (s3://…), not ${uri}`);
  return shared;
}

/**
 * An input only this machine has, put up where the task can read it: beside the outputs,
 * under a name of its own path (the same file twice is one object, kept when its bytes are
 * the same). An image sequence is many files the function finds by pattern: not handed over.
 */
async function shareInput(inv: Invocation, shared: SharedObjects, backend: string, signal?: AbortSignal): Promise<string> {
  if (!isLocalUri(inv.input.uri)) return inv.input.uri;
  const path = localPath(inv.input.uri);
  if ((inv.input as { clip?: { sequencePattern?: string } }).clip?.sequencePattern)
    throw new RushesError('USAGE', `${path} is a frame of an image sequence: the ${backend} runtime takes clips and sequences already in the store (s3://), or render it with --runtime thread|process|docker`, { path });
  const uri = controlUri(inv.output!.uri, `inputs/${createHash('sha256').update(path).digest('hex').slice(0, 16)}/${basename(path)}`);
  await shared.putFile(path, uri, { signal });
  return uri;
}

export async function prepareTask(inv: Invocation, backend: string, o: { timeoutMs: number; env?: Record<string, string>; signal?: AbortSignal }): Promise<RemoteTask> {
  if (!inv.output) throw new RushesError('USAGE', `the ${backend} runtime runs functions that write outputs (renders); ${inv.fn} answers on this machine (thread, process or docker)`);
  const shared = sharedOf(inv.output.uri, backend);
  const input = await shareInput(inv, shared, backend, o.signal);
  const run = randomUUID();
  return {
    invocation: { ...inv, input: { ...inv.input, uri: input } },
    run,
    env: { ...(await shared.taskEnv()), ...o.env, RUSHES_FN_RUN: run, RUSHES_FN_TIMEOUT_MS: String(o.timeoutMs) },
    shared,
  };
}

/**
 * RUSHES_FN_INVOCATION for a task: the invocation itself when small, else where it was put in
 * the store. `many` (an array job's) are always put there, each child taking its own.
 */
export async function invocationEnv(task: RemoteTask, many?: readonly Invocation[]): Promise<string> {
  const text = JSON.stringify(many ?? task.invocation);
  if (!many && Buffer.byteLength(text) <= INLINE_INVOCATION_BYTES) return text;
  const name = many ? `arrays/${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json` : `${task.invocation.id}.invocation.json`;
  const uri = controlUri(task.invocation.output!.uri, name);
  await task.shared.writeObject(uri, text);
  return uri;
}

/** The progress of a task that has not begun to report its own: where it is in the engine. */
export function taskState(backend: string, task: string, state: string): Progress {
  return { bytesDone: 0, bytesTotal: 0, filesDone: 0, filesTotal: 0, rate: 0, etaSeconds: null, remote: { backend, task, state } };
}
