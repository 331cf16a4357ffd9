import { createHash } from 'node:crypto';
import { createXXHash128, createXXHash3, createXXHash64 } from 'hash-wasm';
import { RushesError } from '../errors.ts';
import { c4FromSha512 } from './c4.ts';
import { HASH_FORMATS, type Digests, type HashFormat, type Hasher } from './types.ts';

export { HASH_FORMATS, type Digests, type HashFormat, type Hasher } from './types.ts';
export { c4FromSha512, isC4Id } from './c4.ts';

/** Wraps node:crypto (OpenSSL) digests: md5, sha1, and sha512 for c4. */
function cryptoHasher(format: HashFormat, algorithm: string, encode: (d: Buffer) => string): Hasher {
  const h = createHash(algorithm);
  return { format, update: (data) => void h.update(data), digest: () => encode(h.digest()) };
}

async function wasmHasher(format: HashFormat, make: () => ReturnType<typeof createXXHash64>): Promise<Hasher> {
  const h = await make();
  h.init();
  return { format, update: (data) => void h.update(data), digest: () => h.digest('hex') };
}

/** Creates one streaming hasher. Each implementation was chosen by `npm run bench -- hash`. */
export async function createHasher(format: HashFormat): Promise<Hasher> {
  switch (format) {
    case 'xxh64':
      return wasmHasher(format, () => createXXHash64());
    case 'xxh3':
      return wasmHasher(format, () => createXXHash3());
    case 'xxh128':
      return wasmHasher(format, () => createXXHash128());
    case 'md5':
      return cryptoHasher(format, 'md5', (d) => d.toString('hex'));
    case 'sha1':
      return cryptoHasher(format, 'sha1', (d) => d.toString('hex'));
    case 'c4':
      return cryptoHasher(format, 'sha512', c4FromSha512);
  }
}

/** Several formats fed by one read: every chunk goes to each hasher. */
export class MultiHasher {
  private constructor(private readonly hashers: Hasher[]) {}

  static async create(formats: readonly HashFormat[]): Promise<MultiHasher> {
    return new MultiHasher(await Promise.all(formats.map(createHasher)));
  }

  update(data: Uint8Array): void {
    for (const h of this.hashers) h.update(data);
  }

  digests(): Digests {
    const out: Digests = {};
    for (const h of this.hashers) out[h.format] = h.digest();
    return out;
  }
}

/** Hash a whole buffer in one call (directory hashes, manifests, tests). */
export async function hashBytes(format: HashFormat, data: Uint8Array): Promise<string> {
  const h = await createHasher(format);
  h.update(data);
  return h.digest();
}

export function isHashFormat(s: string): s is HashFormat {
  return (HASH_FORMATS as readonly string[]).includes(s);
}

/** Parses a user's "xxh64,md5" list; unknown names are a usage error naming the choices. */
export function parseHashFormats(list: string): HashFormat[] {
  const names = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new RushesError('USAGE', `no hash format given; choose from ${HASH_FORMATS.join(', ')}`);
  for (const n of names) {
    if (!isHashFormat(n)) throw new RushesError('USAGE', `unknown hash format "${n}"; choose from ${HASH_FORMATS.join(', ')}`);
  }
  return [...new Set(names)] as HashFormat[];
}
