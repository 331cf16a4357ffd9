/** `s3://bucket/prefix/…`: where a sync (or a function's output) goes, as bucket and key prefix. */
import { RushesError } from '../errors.ts';

export interface S3Location {
  bucket: string;
  /** Keys begin with this (no leading '/', a trailing '/' unless empty). */
  prefix: string;
}

export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new RushesError('USAGE', `"${uri}" is not an S3 location (s3://bucket/prefix/, a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens)`);
  const rest = (m[2] ?? '').replace(/^\/+/, '');
  if (rest.split('/').some((seg, i, all) => (seg === '' && i < all.length - 1) || seg === '.' || seg === '..')) throw new RushesError('USAGE', `"${uri}": the key prefix has an empty, "." or ".." segment`);
  return { bucket: m[1]!, prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/` };
}

export const s3Uri = (l: S3Location, key = '') => `s3://${l.bucket}/${l.prefix}${key}`;
