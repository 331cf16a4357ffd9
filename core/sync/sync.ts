/**
 * Many files to one bucket: the entry point of a sync. Files go several at a time, parts of
 * large ones several at a time, all sharing one buffer pool (the memory budget), one
 * bandwidth meter and one client. A file that fails is reported and the others go on; a
 * failure that would fail every file the same way (bad credentials, no bucket, access
 * denied) or a cancellation ends the run: no further file begins, and those not begun carry
 * its code.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { stat } from 'node:fs/promises';
import { errorRecord, isErrorCode, isRushesError, RushesError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { forEachLimited } from '../util/limit.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { ProgressCounter, type Progress } from '../util/progress.ts';
import { CONNECT_TIMEOUT_MS, createS3Client, endpointId, IDLE_TIMEOUT_MS, resolveEndpoint, type S3Endpoint } from './client.ts';
import type { ObjectResult, SyncFile, UploadContext } from './context.ts';
import { LeanPut } from './lean-put.ts';
import type { LocalFile } from './local.ts';
import { abortAbandoned, abortUpload, MIN_PART_SIZE, type UploadAccess } from './multipart.ts';
import { listSizes } from './listing.ts';
import { BufferPool } from './read.ts';
import { DEFAULT_RETRY, type RetryNotice, type RetryPolicy } from './retry.ts';
import { SyncStore, type SyncRecords } from './store.ts';
import { Bandwidth } from './throttle.ts';
import { uploadFile } from './upload.ts';

/** Where objects go. */
export interface SyncTarget {
  endpoint: S3Endpoint;
  bucket: string;
}

export interface SyncOptions {
  /** The SQLite store (or its sync tables) where uploads under way and synced objects are recorded; MemorySyncRecords where there is none. */
  store: Db | SyncRecords;
  /** A client for the target's endpoint; made (and closed) here when not given. */
  client?: S3Client;
  signal?: AbortSignal;
  /** The one progress shape: bytes and files confirmed (or found already there), rate, ETA. At most every 250 ms, and once at the end. */
  onProgress?: (p: Progress) => void;
  /** Each file's outcome, as it is known. */
  onObject?: (r: ObjectResult) => void;
  /** Each failure that will be retried. */
  onRetry?: (n: RetryNotice) => void;
  /** Shared with other syncs to hold one limit for all of them; full speed when not given. */
  bandwidth?: Bandwidth;
  /** Bytes per part (default 8 MiB, at least 5 MiB); files up to this size go in one request. */
  partSize?: number;
  /** Memory for bytes in flight across all files (default 64 MiB, at least two parts). */
  memoryBudget?: number;
  /** Files uploaded at once (default 8). */
  fileConcurrency?: number;
  /** Parts of one file in flight at once (default 4). */
  partConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Objects sent in one request go without the SDK's request pipeline (lean-put.ts); default true. False sends them through the SDK too. */
  leanPut?: boolean;
  log?: Logger;
}

export interface SyncSummary {
  objects: ObjectResult[];
  uploaded: number;
  skipped: number;
  failed: number;
  /** Bytes of every file, and of the files the store now holds (uploaded or found there). */
  bytesTotal: number;
  bytesDone: number;
  seconds: number;
}

/** A sync that did not put every file up, as the error that ends the job or command: the first file's, with how many failed. */
export function syncFailure(s: SyncSummary): RushesError | undefined {
  const failed = s.objects.find((o) => o.outcome === 'failed');
  if (!failed) return undefined;
  const e = failed.error ?? { code: 'SYNC_REFUSED', message: `upload of ${failed.key} failed` };
  const more = s.failed > 1 ? ` (${s.failed} of ${s.objects.length} files failed)` : '';
  return new RushesError(isErrorCode(e.code) ? e.code : 'ERROR', `${e.message}${more}`, { path: e.path ?? failed.path });
}

/** Failures that would fail every other file the same way. */
const ENDS_THE_RUN = new Set(['SYNC_AUTH', 'SYNC_NO_BUCKET', 'SYNC_DENIED', 'CANCELLED']);

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const DEFAULT_MEMORY = 64 * 1024 * 1024;
/** From this many files on, one listing of the bucket replaces a HEAD per file that is not there. */
const LIST_FROM = 16;

