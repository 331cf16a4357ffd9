/**
 * A large file in parts, resumable across processes. lib-storage's `Upload` cannot continue
 * another process's upload, so the multipart calls are driven here:
 *
 * 1. The store's upload id is recorded as soon as the store gives it, and each part as soon
 *    as the store acknowledges it (core/sync/store.ts).
 * 2. A later run (after kill -9, a reboot, a dropped link) finds the open upload, lists the
 *    parts the store holds (ListParts), reads the file again in order — hashing every part,
 *    since the whole file's xxh64 must be checked before the object is made — and sends only
 *    the parts the store lacks or holds with other bytes.
 * 3. Every part carries Content-MD5 (and the endpoint's flexible checksum) and the store's
 *    answer must confirm it; the completed object's ETag must be the MD5 of the part MD5s
 *    ("-N") and its composite checksum ours.
 *
 * An upload whose local file changed is aborted and begun again; one abandoned for good is
 * aborted by `abortUpload` / `abortAbandoned`, so no parts are left to accrue storage.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { open } from 'node:fs/promises';
import { RushesError } from '../errors.ts';
import { createHasher } from '../hash/index.ts';
import { hashFileHere } from '../hash/medium.ts';
import { TaskLane } from '../util/limit.ts';
import { removeQuietly, XXH64_META, type ObjectResult, type SyncFile, type UploadContext } from './context.ts';
import { CorruptTransfer, describeRef, errorName, type ObjectRef } from './errors.ts';
import { checksumField, compositeChecksum, confirms, multipartEtag, normaliseEtag, PartHasher, type PartDigest } from './integrity.ts';
import { meteredBody, readPart } from './read.ts';
import { xxh64Mismatch, type LocalFile } from './local.ts';
import { withRetry } from './retry.ts';
import type { UploadRecord } from './store.ts';

/** S3's limits: at most 10,000 parts, each at least 5 MiB but the last. */
export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface PartPlan {
  partSize: number;
  count: number;
}

/** The parts of a file: the preferred size, grown (in whole MiB) when the file would need more than 10,000. */
export function planParts(size: number, preferred: number): PartPlan {
  const mib = 1024 * 1024;
  let partSize = Math.max(MIN_PART_SIZE, preferred);
  if (Math.ceil(size / partSize) > MAX_PARTS) partSize = Math.ceil(size / MAX_PARTS / mib) * mib;
  return { partSize, count: Math.max(1, Math.ceil(size / partSize)) };
}

export function partLength(plan: PartPlan, size: number, n: number): number {
  return n < plan.count ? plan.partSize : size - (plan.count - 1) * plan.partSize;
}

/** What the store and the store of records need to abort uploads. */
export type UploadAccess = Pick<UploadContext, 'client' | 'bucket' | 'endpointId' | 'store' | 'retry'>;

/** The store says the upload id is unknown: aborted by someone, or expired by a lifecycle rule. */
class UploadGone extends Error {}

const isNoSuchUpload = (e: unknown) => errorName(e instanceof RushesError ? e.cause : e) === 'NoSuchUpload';

interface ServerPart {
  size: number;
  etag: string;
  checksum?: string;
}

interface PartDone extends PartDigest {
  etag: string;
}

export async function uploadMultipart(ctx: UploadContext, file: SyncFile, local: LocalFile): Promise<ObjectResult> {
  // An upload that vanished from the store is begun again, once.
  for (let tries = 1; ; tries++) {
    try {
      return await uploadOnce(ctx, file, local);
    } catch (e) {
      if (!(e instanceof UploadGone) || tries >= 2) throw e instanceof UploadGone ? new RushesError('SYNC_REFUSED', e.message, { path: file.path }) : e;
      ctx.log.warn('multipart upload vanished from the store; starting it again', { bucket: ctx.bucket, key: file.key });
    }
  }
}

/** Whether an open upload's record still describes this file, cut the same way. */
function stillFits(r: UploadRecord, local: LocalFile, plan: PartPlan, ctx: UploadContext, xxh64: string): boolean {
  return r.path === local.path && r.size === local.size && r.mtimeMs === local.mtimeMs && r.partSize === plan.partSize && (r.checksum ?? 'none') === ctx.endpoint.checksum && r.xxh64 === xxh64;
}

