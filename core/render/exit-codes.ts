/**
 * `rushes-fn`'s exit codes (workers/fn.ts), and their reading on the caller's side of a
 * process or container boundary, where only the number may survive.
 */
import type { ErrorCode } from '../errors.ts';

export const FN_EXIT: Partial<Record<ErrorCode, number>> & { OK: number; CANCELLED: number; INTERNAL: number } = {
  OK: 0,
  USAGE: 2,
  SOURCE_MISSING: 3,
  INPUT_UNDECODABLE: 3,
  DEST_FULL: 4,
  DEST_READONLY: 4,
  DEST_IO: 4,
  RENDER_FAILED: 5,
  RUNTIME_UNAVAILABLE: 5,
  RENDER_TIMEOUT: 6,
  CANCELLED: 130,
  INTERNAL: 1,
};

/** The error code an exit code stands for, on the caller's side of a process or container boundary. */
export function codeForFnExit(exit: number): ErrorCode {
  const hit = (Object.entries(FN_EXIT) as [string, number][]).find(([, v]) => v === exit);
  return (hit && hit[0] !== 'OK' && hit[0] !== 'CANCELLED' ? hit[0] : 'INTERNAL') as ErrorCode;
}

