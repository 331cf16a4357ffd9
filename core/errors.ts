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
  | 'RUNTIME_UNAVAILABLE' // the runtime asked for cannot run here (no Docker engine, no image)
  | 'INTERNAL';

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