async function uploadOnce(ctx: UploadContext, file: SyncFile, local: LocalFile): Promise<ObjectResult> {
  const ref: ObjectRef = { bucket: ctx.bucket, key: file.key, path: file.path };
  const place = { endpoint: ctx.endpointId, bucket: ctx.bucket, key: file.key };
  const plan = planParts(local.size, ctx.partSize);
  // The object's metadata is fixed when the upload begins, so without the caller's xxh64 the file is hashed first.
  const xxh64 = file.xxh64 ?? (await hashFileHere(file.path, ['xxh64'], { direct: false, signal: ctx.retry.signal })).digests.xxh64!;

  let record = ctx.store.openUpload(place);
  let onServer = new Map<number, ServerPart>();
  if (record && !stillFits(record, local, plan, ctx, xxh64)) {
    ctx.log.info('local file changed since its upload began; aborting that upload', { bucket: ctx.bucket, key: file.key, path: file.path });
    await abortRecorded(ctx, record);
    record = undefined;
  }
  if (record) {
    const listed = await listParts(ctx, record, ref);
    if (listed === undefined) {
      ctx.store.endUpload(record.id, 'aborted');
      record = undefined;
    } else onServer = listed;
  }
  record ??= await createUpload(ctx, file, local, plan, xxh64);
  const upload = record;

  const stored = new Map(ctx.store.parts(upload.id).map((p) => [p.partNumber, p]));
  const fileHasher = await createHasher('xxh64');
  const done: PartDone[] = new Array(plan.count);
  const lane = new TaskLane(ctx.partConcurrency);
  let failure: unknown;
  let resumed = 0;
  let sent = 0;
  const fh = await open(file.path, 'r');
  try {
    for (let n = 1; n <= plan.count && failure === undefined; n++) {
      const size = partLength(plan, local.size, n);
      const buf = await ctx.pool.acquire(size, ctx.retry.signal);
      let handedOver = false;
      try {
        const hasher = await PartHasher.create(ctx.endpoint.checksum);
        const data = await readPart(fh, file.path, (n - 1) * plan.partSize, size, buf, hasher, fileHasher);
        const digest = hasher.digest();
        const md5 = digest.md5.toString('hex');
        const checksum = digest.checksum?.toString('base64');
        const have = onServer.get(n);
        const mine = stored.get(n);
        const there =
          have !== undefined &&
          have.size === size &&
          (ctx.endpoint.etagIsMd5 ? have.etag === md5 : mine?.md5 === md5 && mine.etag === have.etag) &&
          (checksum === undefined || have.checksum === undefined || have.checksum === checksum);
        if (there) {
          if (mine?.md5 !== md5) ctx.store.partDone(upload.id, { partNumber: n, size, md5, etag: have.etag, checksum: checksum ?? null });
          done[n - 1] = { ...digest, etag: have.etag };
          resumed++;
          ctx.onBytes(size);
          continue;
        }
        handedOver = true;
        await lane.start(async () => {
          try {
            const etag = await sendPart(ctx, upload, n, data, digest, ref);
            ctx.store.partDone(upload.id, { partNumber: n, size, md5, etag, checksum: checksum ?? null });
            done[n - 1] = { ...digest, etag };
            sent++;
            ctx.onBytes(size);
          } catch (e) {
            failure ??= e;
            throw e;
          } finally {
            ctx.pool.release(buf);
          }
        });
      } finally {
        if (!handedOver) ctx.pool.release(buf);
      }
    }
  } catch (e) {
    failure ??= e;
  } finally {
    // Parts in flight finish (or fail) before the file closes and the outcome is decided.
    await lane.idle().catch(() => {});
    await fh.close();
  }
  if (failure !== undefined) throw failure;

  const read = fileHasher.digest();
  if (read !== xxh64) {
    await abortRecorded(ctx, upload);
    throw xxh64Mismatch({ ...file, xxh64 }, read);
  }
  const expected = {
    etag: multipartEtag(done.map((d) => d.md5)),
    checksum: await compositeChecksum(ctx.endpoint.checksum, done.map((d) => d.checksum!)),
  };
  const etag = await complete(ctx, upload, done, expected, ref);
  ctx.store.endUpload(upload.id, 'completed');
  return { path: file.path, key: file.key, size: local.size, outcome: 'uploaded', etag, checksum: expected.checksum, xxh64, partsResumed: resumed, partsSent: sent };
}