/** The file's size and time, read once for the totals and the upload; undefined leaves the upload to name what is wrong. */
async function statOf(path: string): Promise<LocalFile | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { path, size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** The lean path for one-request objects, or undefined: then the SDK sends them, and reports whatever stopped this per file. */
async function leanPutFor(client: S3Client, bucket: string, maxSockets: number, log: Logger): Promise<LeanPut | undefined> {
  try {
    return await LeanPut.create(client, bucket, { maxSockets, connectTimeoutMs: CONNECT_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS });
  } catch (e) {
    log.debug('small objects go through the SDK', { bucket, reason: (e as Error).message });
    return undefined;
  }
}

function storeOf(s: Db | SyncRecords): SyncRecords {
  return 'prepare' in s ? new SyncStore(s) : s;
}

/** What the housekeeping calls need: the client, the bucket and the records. */
function access(target: SyncTarget, options: { store: Db | SyncRecords; client: S3Client; signal?: AbortSignal; retry?: Partial<RetryPolicy> }): UploadAccess {
  return {
    client: options.client,
    bucket: target.bucket,
    endpointId: endpointId(resolveEndpoint(target.endpoint)),
    store: storeOf(options.store),
    retry: { policy: { ...DEFAULT_RETRY, ...options.retry }, signal: options.signal },
  };
}

/**
 * Uploads every file to the target, resuming uploads an earlier run left open, skipping
 * objects already there with the same size and xxh64. Resolves with every file's outcome;
 * throws only when the run cannot start (a bad endpoint or option).
 */
export async function syncFiles(target: SyncTarget, files: readonly SyncFile[], options: SyncOptions): Promise<SyncSummary> {
  const started = Date.now();
  const endpoint = resolveEndpoint(target.endpoint);
  const partSize = Math.max(MIN_PART_SIZE, options.partSize ?? DEFAULT_PART_SIZE);
  const maxSockets = (options.fileConcurrency ?? 8) * (options.partConcurrency ?? 4);
  const client = options.client ?? createS3Client(endpoint, { maxSockets });
  const stats = await Promise.all(files.map((f) => statOf(f.path)));
  const sizes = stats.map((s) => s?.size ?? 0);
  const progress = new ProgressCounter(
    sizes.reduce((a, b) => a + b, 0),
    files.length,
    options.onProgress,
  );
  const log = options.log ?? silentLogger;
  const ctx: UploadContext = {
    client,
    endpoint,
    endpointId: endpointId(endpoint),
    bucket: target.bucket,
    store: storeOf(options.store),
    pool: new BufferPool(partSize, Math.max(2 * partSize, options.memoryBudget ?? DEFAULT_MEMORY)),
    bandwidth: options.bandwidth ?? new Bandwidth(null),
    retry: { policy: { ...DEFAULT_RETRY, ...options.retry }, signal: options.signal, onRetry: options.onRetry },
    partConcurrency: Math.max(1, options.partConcurrency ?? 4),
    partSize,
    onBytes: (n) => progress.bytes(n),
    log,
  };

  if (options.leanPut !== false) ctx.lean = await leanPutFor(client, target.bucket, maxSockets, log);
  if (files.length >= LIST_FROM) ctx.listed = await listSizes(ctx, files.map((f) => f.key));

  const results: ObjectResult[] = new Array(files.length);
  let ended: RushesError | undefined;
  const report = (i: number, r: ObjectResult) => {
    results[i] = r;
    progress.file();
    options.onObject?.(r);
  };
  try {
    await forEachLimited(files.keys(), Math.max(1, options.fileConcurrency ?? 8), async (i) => {
      const file = files[i];
      if (ended) return;
      try {
        report(i, await uploadFile(ctx, file, stats[i]));
      } catch (thrown) {
        // However a cancellation surfaced (a request, a wait for memory or bandwidth), it is one.
        const e = options.signal?.aborted && !(isRushesError(thrown) && thrown.code === 'CANCELLED') ? new RushesError('CANCELLED', `upload of ${file.path} was cancelled`, { path: file.path, cause: thrown }) : thrown;
        const error = errorRecord(e, file.path);
        report(i, { path: file.path, key: file.key, size: sizes[i], outcome: 'failed', error });
        log.warn('upload failed', { bucket: target.bucket, key: file.key, ...error });
        // Uploads in flight finish by themselves (they fail the same way, each naming its own object).
        if (isRushesError(e) && ENDS_THE_RUN.has(e.code)) ended ??= e;
      }
    });
  } finally {
    ctx.lean?.close();
    if (!options.client) client.destroy();
  }
  // Files the run never began carry the error that ended it.
  files.forEach((file, i) => {
    if (results[i] === undefined) {
      const error = ended
        ? { code: ended.code, message: `${file.path} was not uploaded: the sync stopped at ${ended.message}`, path: file.path }
        : { code: 'CANCELLED', message: `upload of ${file.path} was not begun`, path: file.path };
      results[i] = { path: file.path, key: file.key, size: sizes[i], outcome: 'failed', error };
    }
  });
  progress.flush();
  const count = (o: ObjectResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return {
    objects: results,
    uploaded: count('uploaded'),
    skipped: count('skipped'),
    failed: count('failed'),
    bytesTotal: sizes.reduce((a, b) => a + b, 0),
    bytesDone: progress.bytesDone,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Abandons one object's open upload for good (its job was cancelled or gave up): aborted on the store. True when there was one. */
export async function abandonUpload(target: SyncTarget, key: string, options: { store: Db | SyncRecords; client?: S3Client; signal?: AbortSignal }): Promise<boolean> {
  return withClient(target, options.client, (client) => abortUpload(access(target, { ...options, client }), key));
}

/** Aborts every open upload to the target not touched for `olderThanMs`; returns their keys. */
export async function abortStaleUploads(target: SyncTarget, olderThanMs: number, options: { store: Db | SyncRecords; client?: S3Client; signal?: AbortSignal }): Promise<string[]> {
  return withClient(target, options.client, (client) => abortAbandoned(access(target, { ...options, client }), olderThanMs));
}

async function withClient<T>(target: SyncTarget, given: S3Client | undefined, f: (c: S3Client) => Promise<T>): Promise<T> {
  const client = given ?? createS3Client(target.endpoint);
  try {
    return await f(client);
  } finally {
    if (!given) client.destroy();
  }
}
