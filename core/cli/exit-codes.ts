import type { ErrorCode } from '../errors.ts';

/**
 * Stable exit codes of the `rushes` command. 10–33 are the ASC MHL verification codes of
 * the reference tool (ascmhl), so scripts written for it read ours the same way.
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
  CANCELLED: 130,
  MHL_MISSING_FILES: 10,
  MHL_HASH_MISMATCH: 11,
  MHL_DIRECTORY_HASH_MISMATCH: 12,
  MHL_NEW_FILES: 21,
  MHL_NO_HISTORY: 30,
  MHL_MANIFEST_ALTERED: 31,
  MHL_CHAIN_MISSING: 32,
  MHL_MANIFEST_MISSING: 33,
} as const;

/** The exit code for an error that ended a command before it could report a summary. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'USAGE':
    case 'DEST_INSIDE_SOURCE':
      return EXIT.USAGE;
    case 'SOURCE_MISSING':
      return EXIT.SOURCE_MISSING;
    case 'STORE':
      return EXIT.STORE;
    case 'MHL_INVALID':
      return EXIT.MHL_INVALID;
    case 'INTERNAL':
      return EXIT.INTERNAL;
    default:
      return EXIT.INCOMPLETE;
  }
}
