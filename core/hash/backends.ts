/**
 * The libraries behind `createHasher`, one adapter each, all producing the same streaming
 * `Hasher` with the digest text xxhsum / md5sum / sha1sum print. `bench/hash.ts` times these
 * very adapters, so the figures in docs/benchmarks.md ("## hash") are the ones the engine gets.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IHasher } from 'hash-wasm';
import { c4FromSha512 } from './c4.ts';
import type { HashFormat, Hasher } from './types.ts';

/** Libraries that are runtime dependencies of the engine (or built into Node). */
export type Backend = 'node:crypto' | 'hash-wasm' | '@node-rs/xxhash';

/**
 * The fastest correct runtime library per format, as measured by `npm run bench -- hash`
 * on the reference machine; see docs/benchmarks.md "## hash" for the figures.
 */
export const PREFERRED_BACKEND: Readonly<Record<HashFormat, Backend>> = {
  xxh64: '@node-rs/xxhash',
  xxh3: '@node-rs/xxhash',
  xxh128: 'hash-wasm',
  md5: 'node:crypto',
  sha1: 'node:crypto',
  c4: 'node:crypto',
};

/** The formats each backend can hash *in streaming mode*; one-shot-only APIs don't count. */
export const BACKEND_FORMATS: Readonly<Record<Backend, readonly HashFormat[]>> = {
  'node:crypto': ['md5', 'sha1', 'c4'],
  'hash-wasm': ['xxh64', 'xxh3', 'xxh128', 'md5', 'sha1', 'c4'],
  // Its Xxh3 class streams only the 64-bit variant; xxh128 exists only as a one-shot function.
  '@node-rs/xxhash': ['xxh64', 'xxh3'],
};

/** Canonical (big-endian) hex of an unsigned integer digest, zero-padded like xxhsum prints it. */
export function bigintToHex(value: bigint, bytes: number): string {
  return value.toString(16).padStart(bytes * 2, '0');
}

type NodeRsXxhash = typeof import('@node-rs/xxhash');
let nodeRs: NodeRsXxhash | null | undefined;

/**
 * Loads the native @node-rs/xxhash binding once. Its prebuilt binary may be missing for an
 * unusual platform or libc; then we answer null and callers fall back to WebAssembly, so
 * the engine still runs everywhere, just slower.
 */
export function loadNodeRs(): NodeRsXxhash | null {
  if (nodeRs === undefined) {
    try {
      nodeRs = createRequire(import.meta.url)('@node-rs/xxhash') as NodeRsXxhash;
    } catch {
      nodeRs = null;
    }
  }
  return nodeRs;
}

/** The preferred backend for a format, or hash-wasm (which runs anywhere) when the native one is missing. */
export function pickBackend(format: HashFormat, nativeLoaded: boolean): Backend {
  const preferred = PREFERRED_BACKEND[format];
  return preferred === '@node-rs/xxhash' && !nativeLoaded ? 'hash-wasm' : preferred;
}

/** The backend `createHasher` really uses for a format on this machine. */
export function backendFor(format: HashFormat): Backend {
  return pickBackend(format, loadNodeRs() !== null);
}

/** Builds a streaming hasher for `format` from one specific backend. */
export async function createBackendHasher(format: HashFormat, backend: Backend): Promise<Hasher> {
  if (!BACKEND_FORMATS[backend].includes(format)) throw new Error(`${backend} cannot stream ${format}`);
  switch (backend) {
    case 'node:crypto':
      return cryptoHasher(format);
    case 'hash-wasm':
      return hashWasmHasher(format);
    case '@node-rs/xxhash':
      return nodeRsHasher(format);
  }
}

const CRYPTO_ALGORITHM: Partial<Record<HashFormat, string>> = { md5: 'md5', sha1: 'sha1', c4: 'sha512' };