async function createUpload(ctx: UploadContext, file: SyncFile, local: LocalFile, plan: PartPlan, xxh64: string): Promise<UploadRecord> {
  const ref: ObjectRef = { bucket: ctx.bucket, key: file.key, path: file.path };
  const algorithm = ctx.endpoint.checksum;
  const r = await withRetry('start of the upload of', ref, ctx.retry, () =>
    ctx.client.send(
      new CreateMultipartUploadCommand({
        Bucket: ctx.bucket,
        Key: file.key,
        Metadata: { [XXH64_META]: xxh64 },
        ...(file.contentType ? { ContentType: file.contentType } : {}),
        ...(algorithm !== 'none' ? { ChecksumAlgorithm: algorithm, ChecksumType: 'COMPOSITE' as const } : {}),
      }),
      { abortSignal: ctx.retry.signal },
    ),
  );
  if (!r.UploadId) throw new RushesError('SYNC_REFUSED', `the store started the upload of ${describeRef(ref)} without an upload id`, { path: file.path });
  return ctx.store.startUpload({
    endpoint: ctx.endpointId,
    bucket: ctx.bucket,
    key: file.key,
    uploadId: r.UploadId,
    path: local.path,
    size: local.size,
    mtimeMs: local.mtimeMs,
    partSize: plan.partSize,
    checksum: algorithm === 'none' ? null : algorithm,
    xxh64,
  });
}

/** The parts the store holds for the upload, or undefined when it no longer knows the upload. */
async function listParts(ctx: UploadContext, upload: UploadRecord, ref: ObjectRef): Promise<Map<number, ServerPart> | undefined> {
  const field = checksumField(ctx.endpoint.checksum);
  const parts = new Map<number, ServerPart>();
  let marker: string | undefined;
  try {
    do {
      const r = await withRetry('listing of the parts of', ref, ctx.retry, () =>
        ctx.client.send(new ListPartsCommand({ Bucket: ctx.bucket, Key: upload.key, UploadId: upload.uploadId, PartNumberMarker: marker }), { abortSignal: ctx.retry.signal }),
      );
      for (const p of r.Parts ?? []) {
        if (p.PartNumber === undefined) continue;
        parts.set(p.PartNumber, { size: p.Size ?? -1, etag: normaliseEtag(p.ETag), checksum: field ? p[field] : undefined });
      }
      marker = r.IsTruncated ? r.NextPartNumberMarker : undefined;
    } while (marker !== undefined);
  } catch (e) {
    if (isNoSuchUpload(e)) return undefined;
    throw e;
  }
  return parts;
}

async function sendPart(ctx: UploadContext, upload: UploadRecord, n: number, data: Buffer, digest: PartDigest, ref: ObjectRef): Promise<string> {
  const field = checksumField(ctx.endpoint.checksum);
  const expected = { etag: digest.md5.toString('hex'), checksum: digest.checksum?.toString('base64') };
  try {
    return await withRetry(`upload of part ${n} of`, ref, ctx.retry, async () => {
      const r = await ctx.client.send(
        new UploadPartCommand({
          Bucket: ctx.bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          PartNumber: n,
          Body: meteredBody(data, ctx.bandwidth, ctx.retry.signal),
          ContentLength: data.length,
          ContentMD5: digest.md5.toString('base64'),
          ...(field && expected.checksum ? { [field]: expected.checksum } : {}),
        }),
        { abortSignal: ctx.retry.signal },
      );
      const got = { etag: r.ETag, checksum: field ? r[field] : undefined };
      // A part stored with other bytes is simply sent again: the next one replaces it.
      if (!confirms(expected, got, ctx.endpoint.etagIsMd5)) throw new CorruptTransfer(`the store acknowledged part ${n} with ETag ${r.ETag}, expected ${expected.etag}`);
      return normaliseEtag(r.ETag);
    });
  } catch (e) {
    if (isNoSuchUpload(e)) throw new UploadGone(`the store no longer knows the upload of ${describeRef(ref)}`);
    throw e;
  }
}

