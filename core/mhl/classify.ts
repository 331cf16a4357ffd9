/**
 * Which action a new generation records for each hash of a file, from what the history
 * already knows (the reference tool's rules):
 * - no earlier record of the file: every hash is "original";
 * - a format recorded before: "verified" if the digest matches, "failed" if not;
 * - a format new for a known file: "verified" when another format of the same file was
 *   just verified; left out when that check failed (the reference tool records no new
 *   format on a failed file); "original" when nothing could be compared (outcome
 *   'unverifiable': the caller should hash a recorded format too, see `formatsToVerify`).
 */
import type { Digests, HashFormat } from '../hash/index.ts';
import type { MhlHash } from './model.ts';
import type { FileExpectation } from './records.ts';

export interface Classification {
  hashes: MhlHash[];
  outcome: 'original' | 'verified' | 'failed' | 'unverifiable';
  /** Formats whose digest differs from the recorded one. */
  mismatches: { format: HashFormat; expected: string; actual: string }[];
}

export function classifyHashes(expectation: FileExpectation | undefined, digests: Digests, hashDate: Date): Classification {
  const entries = Object.entries(digests) as [HashFormat, string][];
  if (!expectation) {
    return { hashes: entries.map(([format, digest]) => ({ format, digest, action: 'original', hashDate })), outcome: 'original', mismatches: [] };
  }
  const hashes: MhlHash[] = [];
  const mismatches: Classification['mismatches'] = [];
  const fresh: [HashFormat, string][] = [];
  for (const [format, digest] of entries) {
    const expected = expectation.digests.get(format);
    if (expected === undefined) fresh.push([format, digest]);
    else if (expected === digest) hashes.push({ format, digest, action: 'verified', hashDate });
    else {
      hashes.push({ format, digest, action: 'failed', hashDate });
      mismatches.push({ format, expected, actual: digest });
    }
  }
  const compared = hashes.length > 0;
  const failed = mismatches.length > 0;
  if (!failed) for (const [format, digest] of fresh) hashes.push({ format, digest, action: compared ? 'verified' : 'original', hashDate });
  return { hashes, outcome: failed ? 'failed' : compared ? 'verified' : 'unverifiable', mismatches };
}

/** Formats a file must be hashed in so that it can be checked against its history. */
export function formatsToVerify(expectation: FileExpectation | undefined): HashFormat[] {
  return expectation ? [...expectation.digests.keys()] : [];
}
