/**
 * A bucket as the place where this machine and tasks on other machines (swarm nodes, AWS
 * Batch jobs) meet (runtime/storage.ts `SharedObjects`): a local input put up for a task to
 * read, a large invocation, a result record. Files go up the way every sync does (sync.ts:
 * Content-MD5, the store's answer checked, xxh64 as metadata, the same bytes already there
 * kept); small objects are read back whole.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SharedObjects } from '../runtime/storage.ts';
import type { S3Endpoint } from './client.ts';
import { errorName, httpStatus } from './errors.ts';
import { DEFAULT_RETRY, withRetry } from './retry.ts';
import type { SyncRecords } from './store.ts';
import type { Db } from '../store/db.ts';
import { syncFailure, syncFiles } from './sync.ts';
import { parseS3Uri } from './target.ts';
import type { Bandwidth } from './throttle.ts';

export interface SharedObjectsOptions {
  endpoint: S3Endpoint;
  scratch: string;
  store(): Db | SyncRecords;
  client(): S3Client;
  bandwidth?: Bandwidth;
}

/** The bucket and key of one object's URI. */
function objectAt(uri: string): { bucket: string; key: string } {
  const { bucket, prefix } = parseS3Uri(uri);
  return { bucket, key: prefix.replace(/\/$/, '') };
}

/**
 * What a task elsewhere needs to reach the same store (rushes-fn reads it: sync/client.ts
 * endpointFromEnv). Credentials are not among them: a task has its own (its role, a secret).
 */
export function endpointEnv(e: S3Endpoint): Record<string, string> {
  return { ...(e.url ? { RUSHES_S3_ENDPOINT: e.url } : {}), ...(e.provider ? { RUSHES_S3_PROVIDER: e.provider } : {}), ...(e.region ? { AWS_REGION: e.region } : {}) };
}

export function sharedObjects(o: SharedObjectsOptions): SharedObjects {
  const put = async (path: string, uri: string, signal?: AbortSignal) => {
    const { bucket, key } = objectAt(uri);
    const summary = await syncFiles({ endpoint: o.endpoint, bucket }, [{ path, key }], { store: o.store(), client: o.client(), bandwidth: o.bandwidth, signal });
    const failure = syncFailure(summary);
    if (failure) throw failure;
  };
  return {
    putFile: (path, uri, options) => put(path, uri, options?.signal),
    async writeObject(uri, text) {
      await mkdir(o.scratch, { recursive: true });
      const dir = await mkdtemp(join(o.scratch, 'object-'));
      try {
        const file = join(dir, 'object.json');
        await writeFile(file, text);
        await put(file, uri);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async readObject(uri) {
      const { bucket, key } = objectAt(uri);
      return withRetry('read of', { bucket, key }, { policy: DEFAULT_RETRY }, async () => {
        try {
          const r = await o.client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return await r.Body!.transformToString('utf8');
        } catch (e) {
          if (errorName(e) === 'NoSuchKey' || httpStatus(e) === 404) return undefined;
          throw e;
        }
      });
    },
    taskEnv: async () => endpointEnv(o.endpoint),
  };
}
