/**
 * What a bucket already holds under the keys of a sync, from one listing instead of a HEAD
 * per file: a fresh upload of 2,000 small files then costs two list requests, not 2,000
 * HEADs. Only absence and size are taken from it; a key that is there with the right size
 * is still asked with HEAD for its xxh64. A listing that is refused, or too long to be worth
 * it, leaves every file to its HEAD.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { UploadContext } from './context.ts';
import { withRetry } from './retry.ts';

/** Past this many objects under the prefix, HEADs are cheaper than the listing. */
const MAX_LISTED = 50_000;

/** The longest common folder of the keys ("A001/Clips/" for A001/Clips/x and A001/Clips/y). */
export function commonFolder(keys: readonly string[]): string {
  if (keys.length === 0) return '';
  let prefix = keys[0];
  for (const k of keys) {
    let i = 0;
    while (i < prefix.length && i < k.length && prefix[i] === k[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/** Sizes of the objects under the keys' common folder, or undefined when the listing cannot be had. */
export async function listSizes(ctx: Pick<UploadContext, 'client' | 'bucket' | 'retry'>, keys: readonly string[]): Promise<Map<string, number> | undefined> {
  const prefix = commonFolder(keys);
  const sizes = new Map<string, number>();
  let token: string | undefined;
  try {
    do {
      const r = await withRetry('listing of', { bucket: ctx.bucket, key: prefix }, ctx.retry, () =>
        ctx.client.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix || undefined, ContinuationToken: token }), { abortSignal: ctx.retry.signal }),
      );
      for (const o of r.Contents ?? []) if (o.Key !== undefined) sizes.set(o.Key, o.Size ?? -1);
      if (sizes.size > MAX_LISTED) return undefined;
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token !== undefined);
  } catch {
    // Refused (no ListBucket permission, bad credentials, no bucket): each file's own requests will say why.
    return undefined;
  }
  return sizes;
}