/** node:crypto is OpenSSL: assembly with SHA-NI where the CPU has it. */
function cryptoHasher(format: HashFormat): Hasher {
  const h = createHash(CRYPTO_ALGORITHM[format]!);
  return {
    format,
    update: (data) => void h.update(data),
    digest: () => (format === 'c4' ? c4FromSha512(h.digest()) : h.digest('hex')),
  };
}

type HashWasm = typeof import('hash-wasm');
let hashWasm: Promise<HashWasm> | undefined;

/**
 * hash-wasm, loaded by the first hasher that needs it: with the native xxhash binding and
 * node:crypto, the default formats never do, and loading it cost each thread ~25 ms of
 * every command's start.
 */
function loadHashWasm(): Promise<HashWasm> {
  return (hashWasm ??= import('hash-wasm'));
}

const HASH_WASM_FACTORY: Record<HashFormat, (lib: HashWasm) => Promise<IHasher>> = {
  xxh64: (lib) => lib.createXXHash64(),
  xxh3: (lib) => lib.createXXHash3(),
  xxh128: (lib) => lib.createXXHash128(),
  md5: (lib) => lib.createMD5(),
  sha1: (lib) => lib.createSHA1(),
  c4: (lib) => lib.createSHA512(),
};

/**
 * Finished hash-wasm instances, per format. Instantiating one costs ~100 µs (a new wasm
 * module instance), which dominates when hashing 10,000 small files or folder hashes.
 */
const idleWasm = new Map<HashFormat, IHasher[]>();

/** hash-wasm: portable WebAssembly, no install step; its hex output is already canonical. */
async function hashWasmHasher(format: HashFormat): Promise<Hasher> {
  const h = idleWasm.get(format)?.pop() ?? (await HASH_WASM_FACTORY[format](await loadHashWasm()));
  h.init();
  return {
    format,
    update: (data) => void h.update(data),
    digest: () => {
      const out = format === 'c4' ? c4FromSha512(h.digest('binary')) : h.digest('hex');
      const idle = idleWasm.get(format) ?? [];
      if (idle.length < 32) idle.push(h);
      idleWasm.set(format, idle);
      return out;
    },
  };
}

/**
 * A function that digests one whole buffer, synchronously, from the preferred library:
 * @node-rs/xxhash's one-shot calls, a node:crypto hash made per call (cheap), or one
 * hash-wasm instance reset per call. Folder hashes digest one short buffer per file, and a
 * small file is read whole: a hasher object (or an awaited call) each cost more than the
 * hashing (`npm run bench -- mhl`).
 */
export async function wholeBufferDigest(format: HashFormat): Promise<(data: Uint8Array) => string> {
  const backend = backendFor(format);
  if (backend === '@node-rs/xxhash') {
    const lib = loadNodeRs()!;
    if (format === 'xxh64') return (data) => bigintToHex(lib.xxh64(data), 8);
    if (format === 'xxh3') return (data) => bigintToHex(lib.xxh3.xxh64(data), 8);
  }
  if (backend === 'node:crypto') {
    const algorithm = CRYPTO_ALGORITHM[format]!;
    return format === 'c4' ? (data) => c4FromSha512(createHash(algorithm).update(data).digest()) : (data) => createHash(algorithm).update(data).digest('hex');
  }
  const h = await HASH_WASM_FACTORY[format](await loadHashWasm());
  return (data) => {
    h.init();
    h.update(data);
    return format === 'c4' ? c4FromSha512(h.digest('binary')) : h.digest('hex');
  };
}

/** @node-rs/xxhash: Rust via N-API with prebuilt binaries; digests come back as bigint. */
function nodeRsHasher(format: HashFormat): Hasher {
  const lib = loadNodeRs();
  if (lib === null) throw new Error('@node-rs/xxhash did not load on this platform');
  const h = format === 'xxh64' ? new lib.Xxh64() : lib.xxh3.Xxh3.withSeed();
  return { format, update: (data) => void h.update(data), digest: () => bigintToHex(h.digest(), 8) };
}
