/**
 * Checks one destination file against the source digests, as the chosen verify mode says:
 * `full` reads every byte back from the device (O_DIRECT) and compares every format;
 * `size` compares sizes; `none` trusts the write. With `--source-verify` the source is
 * read a second time too (recheckSource), to catch a flaky reader or cable.
 */
import { promises as fsp } from 'node:fs';
import { RushesError, errno } from '../errors.ts';
import type { Digests, HashFormat } from '../hash/index.ts';
import type { FileHashResult } from '../hash/medium.ts';
import { hashFile, hashFiles } from '../runtime/hashing.ts';
import type { CheckKind, VerifyMode } from './store.ts';

export interface CheckResult {
  kind: CheckKind;
  checkedAt: Date;
  /** Set when the destination does not hold the source's bytes. */
  error?: RushesError;
}

function firstMismatch(expected: Digests, actual: Digests, formats: readonly HashFormat[]): HashFormat | undefined {
  return formats.find((f) => expected[f] !== actual[f]);
}

export async function checkDestinationFile(
  path: string,
  expected: { size: number; digests: Digests },
  formats: readonly HashFormat[],
  mode: VerifyMode,
  options: { onBytes?: (n: number) => void; signal?: AbortSignal } = {},
): Promise<CheckResult> {
  try {
    if (mode === 'none') return { kind: 'none', checkedAt: new Date() };
    if (mode === 'size') {
      const st = await fsp.stat(path);
      const error = st.size === expected.size ? undefined : new RushesError('VERIFY_MISMATCH', `size differs on ${path}: ${st.size} bytes, source has ${expected.size}`, { path });
      return { kind: 'size', checkedAt: new Date(), error };
    }
    return judgeReadBack(path, expected, formats, await hashFile(path, formats, { direct: true, onBytes: options.onBytes, signal: options.signal }));
  } catch (e) {
    if (options.signal?.aborted || e instanceof RushesError) throw e;
    return unreadable(path, mode, e);
  }
}

/** Up to this size, a file's copies are read back in one pool task (./settle.ts); larger ones each in its own, with their own progress. */
export const READ_BACK_TOGETHER_MAX = 4 * 1024 * 1024;

/**
 * Full checks of one small file's copies on several destinations, read back in one pool task
 * (see hashFiles). Each copy is judged on its own, as checkDestinationFile does.
 */
export async function checkDestinationFilesTogether(
  paths: readonly string[],
  expected: { size: number; digests: Digests },
  formats: readonly HashFormat[],
  signal?: AbortSignal,
): Promise<CheckResult[]> {
  let got: Awaited<ReturnType<typeof hashFiles>>;
  try {
    got = await hashFiles(
      paths.map((path) => ({ path, formats })),
      { direct: true, signal },
    );
  } catch (e) {
    // The whole task failed (a worker lost, say): each copy fails its check, as one read alone would, and the other files go on.
    if (signal?.aborted || e instanceof RushesError) throw e;
    return paths.map((path) => unreadable(path, 'full', e));
  }
  return got.map((r, i) => {
    if (!('error' in r)) return judgeReadBack(paths[i], expected, formats, r);
    if (signal?.aborted || r.error instanceof RushesError) throw r.error;
    return unreadable(paths[i], 'full', r.error);
  });
}

/** A full read-back's verdict: every byte there and every digest the source's. */
function judgeReadBack(path: string, expected: { size: number; digests: Digests }, formats: readonly HashFormat[], got: FileHashResult): CheckResult {
  const kind: CheckKind = got.mode === 'direct' ? 'full-direct' : 'full-cached';
  const checkedAt = new Date();
  if (got.bytes !== expected.size) {
    return { kind, checkedAt, error: new RushesError('VERIFY_MISMATCH', `read back ${got.bytes} bytes from ${path}, source has ${expected.size}`, { path }) };
  }
  const bad = firstMismatch(expected.digests, got.digests, formats);
  if (bad) {
    return {
      kind,
      checkedAt,
      error: new RushesError('VERIFY_MISMATCH', `${bad} mismatch reading back ${path}: ${got.digests[bad]}, source has ${expected.digests[bad]}`, { path }),
    };
  }
  return { kind, checkedAt };
}

function unreadable(path: string, mode: VerifyMode, e: unknown): CheckResult {
  return { kind: mode === 'size' ? 'size' : 'full-direct', checkedAt: new Date(), error: new RushesError('DEST_IO', `cannot read back ${path}: ${errno(e) ?? (e as Error).message}`, { path, cause: e }) };
}

/** Reads the source again from the device; says why its bytes cannot be trusted, or nothing when they match the copy's read. */
export async function recheckSource(
  file: { abs: string },
  expected: { size: number; digests: Digests },
  formats: readonly HashFormat[],
  signal?: AbortSignal,
): Promise<RushesError | undefined> {
  try {
    const again = await hashFile(file.abs, formats, { direct: true, signal });
    const bad = again.bytes !== expected.size || formats.some((f) => again.digests[f] !== expected.digests[f]);
    return bad ? new RushesError('SOURCE_VERIFY_MISMATCH', `re-reading the source gave different bytes: ${file.abs} (check the card reader and cable)`, { path: file.abs }) : undefined;
  } catch (e) {
    if (signal?.aborted) throw e;
    return new RushesError('SOURCE_UNREADABLE', `cannot re-read source ${file.abs}: ${errno(e) ?? (e as Error).message}`, { path: file.abs, cause: e });
  }
}
