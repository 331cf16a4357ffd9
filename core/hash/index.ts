import { RushesError } from '../errors.ts';
import { backendFor, createBackendHasher, wholeBufferDigest } from './backends.ts';
import { HASH_FORMATS, type Digests, type HashFormat, type Hasher } from './types.ts';

export { HASH_FORMATS, type Digests, type HashFormat, type Hasher } from './types.ts';
export { c4FromSha512, isC4Id } from './c4.ts';

/**
 * Creates one streaming hasher, from the library `npm run bench -- hash` measured fastest
 * among our runtime dependencies (see PREFERRED_BACKEND in ./backends.ts). A native library
 * that fails to load falls back to WebAssembly, so hashing works on every platform.
 */
export async function createHasher(format: HashFormat): Promise<Hasher> {
  return createBackendHasher(format, backendFor(format));
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
  return (await digestFunction(format))(data);
}

/**
 * A function that digests a whole buffer in `format`, synchronously: for callers that hash
 * many short buffers (folder hashes: one per file; small files read whole), where an
 * awaited call or a hasher object per buffer cost more than the hashing itself. Only
 * obtaining it may wait (a WebAssembly module loads once).
 */
export function digestFunction(format: HashFormat): Promise<(data: Uint8Array) => string> {
  let found = digestFunctions.get(format);
  if (!found) {
    digestFunctions.set(format, (found = wholeBufferDigest(format)));
    void found.then((fn) => loadedDigests.set(format, fn), () => undefined);
  }
  return found;
}
const digestFunctions = new Map<HashFormat, Promise<(data: Uint8Array) => string>>();
const loadedDigests = new Map<HashFormat, (data: Uint8Array) => string>();

/** digestFunction of each format, when every one has loaded already; else undefined: for a caller that does not wait. */
export function loadedDigestFunctions(formats: readonly HashFormat[]): ((data: Uint8Array) => string)[] | undefined {
  const out: ((data: Uint8Array) => string)[] = [];
  for (const format of formats) {
    const fn = loadedDigests.get(format);
    if (!fn) {
      void digestFunction(format).catch(() => undefined); // loads for next time; a caller that waits sees the error
      return undefined;
    }
    out.push(fn);
  }
  return out;
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
