/**
 * Digest text ⇄ bytes. Directory hashes are computed over the binary digests of the
 * children (hex decoded; C4 IDs base58 decoded back to their 64 SHA-512 bytes), exactly as
 * the reference tool does, so both tools get the same folder hashes from the same files.
 */
import { isC4Id, type HashFormat } from '../hash/index.ts';

/** How many hex characters a digest in each format has. */
export const HEX_LENGTH: Record<Exclude<HashFormat, 'c4'>, number> = { xxh64: 16, xxh3: 16, xxh128: 32, md5: 32, sha1: 40 };
const C4_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** The digest in canonical form (lowercase hex, or the C4 ID), or undefined if it is not one. */
/** Digests as our hashers write them, which need no normalising: checked once per file of every manifest written. */
const CANONICAL_HEX = /^[0-9a-f]+$/;

export function normalizeDigest(format: HashFormat, value: string): string | undefined {
  if (format !== 'c4' && value.length === HEX_LENGTH[format] && CANONICAL_HEX.test(value)) return value;
  const v = value.trim();
  if (format === 'c4') return isC4Id(v) ? v : undefined;
  const len = HEX_LENGTH[format];
  return v.length === len && /^[0-9a-fA-F]+$/.test(v) ? v.toLowerCase() : undefined;
}

export function digestBytes(format: HashFormat, digest: string): Uint8Array {
  if (format !== 'c4') return Buffer.from(digest, 'hex');
  let n = 0n;
  for (const ch of digest.slice(2)) n = n * 58n + BigInt(C4_ALPHABET.indexOf(ch));
  const out = new Uint8Array(64);
  for (let i = 63; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}
