/**
 * What the swarm and AWS Batch tests (and bench/cluster.ts) share: whether this Docker engine
 * can run swarm tasks of the worker image, a swarm secret of S3 credentials, a bucket with
 * the render storage of this process pointed at it, and the objects under a prefix with their
 * ETags (an object uploaded whole has its MD5 as ETag, the proof that its bytes are a file's).
 */
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { JobQueue } from '../../core/queue/index.ts';
import type { RenderJobResult } from '../../core/render/job.ts';
import { DockerEngine } from '../../core/runtime/docker.ts';
import { DEFAULT_WORKER_IMAGE } from '../../core/runtime/lockdown.ts';
import { registerStorage } from '../../core/runtime/storage.ts';
import { createS3Client, MemorySyncRecords, s3Storage, type S3Endpoint } from '../../core/sync/index.ts';
import { waitFor } from './wait.ts';

export const docker = new DockerEngine();

/** Why swarm tasks of the worker image cannot run here, or undefined. */
export async function swarmMissing(): Promise<string | undefined> {
  try {
    const info = (await docker.ok('GET', '/info', undefined, 'to describe itself')) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) return 'this Docker engine is not a swarm manager (docker swarm init --advertise-addr 127.0.0.1)';
    const image = await docker.call('GET', `/images/${DEFAULT_WORKER_IMAGE}/json`);
    return image.status === 200 ? undefined : `the worker image ${DEFAULT_WORKER_IMAGE} is not built (scripts/build-image.sh)`;
  } catch (e) {
    return `no Docker engine: ${(e as Error).message}`;
  }
}

/** A swarm secret holding an AWS credentials file for `e`; `remove` deletes it. */
export async function credentialsSecret(e: { accessKeyId: string; secretAccessKey: string }): Promise<{ name: string; remove(): Promise<void> }> {
  const name = `rushes-test-${process.pid}-${Date.now()}`;
  const text = `[default]\naws_access_key_id = ${e.accessKeyId}\naws_secret_access_key = ${e.secretAccessKey}\n`;
  const made = (await docker.ok('POST', '/secrets/create', { Name: name, Data: Buffer.from(text).toString('base64') }, 'to make a secret')) as { ID: string };
  return { name, remove: async () => void (await docker.call('DELETE', `/secrets/${made.ID}`)) };
}

/** A new bucket on `endpoint`, and s3:// in this process's render storage pointed at that endpoint. */
export async function bucketFor(endpoint: S3Endpoint, name: string): Promise<S3Client> {
  const client = createS3Client(endpoint);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  const scratch = mkdtempSync(join(tmpdir(), 'rushes-cluster-'));
  const records = new MemorySyncRecords();
  registerStorage('s3', s3Storage({ endpoint, scratch, store: () => records }));
  return client;
}

/** Every object under a prefix: key below the prefix → ETag (without quotes). */
export async function objectsUnder(client: S3Client, bucket: string, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) out.set(o.Key!.slice(prefix.length), o.ETag!.replace(/"/g, ''));
    token = r.NextContinuationToken;
  } while (token);
  return out;
}

export const md5Of = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

/** Services (and so tasks) of the swarm that run invocation `id`. */
export async function servicesOf(id: string): Promise<{ ID: string }[]> {
  return (await docker.ok('GET', `/services?filters=${encodeURIComponent(JSON.stringify({ label: [`dev.rushes.invocation=${id}`] }))}`, undefined, 'to list services')) as { ID: string }[];
}

/** Containers (running or not) labelled with invocation `id`. */
export async function containersOf(id: string, o: { running?: boolean } = {}): Promise<{ Id: string; State: string }[]> {
  const filters = { label: [`dev.rushes.invocation=${id}`], ...(o.running ? { status: ['running'] } : {}) };
  return (await docker.ok('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify(filters))}`, undefined, 'to list containers')) as { Id: string; State: string }[];
}

/**
 * Waits for a render job whose task was killed to end, and checks it was retried once, after a
 * TASK_LOST, and then succeeded; answers its result.
 */
export async function retriedAfterLoss(queue: JobQueue, id: number, timeoutMs: number): Promise<RenderJobResult> {
  const done = await waitFor('the job to end', () => {
    const j = queue.get(id)!;
    return ['succeeded', 'dead', 'cancelled'].includes(j.state) ? j : undefined;
  }, timeoutMs, 100);
  expect(done.state, JSON.stringify(done.lastError)).toBe('succeeded');
  expect(done.attempts).toBe(2);
  const retried = queue
    .events({ jobId: id, limit: 100 })
    .filter((e) => (e.data as { retryAt?: number } | undefined)?.retryAt !== undefined)
    .map((e) => (e.data as { error: { code: string } }).error.code);
  expect(retried).toEqual(['TASK_LOST']);
  return done.result as RenderJobResult;
}
