/**
 * One file to one object: skip it when the store already holds it (same size and xxh64,
 * by HEAD), else send it in one request (up to a part's size) or in parts, and count it
 * synced only when the store's answer confirms the bytes that were read.
 */
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { open } from 'node:fs/promises';
import { RushesError } from '../errors.ts';
import { createHasher } from '../hash/index.ts';
import { hashFileHere } from '../hash/medium.ts';
import { removeQuietly, XXH64_META, type ObjectResult, type SyncFile, type UploadContext } from './context.ts';
import { statLocal, xxh64Mismatch, type LocalFile } from './local.ts';
import { CorruptTransfer, errorName, httpStatus, type ObjectRef } from './errors.ts';
import { checksumField, checksumHeader, confirms, normaliseEtag, PartHasher, singleEtag } from './integrity.ts';
import { uploadMultipart } from './multipart.ts';
import { meteredBody, readPart } from './read.ts';
import { withRetry } from './retry.ts';

/** S3 refuses keys longer than this many bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

interface Present {
  size: number;
  etag: string;
  xxh64?: string;
}

/** What the store holds under the key, or undefined. A HEAD that is refused (403) says nothing: the upload will say why. */
async function head(ctx: UploadContext, ref: ObjectRef): Promise<Present | undefined> {
  try {
    return await withRetry('check of', ref, ctx.retry, async () => {
      const r = await ctx.client.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: ref.key }), { abortSignal: ctx.retry.signal });
      return { size: r.ContentLength ?? -1, etag: normaliseEtag(r.ETag), xxh64: r.Metadata?.[XXH64_META] };
    });
  } catch (e) {
    const cause = e instanceof RushesError ? e.cause : e;
    const status = httpStatus(cause);
    if (status === 404 || status === 403 || errorName(cause) === 'NotFound') return undefined;
    throw e;
  }
}

/**
 * Whether what the store holds is this file: same size and the same xxh64 in its metadata
 * (which Rushes writes only with bytes that hashed to it and that the store confirmed).
 * Without an xxh64 from the caller the local copy is hashed here — a local read costs far
 * less than sending it again.
 */
async function isSame(present: Present | undefined, file: SyncFile, local: LocalFile): Promise<string | undefined> {
  if (present === undefined || present.size !== local.size || present.xxh64 === undefined) return undefined;
  const mine = file.xxh64 ?? (await hashFileHere(file.path, ['xxh64'], { direct: false })).digests.xxh64;
  return mine === present.xxh64 ? mine : undefined;
}

/** Uploads one file (or finds it already there); throws a RushesError naming the file and object when it cannot. */
export async function uploadFile(ctx: UploadContext, file: SyncFile, known?: LocalFile): Promise<ObjectResult> {
  const ref: ObjectRef = { bucket: ctx.bucket, key: file.key, path: file.path };
  if (Buffer.byteLength(file.key) > MAX_KEY_BYTES || file.key === '') {
    throw new RushesError('USAGE', `object key for ${file.path} must be 1 to ${MAX_KEY_BYTES} bytes long (it is ${Buffer.byteLength(file.key)})`, { path: file.path });
  }
  const local = known ?? (await statLocal(file.path));
  // A key the listing does not hold, or holds with another size, is not this file: no HEAD needed.
  const listedSize = ctx.listed?.get(file.key);
  const present = ctx.listed && listedSize !== local.size ? undefined : await head(ctx, ref);
  const same = await isSame(present, file, local);
  if (same !== undefined) {
    ctx.store.objectSynced({ endpoint: ctx.endpointId, bucket: ctx.bucket, key: file.key, path: file.path, size: local.size, etag: present!.etag, checksum: null, xxh64: same });
    ctx.onBytes(local.size);
    return { path: file.path, key: file.key, size: local.size, outcome: 'skipped', etag: present!.etag, xxh64: same };
  }
  let result: ObjectResult;
  try {
    result = local.size > ctx.partSize ? await uploadMultipart(ctx, file, local) : await putObject(ctx, file, local);
  } catch (e) {
    // Whatever an earlier sync recorded for this key no longer holds.
    ctx.store.forgetObject({ endpoint: ctx.endpointId, bucket: ctx.bucket, key: file.key });
    throw e;
  }
  ctx.store.objectSynced({
    endpoint: ctx.endpointId,
    bucket: ctx.bucket,
    key: file.key,
    path: file.path,
    size: local.size,
    etag: result.etag!,
    checksum: result.checksum ?? null,
    xxh64: result.xxh64 ?? null,
  });
  return result;
}

