/**
 * One error type per failure class, each with a stable code. Codes are part of the
 * interface: the CLI maps them to exit codes and the API returns them verbatim.
 */
export type ErrorCode =
  | 'USAGE' // bad arguments or options
  | 'SOURCE_MISSING' // source path does not exist or is not readable
  | 'SOURCE_CHANGED' // a source file changed or vanished while it was copied
  | 'SOURCE_UNREADABLE' // an I/O error reading the source (card pulled, bad reader)
  | 'SYMLINK_LOOP' // a directory symlink points back into its own ancestry
  | 'BAD_FILENAME' // a file name that is not valid UTF-8 and cannot be recorded in an MHL
  | 'DEST_INSIDE_SOURCE' // a destination would copy into the tree being read
  | 'DEST_FULL' // ENOSPC / EDQUOT on a destination
  | 'DEST_READONLY' // EROFS / EACCES on a destination
  | 'DEST_IO' // any other write error on a destination
  | 'DEST_CONFLICT' // a different file already exists under the final destination name
  | 'DEST_LOCKED' // another writer (an offload in this or another process) holds the destination folder
  | 'VERIFY_MISMATCH' // read-back hash differs from the source hash
  | 'SOURCE_VERIFY_MISMATCH' // re-reading the source gave a different hash
  | 'MHL_INVALID' // an ASC MHL file that is malformed or hostile
  | 'MHL_VERIFY' // a history did not verify (see the mhl exit codes)
  | 'STORE' // the SQLite store could not be opened or migrated
  | 'INPUT_UNDECODABLE' // a render input ffmpeg cannot decode (camera RAW without a decoder, a broken clip)
  | 'RENDER_FAILED' // ffmpeg failed for another reason, or wrote less than it should
  | 'RENDER_TIMEOUT' // a render took longer than its limit and was killed
  | 'RUNTIME_UNAVAILABLE' // the runtime asked for cannot run here (no Docker engine, no image, not a swarm manager, no Batch job queue)
  | 'TASK_LOST' // a task on another machine (a swarm task, an AWS Batch job) ended without an answer: killed, its node lost; tried again
  | 'WEBHOOK_REFUSED' // a webhook receiver answered a 4xx that retrying cannot change
  | 'SYNC_AUTH' // the object store refused the credentials (unknown key, bad secret, expired token) or none were found
  | 'SYNC_NO_BUCKET' // the bucket named in the sync target does not exist
  | 'SYNC_DENIED' // the credentials are valid but may not do this (bucket policy, ACL)
  | 'SYNC_QUOTA' // the bucket or account quota is full
  | 'SYNC_INTEGRITY' // what the object store holds does not match the bytes read, after retries
  | 'SYNC_UNREACHABLE' // the object store did not answer, or only failed, for longer than the give-up time
  | 'SYNC_REFUSED' // the object store refused a request for another reason (its code is in the message)
  | 'NOT_FOUND' // no job, card or clip with that id (or a clip without a poster frame)
  | 'WRONG_STATE' // what was asked is not possible in the state it is in (retry a running job, start a verified card)
  | 'CANCELLED' // someone asked to stop it
  | 'PARENT_CANCELLED' // a job it waited for was cancelled
  | 'LEASE_LOST' // a job's last attempt never reported back (its worker died)
  | 'ERROR' // a failure nothing classified; tried again
  | 'INTERNAL';

/**
 * What each failure means at every boundary, in one place:
 * - `exit`: the `rushes` command's exit code when the error ends it (README, "Exit codes");
 * - `fnExit`: `rushes-fn`'s exit code, the only thing that may cross a process or container
 *   boundary (the caller reads it back with codeForFnExit);
 * - `http`: the API's status;
 * - `retryable`: whether a job that failed with it is tried again (the error is about the
 *   moment — a full disk, a pulled cable — not about the request).
 */
interface ErrorPolicy {
  exit: number;
  fnExit: number;
  http: number;
  retryable: boolean;
}

const policy = (exit: number, fnExit: number, http: number, retryable: boolean): ErrorPolicy => ({ exit, fnExit, http, retryable });

