/**
 * What every upload of one sync run shares: the client and the endpoint's rules, the store,
 * the buffer pool (memory budget) and bandwidth meter, the retry policy, and the counters
 * progress is computed from.
 */
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '../util/log.ts';
import type { ResolvedEndpoint } from './client.ts';
import type { LeanPut } from './lean-put.ts';
import type { BufferPool } from './read.ts';
import type { RetryContext } from './retry.ts';
import type { SyncRecords } from './store.ts';
import type { Bandwidth } from './throttle.ts';

export interface UploadContext {
  client: S3Client;
  /** One-request objects go through this instead of the SDK, where the endpoint allows (lean-put.ts). */
  lean?: LeanPut;
  endpoint: ResolvedEndpoint;
  /** The endpoint's identity in the store's records. */
  endpointId: string;
  bucket: string;
  store: SyncRecords;
  pool: BufferPool;
  bandwidth: Bandwidth;
  retry: RetryContext;
  /** Parts of one file in flight at once (the pool bounds them across files). */
  partConcurrency: number;
  /** Bytes per part; files up to this size go in one request. */
  partSize: number;
  /** Sizes of the objects already under the sync's keys, from one listing; when absent, each file asks with HEAD. */
  listed?: ReadonlyMap<string, number>;
  /** Called with bytes the store confirmed (or that were found already there). */
  onBytes: (n: number) => void;
  log: Logger;
}

/** One file to upload: a verified local copy (never the camera card) and where it goes. */
export interface SyncFile {
  path: string;
  key: string;
  /** The file's xxh64 as the ASC MHL records it: checked against the bytes read, stored as object metadata. */
  xxh64?: string;
  contentType?: string;
}

export type ObjectOutcome = 'uploaded' | 'skipped' | 'failed';

export interface ObjectResult {
  path: string;
  key: string;
  size: number;
  outcome: ObjectOutcome;
  /** The store's ETag, as confirmed. */
  etag?: string;
  /** The flexible (or composite) checksum, when the endpoint uses one. */
  checksum?: string;
  /** xxh64 of the bytes read, as stored in the object's metadata. */
  xxh64?: string;
  /** Multipart: parts found on the store from an earlier run, and parts sent by this one. */
  partsResumed?: number;
  partsSent?: number;
  error?: { code: string; message: string; path?: string };
}

/** The object metadata key that carries the xxh64 (sent as `x-amz-meta-xxh64`). */
export const XXH64_META = 'xxh64';

/**
 * Removes an object that holds other bytes than were read (only ever one this upload just
 * wrote), so that no later run finds it with the right size and xxh64 and skips it.
 */
export async function removeQuietly(ctx: UploadContext, key: string): Promise<void> {
  try {
    await ctx.client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }));
  } catch (e) {
    ctx.log.warn('could not remove an object that failed verification', { bucket: ctx.bucket, key, error: (e as Error).message });
  }
}