/** A file of up to one part: read and hashed into memory, sent in one request, confirmed by its ETag (and checksum). */
async function putObject(ctx: UploadContext, file: SyncFile, local: LocalFile): Promise<ObjectResult> {
  const ref: ObjectRef = { bucket: ctx.bucket, key: file.key, path: file.path };
  const algorithm = ctx.endpoint.checksum;
  const buf = await ctx.pool.acquire(local.size, ctx.retry.signal);
  try {
    const partHasher = await PartHasher.create(algorithm);
    const fileHasher = await createHasher('xxh64');
    const fh = await open(file.path, 'r');
    let data: Buffer;
    try {
      data = await readPart(fh, file.path, 0, local.size, buf, partHasher, fileHasher);
    } finally {
      await fh.close();
    }
    const xxh64 = fileHasher.digest();
    if (file.xxh64 !== undefined && xxh64 !== file.xxh64) throw xxh64Mismatch(file, xxh64);
    const digest = partHasher.digest();
    const expected = { etag: singleEtag(digest.md5), checksum: digest.checksum?.toString('base64') };
    // Set when the store kept bytes it then described differently: that object must not stay.
    let storedWrong = false;
    try {
      const answer = await withRetry('upload of', ref, ctx.retry, async () => {
        const got = await sendObject(ctx, file, data, { md5: digest.md5, checksum: expected.checksum, xxh64 });
        storedWrong = !confirms(expected, got, ctx.endpoint.etagIsMd5);
        if (storedWrong) throw new CorruptTransfer(`the store answered ETag ${got.etag}${got.checksum ? ` and ${algorithm} ${got.checksum}` : ''}, expected ${expected.etag}${expected.checksum ? ` and ${expected.checksum}` : ''}`);
        return got;
      });
      ctx.onBytes(local.size);
      return { path: file.path, key: file.key, size: local.size, outcome: 'uploaded', etag: normaliseEtag(answer.etag), checksum: expected.checksum, xxh64 };
    } catch (e) {
      if (storedWrong) await removeQuietly(ctx, file.key);
      throw e;
    }
  } finally {
    ctx.pool.release(buf);
  }
}

/** The proofs an object is sent with: Content-MD5, the flexible checksum (base64) when the endpoint uses one, the xxh64 for its metadata. */
interface Proofs {
  md5: Buffer;
  checksum?: string;
  xxh64: string;
}

/** One PUT of the whole object, the lean way where the endpoint allows it, else through the SDK: the store's ETag and checksum. */
async function sendObject(ctx: UploadContext, file: SyncFile, data: Buffer, proofs: Proofs): Promise<{ etag?: string; checksum?: string }> {
  const header = checksumHeader(ctx.endpoint.checksum);
  const field = checksumField(ctx.endpoint.checksum);
  if (ctx.lean) {
    return ctx.lean.put({
      key: file.key,
      body: data,
      md5: proofs.md5,
      ...(header && proofs.checksum ? { checksum: { header, value: proofs.checksum } } : {}),
      contentType: file.contentType,
      metadata: { [XXH64_META]: proofs.xxh64 },
      bandwidth: ctx.bandwidth,
      signal: ctx.retry.signal,
    });
  }
  const r = await ctx.client.send(
    new PutObjectCommand({
      Bucket: ctx.bucket,
      Key: file.key,
      Body: meteredBody(data, ctx.bandwidth, ctx.retry.signal),
      ContentLength: data.length,
      ContentMD5: proofs.md5.toString('base64'),
      ...(field && proofs.checksum ? { [field]: proofs.checksum } : {}),
      ...(file.contentType ? { ContentType: file.contentType } : {}),
      Metadata: { [XXH64_META]: proofs.xxh64 },
    }),
    { abortSignal: ctx.retry.signal },
  );
  return { etag: r.ETag, checksum: field ? r[field] : undefined };
}