/** In this order `codeForFnExit` reads a number back: the first code with that exit wins. */
export const ERROR_POLICY: Readonly<Record<ErrorCode, ErrorPolicy>> = {
  USAGE: policy(2, 2, 400, false),
  SOURCE_MISSING: policy(4, 3, 422, false),
  INPUT_UNDECODABLE: policy(3, 3, 422, false),
  SOURCE_CHANGED: policy(3, 3, 500, true),
  SOURCE_UNREADABLE: policy(3, 3, 500, true),
  SYMLINK_LOOP: policy(3, 3, 422, false),
  BAD_FILENAME: policy(3, 3, 422, false),
  DEST_INSIDE_SOURCE: policy(2, 2, 422, false),
  DEST_FULL: policy(3, 4, 500, true),
  DEST_READONLY: policy(3, 4, 422, true),
  DEST_IO: policy(3, 4, 500, true),
  DEST_CONFLICT: policy(3, 4, 409, true),
  DEST_LOCKED: policy(9, 4, 409, true),
  VERIFY_MISMATCH: policy(3, 4, 500, true),
  SOURCE_VERIFY_MISMATCH: policy(3, 3, 500, true),
  MHL_INVALID: policy(6, 1, 500, true),
  MHL_VERIFY: policy(3, 1, 500, true),
  STORE: policy(5, 1, 500, true),
  RENDER_FAILED: policy(3, 5, 500, true),
  RUNTIME_UNAVAILABLE: policy(8, 5, 500, true),
  // Never a rushes-fn exit of its own (its caller sees a task end without one): 1, as an internal error.
  TASK_LOST: policy(8, 1, 502, true),
  RENDER_TIMEOUT: policy(3, 6, 500, true),
  WEBHOOK_REFUSED: policy(3, 1, 500, false),
  // Cloud sync: the command exits 14 for any of them; the function exit tells them apart.
  SYNC_AUTH: policy(14, 7, 502, false),
  SYNC_NO_BUCKET: policy(14, 8, 502, false),
  SYNC_DENIED: policy(14, 9, 502, false),
  SYNC_QUOTA: policy(14, 10, 507, true),
  SYNC_INTEGRITY: policy(14, 11, 502, true),
  SYNC_UNREACHABLE: policy(14, 12, 504, true),
  SYNC_REFUSED: policy(14, 13, 502, false),
  NOT_FOUND: policy(2, 1, 404, false),
  WRONG_STATE: policy(2, 1, 409, false),
  CANCELLED: policy(130, 130, 409, false),
  PARENT_CANCELLED: policy(130, 130, 409, false),
  LEASE_LOST: policy(1, 1, 500, true),
  ERROR: policy(1, 1, 500, true),
  INTERNAL: policy(1, 1, 500, false),
};

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_POLICY, code);
}

/** The policy of any code a record may carry; one Rushes does not know is an unclassified failure. */
export function policyOf(code: string): ErrorPolicy {
  return ERROR_POLICY[isErrorCode(code) ? code : 'ERROR'];
}

/** The error code a `rushes-fn` exit code stands for, on the caller's side of a process or container boundary. */
export function codeForFnExit(exit: number): ErrorCode {
  const hit = (Object.keys(ERROR_POLICY) as ErrorCode[]).find((c) => ERROR_POLICY[c].fnExit === exit);
  return hit === undefined || hit === 'CANCELLED' ? 'INTERNAL' : hit;
}

export class RushesError extends Error {
  readonly code: ErrorCode;
  /** The file or folder the error is about, when there is one. */
  readonly path?: string;

  constructor(code: ErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RushesError';
    this.code = code;
    this.path = options.path;
  }
}

export function isRushesError(e: unknown): e is RushesError {
  return e instanceof RushesError;
}

/** Node system errors carry `code` ("ENOSPC", …); this reads it without `any`. */
export function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** Maps an OS error on a destination write to our error class, naming the file. */
export function destinationError(e: unknown, path: string): RushesError {
  const code = errno(e);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new RushesError('DEST_FULL', `destination is full writing ${path}`, { path, cause: e });
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return new RushesError('DEST_READONLY', `destination is not writable: ${path} (${code})`, { path, cause: e });
  const msg = e instanceof Error ? e.message : String(e);
  return new RushesError('DEST_IO', `write failed for ${path}: ${msg}`, { path, cause: e });
}

/** A failure as stored and sent (job records, card records, API bodies, offload reports). */
export interface ErrorRecord {
  code: string;
  message: string;
  path?: string;
}

/**
 * Any thrown value as a record: a RushesError keeps its code and path; anything else is an
 * unclassified ERROR naming `path` when the caller knows which file it was about.
 */
export function errorRecord(e: unknown, path?: string): ErrorRecord {
  if (e instanceof RushesError) return { code: e.code, message: e.message, ...((e.path ?? path) !== undefined ? { path: e.path ?? path } : {}) };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'ERROR', message, ...(path !== undefined ? { path } : {}) };
}
