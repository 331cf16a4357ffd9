import { ERROR_POLICY, type ErrorCode } from '../errors.ts';

/**
 * Stable exit codes of the `rushes` command: the outcomes a command reports itself; an error
 * that ends a command exits with its code's `exit` in ERROR_POLICY (core/errors.ts).
 * `rushes verify` and `rushes mhl` exit with the reference tool's codes (10–33, MHL_EXIT in
 * core/mhl), so scripts read both the same.
 */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  /** The offload finished but not every file reached every destination verified. */
  INCOMPLETE: 3,
  SOURCE_MISSING: 4,
  STORE: 5,
  MHL_INVALID: 6,
  /** A search found nothing (like grep's 1, but 1 is taken by internal errors). */
  NOT_FOUND: 7,
  /** `render --runtime docker` without a Docker engine or the worker image. */
  RUNTIME_UNAVAILABLE: 8,
  /** Another offload is writing into a destination folder (run again once it is done, or use --wait). */
  DEST_LOCKED: 9,
  CANCELLED: 130,
} as const;

/** The exit code for an error that ended a command before it could report a summary. */
export function exitCodeFor(code: ErrorCode): number {
  return ERROR_POLICY[code].exit;
}
