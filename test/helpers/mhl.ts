/**
 * Helpers for the ASC MHL suites: independent digests (xxhsum, node:crypto with our own
 * base58 for C4 — so tests never check our hashing with itself). Validation against the
 * official schemas is in ./peer.ts.
 */
import { createHash } from 'node:crypto';

import { xxhsum } from './card.ts';
export { removeTree, writeFile as put } from './card.ts';

/** XXH64 of a file by the xxhsum command (not our code). */
export function xxhsum64(path: string): string {
  return xxhsum(path, '1');
}

export function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** C4 ID (SMPTE ST 2114): SHA-512 as a big-endian integer in base58, padded with '1' to 88, prefixed "c4". */
export function c4Of(data: Buffer | string): string {
  let n = BigInt('0x' + createHash('sha512').update(data).digest('hex'));
  let s = '';
  while (n > 0n) {
    s = BASE58[Number(n % 58n)] + s;
    n /= 58n;
  }
  return 'c4' + s.padStart(88, '1');
}
