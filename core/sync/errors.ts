/**
 * What a failed S3 request means: worth waiting out (the store is down, throttling, the link
 * dropped), worth sending again at once (the bytes arrived corrupted), or final (bad
 * credentials, no bucket, access denied, quota full) — and for a final one, the RushesError
 * that names the object, the local file and the store's own words.
 */
import { errno, RushesError, type ErrorCode } from '../errors.ts';

/** Which object a request was about, for messages. */
export interface ObjectRef {
  bucket: string;
  key: string;
  /** The local file it is uploaded from. */
  path?: string;
}

export type FailureKind = 'transient' | 'corrupt' | 'final';

/** Thrown by Rushes itself when the store's answer does not confirm the bytes sent. */
export class CorruptTransfer extends Error {
  override readonly name = 'CorruptTransfer';
}

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

function shape(e: unknown): SdkErrorShape {
  return typeof e === 'object' && e !== null ? (e as SdkErrorShape) : { message: String(e) };
}

/** The store's error code (`NoSuchBucket`) or the system's (`ECONNREFUSED`). */
export function errorName(e: unknown): string {
  const s = shape(e);
  return s.Code ?? errno(e) ?? s.name ?? 'Error';
}

export function httpStatus(e: unknown): number | undefined {
  const s = shape(e);
  return s.$metadata?.httpStatusCode ?? s.$response?.statusCode;
}

const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'CredentialsProviderError', 'InvalidClientTokenId', 'AuthorizationHeaderMalformed']);
const NO_BUCKET = new Set(['NoSuchBucket']);
const DENIED = new Set(['AccessDenied', 'AllAccessDisabled', 'AccountProblem', 'Forbidden']);
const QUOTA = new Set(['QuotaExceeded', 'StorageQuotaExceeded', 'InsufficientStorage', 'StorageCapExceeded', 'TooManyBuckets', 'XMinioStorageFull']);
/** The store saw different bytes than Content-MD5 or the flexible checksum announced. */
const CORRUPT = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'XAmzContentChecksumMismatch', 'CorruptTransfer']);
/** The store is busy or failing for the moment. */
const BUSY = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'ServiceUnavailable', 'InternalError', 'RequestTimeoutException', 'TooManyRequests', 'TimeoutError', 'OperationAborted']);
/** The link: nothing (or nothing whole) came back. */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

export function failureKind(e: unknown): FailureKind {
  const name = errorName(e);
  const status = httpStatus(e);
  if (CORRUPT.has(name)) return 'corrupt';
  if (BUSY.has(name) || NETWORK.has(name)) return 'transient';
  if (AUTH.has(name) || NO_BUCKET.has(name) || DENIED.has(name) || QUOTA.has(name)) return 'final';
  if (status === 429 || (status !== undefined && status >= 500 && status !== 501)) return 'transient';
  if (status !== undefined) return 'final';
  // No answer at all: a socket that closed or timed out mid request.
  const message = shape(e).message ?? '';
  if (/socket hang up|ECONNRESET|network|timed? ?out|premature close|aborted/i.test(message)) return 'transient';
  return 'final';
}

function codeFor(name: string, status: number | undefined): ErrorCode {
  if (AUTH.has(name)) return 'SYNC_AUTH';
  if (NO_BUCKET.has(name)) return 'SYNC_NO_BUCKET';
  if (QUOTA.has(name) || status === 507) return 'SYNC_QUOTA';
  if (DENIED.has(name) || status === 403) return 'SYNC_DENIED';
  if (CORRUPT.has(name)) return 'SYNC_INTEGRITY';
  return 'SYNC_REFUSED';
}

const MEANING: Partial<Record<ErrorCode, string>> = {
  SYNC_AUTH: 'the object store refused the credentials',
  SYNC_NO_BUCKET: 'the bucket does not exist',
  SYNC_DENIED: 'access denied',
  SYNC_QUOTA: 'the quota is full',
  SYNC_INTEGRITY: 'the store did not receive the bytes that were sent',
  SYNC_REFUSED: 'the object store refused the request',
};

export function describeRef(ref: ObjectRef): string {
  return `s3://${ref.bucket}/${ref.key}${ref.path !== undefined ? ` (from ${ref.path})` : ''}`;
}

/** The store's words for a failure, without anything secret (the SDK's messages carry none). */
export function causeText(e: unknown): string {
  const name = errorName(e);
  const status = httpStatus(e);
  const message = (shape(e).message ?? '').trim();
  const said = message && message !== name && message !== 'UnknownError' ? `: ${message}` : '';
  return `${name}${status !== undefined ? ` (HTTP ${status})` : ''}${said}`;
}

/**
 * A final failure as the RushesError the caller reports. What is neither the store's answer
 * nor the link's (a local error, a bug) stays as it was thrown, unclassified.
 */
export function syncError(e: unknown, what: string, ref: ObjectRef): unknown {
  if (e instanceof RushesError) return e;
  if (httpStatus(e) === undefined && !AUTH.has(errorName(e))) return e;
  const code = codeFor(errorName(e), httpStatus(e));
  return new RushesError(code, `${what} ${describeRef(ref)} failed: ${MEANING[code]} (${causeText(e)})`, { path: ref.path, cause: e });
}