async function complete(ctx: UploadContext, upload: UploadRecord, done: readonly PartDone[], expected: { etag: string; checksum?: string }, ref: ObjectRef): Promise<string> {
  const field = checksumField(ctx.endpoint.checksum);
  let answer: { etag?: string; checksum?: string };
  try {
    answer = await withRetry('completion of', ref, ctx.retry, async () => {
      const r = await ctx.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: ctx.bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          MultipartUpload: {
            Parts: done.map((d, i) => ({ PartNumber: i + 1, ETag: `"${d.etag}"`, ...(field && d.checksum ? { [field]: d.checksum.toString('base64') } : {}) })),
          },
        }),
        { abortSignal: ctx.retry.signal },
      );
      return { etag: r.ETag, checksum: field ? r[field] : undefined };
    });
  } catch (e) {
    if (!isNoSuchUpload(e)) throw e;
    // An earlier attempt may have completed it and lost the answer: the object says.
    const h = await withRetry('check of', ref, ctx.retry, () => ctx.client.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: upload.key }), { abortSignal: ctx.retry.signal })).catch(() => undefined);
    if (!h || normaliseEtag(h.ETag) !== expected.etag) {
      ctx.store.endUpload(upload.id, 'aborted');
      throw new UploadGone(`the store no longer knows the upload of ${describeRef(ref)}`);
    }
    answer = { etag: h.ETag };
  }
  if (!normaliseEtag(answer.etag) || (expected.checksum !== undefined && answer.checksum === undefined)) {
    // Some stores answer the completion without the object's ETag (Ceph RGW 16) or checksum
    // (moto): the object itself is asked, so what it holds is still compared with what was read.
    const h = await withRetry('check of', ref, ctx.retry, () =>
      ctx.client.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: upload.key, ...(field ? { ChecksumMode: 'ENABLED' as const } : {}) }), { abortSignal: ctx.retry.signal }),
    );
    answer = { etag: normaliseEtag(answer.etag) ? answer.etag : h.ETag, checksum: answer.checksum ?? (field ? h[field] : undefined) };
  }
  if (!confirms(expected, answer, ctx.endpoint.etagIsMd5)) {
    // Every part was confirmed, so this is the store's doing; the object must not stay as if it were good.
    await removeQuietly(ctx, upload.key);
    ctx.store.endUpload(upload.id, 'aborted');
    throw new RushesError(
      'SYNC_INTEGRITY',
      `completion of ${describeRef(ref)} failed: the store made an object with ETag ${answer.etag}${answer.checksum ? ` and checksum ${answer.checksum}` : ''}, expected ${expected.etag}${expected.checksum ? ` and ${expected.checksum}` : ''}; it was removed`,
      { path: ref.path },
    );
  }
  return normaliseEtag(answer.etag) || expected.etag;
}

/** Aborts an upload on the store (one it no longer knows counts as aborted) and closes its record. */
async function abortRecorded(access: UploadAccess, upload: UploadRecord): Promise<void> {
  const ref: ObjectRef = { bucket: upload.bucket, key: upload.key, path: upload.path };
  try {
    await withRetry('abort of the upload of', ref, access.retry, () =>
      access.client.send(new AbortMultipartUploadCommand({ Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId }), { abortSignal: access.retry.signal }),
    );
  } catch (e) {
    if (!isNoSuchUpload(e)) throw e;
  }
  access.store.endUpload(upload.id, 'aborted');
}

/** Abandons the open upload of one object for good: aborted on the store, so its parts stop costing storage. */
export async function abortUpload(access: UploadAccess, key: string): Promise<boolean> {
  const record = access.store.openUpload({ endpoint: access.endpointId, bucket: access.bucket, key });
  if (!record) return false;
  await abortRecorded(access, record);
  return true;
}

/**
 * Aborts every open upload to this bucket not touched for `olderThanMs` (its job gave up,
 * its file is gone): the housekeeping that keeps abandoned parts from accruing storage.
 * Returns the keys aborted.
 */
export async function abortAbandoned(access: UploadAccess, olderThanMs: number): Promise<string[]> {
  const stale = access.store.openUploads(Date.now() - olderThanMs, { endpoint: access.endpointId, bucket: access.bucket });
  for (const u of stale) await abortRecorded(access, u);
  return stale.map((u) => u.key);
}
