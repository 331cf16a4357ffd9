/**
 * SMPTE ST 2114 C4 ID: the SHA-512 digest read as a big-endian integer, written in
 * base58 (Bitcoin alphabet), left-padded with '1' to 88 characters and prefixed "c4".
 */
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const C4_BODY_LENGTH = 88;

export function c4FromSha512(digest: Uint8Array): string {
  if (digest.length !== 64) throw new Error(`c4 needs a 64-byte SHA-512 digest, got ${digest.length} bytes`);
  let n = 0n;
  for (const byte of digest) n = (n << 8n) | BigInt(byte);
  let body = '';
  while (n > 0n) {
    body = ALPHABET[Number(n % 58n)] + body;
    n /= 58n;
  }
  return 'c4' + body.padStart(C4_BODY_LENGTH, '1');
}

export function isC4Id(s: string): boolean {
  return s.length === 2 + C4_BODY_LENGTH && s.startsWith('c4') && [...s.slice(2)].every((ch) => ALPHABET.includes(ch));
}
