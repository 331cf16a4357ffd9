/**
 * `npm run bench -- hash [--mib 1024] [--runs 5] [--dir /tmp]`
 *
 * Streaming throughput, on one thread (= per core), of every hash library we tried for each
 * algorithm, beside the command-line tools reading the same bytes from the page cache
 * (xxhsum 0.8.1: -H0 xxh32, -H1 xxh64, -H2 xxh128, -H3 xxh3; md5sum; sha1sum; sha512sum for c4).
 *
 * A fast wrong hash is worthless, so before any timing every implementation must reproduce
 * the tools' digests for an empty input, an odd-sized input fed in ragged chunks, and the
 * whole buffer. Prints a Markdown table, then, as the last line, one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomFillSync } from 'node:crypto';
import { createXXHash32 } from 'hash-wasm';
import xxhashWasm from 'xxhash-wasm';
import {
  BACKEND_FORMATS,
  backendFor,
  bigintToHex,
  createBackendHasher,
  type Backend,
} from '../core/hash/backends.ts';
import { c4FromSha512 } from '../core/hash/c4.ts';
import { HASH_FORMATS, type HashFormat } from '../core/hash/types.ts';

const MiB = 1024 * 1024;
/** The chunk the engine reads with (core/hash/medium.ts READ_CHUNK). */
const CHUNK = 4 * MiB;

/** xxh32 is measured only to place xxhsum -H0; MHL v2 has no xxh32, so Rushes never picks one. */
type Algorithm = HashFormat | 'xxh32';
const ALGORITHMS: readonly Algorithm[] = [...HASH_FORMATS, 'xxh32'];
type Library = Backend | 'xxhash-wasm' | 'xxhash-addon';
const LIBRARIES: readonly Library[] = ['node:crypto', 'hash-wasm', 'xxhash-wasm', '@node-rs/xxhash', 'xxhash-addon'];

/** What the bench feeds: the same shape as core's Hasher, minus the format tag. */
interface StreamHash {
  update(data: Uint8Array): void;
  digest(): string;
}

interface Candidate {
  algorithm: Algorithm;
  library: Library;
  make: () => Promise<StreamHash>;
}

// ---------------------------------------------------------------------------------------
// Candidates: core's own adapters for runtime dependencies, plus the two libraries that
// core does not use, adapted here so they can be measured on equal terms.

function coreCandidates(): Candidate[] {
  const out: Candidate[] = [];
  for (const [backend, formats] of Object.entries(BACKEND_FORMATS) as [Backend, readonly HashFormat[]][]) {
    for (const format of formats) out.push({ algorithm: format, library: backend, make: () => createBackendHasher(format, backend) });
  }
  out.push({ algorithm: 'xxh32', library: 'hash-wasm', make: hashWasmXxh32 });
  return out;
}

async function hashWasmXxh32(): Promise<StreamHash> {
  const h = await createXXHash32();
  h.init();
  return { update: (d) => void h.update(d), digest: () => h.digest('hex') };
}

/** xxhash-wasm streams only XXH32/XXH64; its digests are numbers / bigints. */
function xxhashWasmCandidates(): Candidate[] {
  const api = xxhashWasm();
  return [
    {
      algorithm: 'xxh64',
      library: 'xxhash-wasm',
      make: async () => {
        const h = (await api).create64();
        return { update: (d) => void h.update(d), digest: () => bigintToHex(h.digest(), 8) };
      },
    },
    {
      algorithm: 'xxh32',
      library: 'xxhash-wasm',
      make: async () => {
        const h = (await api).create32();
        return { update: (d) => void h.update(d), digest: () => h.digest().toString(16).padStart(8, '0') };
      },
    },
  ];
}

interface AddonHasher {
  update(data: Buffer): void;
  digest(): Buffer;
}
type AddonClass = new (seed: Buffer) => AddonHasher;
type XxhashAddon = Record<'XXHash32' | 'XXHash64' | 'XXHash3' | 'XXHash128', AddonClass>;

/** Why a library could not be measured at all (e.g. a native build that failed). */
const unavailable = new Map<Library, string>();

/**
 * xxhash-addon (devDependency, native) returns canonical big-endian Buffers. Its update()
 * wants a Buffer, so views are wrapped without copying; a short all-zero buffer is seed 0.
 */
function xxhashAddonCandidates(): Candidate[] {
  let addon: XxhashAddon;
  try {
    addon = createRequire(import.meta.url)('xxhash-addon') as XxhashAddon;
  } catch (e) {
    unavailable.set('xxhash-addon', e instanceof Error ? e.message.split('\n')[0] : String(e));
    return [];
  }
  const classes: [Algorithm, AddonClass][] = [
    ['xxh32', addon.XXHash32],
    ['xxh64', addon.XXHash64],
    ['xxh3', addon.XXHash3],
    ['xxh128', addon.XXHash128],
  ];
  return classes.map(([algorithm, Cls]) => ({
    algorithm,
    library: 'xxhash-addon' as const,
    make: async () => {
      const h = new Cls(Buffer.alloc(algorithm === 'xxh32' ? 4 : 8));
      return {
        update: (d) => h.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
        digest: () => h.digest().toString('hex'),
      };
    },
  }));
}

/** Table notes for pairs that exist but cannot stream, so "—" is not mistaken for "not tried". */
const NOT_STREAMING: Partial<Record<Library, Partial<Record<Algorithm, string>>>> = {
  '@node-rs/xxhash': { xxh128: 'one-shot only' },
};

// ---------------------------------------------------------------------------------------
// Baselines: the command-line tools, whose digests are also the reference for correctness.

interface Tool {
  label: string;
  cmd: string;
  args: string[];
  /** Turns the tool's printed hex into our digest text (only c4 needs this). */
  toDigest: (hex: string) => string;
}

const same = (hex: string) => hex;
const TOOLS: Record<Algorithm, Tool> = {
  xxh32: { label: 'xxhsum -H0', cmd: 'xxhsum', args: ['-H0'], toDigest: same },
  xxh64: { label: 'xxhsum -H1', cmd: 'xxhsum', args: ['-H1'], toDigest: same },
  xxh128: { label: 'xxhsum -H2', cmd: 'xxhsum', args: ['-H2'], toDigest: same },
  xxh3: { label: 'xxhsum -H3', cmd: 'xxhsum', args: ['-H3'], toDigest: same },
  md5: { label: 'md5sum', cmd: 'md5sum', args: [], toDigest: same },
  sha1: { label: 'sha1sum', cmd: 'sha1sum', args: [], toDigest: same },
  c4: { label: 'sha512sum', cmd: 'sha512sum', args: [], toDigest: (hex) => c4FromSha512(Buffer.from(hex, 'hex')) },
};

/**
 * Runs a tool on one file and returns its digest. xxhsum 0.8.1 prints -H3 in BSD style
 * ("XXH3 (path) = hex") but the others GNU style ("hex  path"), so both are accepted.
 */
function runTool(tool: Tool, path: string): string {
  const r = spawnSync(tool.cmd, [...tool.args, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tool.label} failed: ${r.stderr || r.error?.message}`);
  const line = r.stdout.trim();
  const hex = /= ([0-9a-f]+)$/.exec(line)?.[1] ?? /^([0-9a-f]+)\s/.exec(line)?.[1];
  if (!hex) throw new Error(`cannot read a digest from ${tool.label}: ${JSON.stringify(line)}`);
  return tool.toDigest(hex);
}

// ---------------------------------------------------------------------------------------
// Measuring

/** Feeds `data` in pieces of the given sizes, cycling through them. */
function feed(h: StreamHash, data: Uint8Array, sizes: readonly number[]): void {
  for (let at = 0, i = 0; at < data.length; i++) {
    const end = Math.min(data.length, at + sizes[i % sizes.length]);
    h.update(data.subarray(at, end));
    at = end;
  }
}

/** Ragged sizes that straddle every block size the algorithms use internally. */
const RAGGED = [1, 7, 4093, 65537, MiB + 3, 31];

interface Sample {
  name: string;
  data: Uint8Array;
  sizes: readonly number[];
}

/** Returns a reason if the candidate disagrees with the tool on any sample, else null. */
async function verify(c: Candidate, samples: readonly Sample[], expected: Map<string, string>): Promise<string | null> {
  for (const s of samples) {
    const h = await c.make();
    feed(h, s.data, s.sizes);
    const got = h.digest();
    const want = expected.get(`${c.algorithm}:${s.name}`);
    if (got !== want) return `${s.name}: got ${got}, ${TOOLS[c.algorithm].label} says ${want}`;
  }
  return null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median GB/s (1e9 bytes/s) of `runs` passes over `data` in engine-sized chunks. */
async function timeLibrary(c: Candidate, data: Uint8Array, want: string, runs: number): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const h = await c.make(); // instantiation is per file, not per byte: keep it out of the clock
    const t0 = performance.now();
    feed(h, data, [CHUNK]);
    const got = h.digest();
    seconds.push((performance.now() - t0) / 1000);
    if (got !== want) throw new Error(`${c.library} ${c.algorithm} changed its digest between runs`);
  }
  return data.length / 1e9 / median(seconds);
}

/** Median GB/s of the tool over a file already in the page cache; process start included. */
function timeTool(tool: Tool, path: string, bytes: number, runs: number): number {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    runTool(tool, path);
    seconds.push((performance.now() - t0) / 1000);
  }
  return bytes / 1e9 / median(seconds);
}

// ---------------------------------------------------------------------------------------
// Choosing

/** Libraries the engine may depend on: Node itself and package.json "dependencies". */
function runtimeLibraries(): Set<Library> {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies?: Record<string, string> };
  return new Set<Library>(['node:crypto', ...(Object.keys(pkg.dependencies ?? {}) as Library[])]);
}

type Figures = Record<Algorithm, Partial<Record<Library, number>>>;

function fastest(figures: Partial<Record<Library, number>>, allowed: (l: Library) => boolean): Library | null {
  let best: Library | null = null;
  for (const lib of LIBRARIES) {
    const v = figures[lib];
    if (v !== undefined && allowed(lib) && (best === null || v > figures[best]!)) best = lib;
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// Reporting

function cell(alg: Algorithm, lib: Library, figures: Figures, wrong: Map<string, string>, candidates: Candidate[]): string {
  const v = figures[alg][lib];
  if (v !== undefined) return v.toFixed(2);
  if (wrong.has(`${alg}:${lib}`)) return 'WRONG';
  if (unavailable.has(lib)) return 'did not load';
  if (NOT_STREAMING[lib]?.[alg]) return NOT_STREAMING[lib]![alg]!;
  return candidates.some((c) => c.algorithm === alg && c.library === lib) ? '?' : '—';
}

function printTable(
  figures: Figures,
  baseline: Record<Algorithm, number>,
  chosen: Partial<Record<HashFormat, Library | null>>,
  wrong: Map<string, string>,
  candidates: Candidate[],
): void {
  const head = ['algorithm', ...LIBRARIES, 'CLI (page cache)', 'chosen for core'];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '---:')).join('|')}|`);
  for (const alg of ALGORITHMS) {
    const libs = LIBRARIES.map((lib) => cell(alg, lib, figures, wrong, candidates));
    const tool = `${baseline[alg].toFixed(2)} (${TOOLS[alg].label})`;
    const pick = alg === 'xxh32' ? 'n/a (not an MHL format)' : (chosen[alg] ?? 'none correct');
    console.log(`| ${[alg, ...libs, tool, pick].join(' | ')} |`);
  }
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { mib: { type: 'string', default: '1024' }, runs: { type: 'string', default: '5' }, dir: { type: 'string', default: tmpdir() } },
  });
  const bytes = Number(values.mib) * MiB;
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(values.dir, 'rushes-bench-hash-'));
  try {
    await run(bytes, runs, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `data` and fsyncs, so background writeback does not disturb the timed tool runs. */
function writeSynced(path: string, data: Uint8Array): void {
  writeFileSync(path, data);
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

async function run(bytes: number, runs: number, dir: string): Promise<void> {
  const data = randomFillSync(Buffer.allocUnsafe(bytes));
  const samples: Sample[] = [
    { name: 'empty', data: data.subarray(0, 0), sizes: [1] },
    { name: 'ragged', data: data.subarray(0, Math.min(bytes, 5 * MiB + 4099)), sizes: RAGGED },
    { name: 'whole', data, sizes: [CHUNK] },
  ];
  for (const s of samples) writeSynced(join(dir, s.name), s.data);

  // The tools' digests are the reference; their first pass over "whole" also warms the cache.
  const expected = new Map<string, string>();
  for (const alg of ALGORITHMS) for (const s of samples) expected.set(`${alg}:${s.name}`, runTool(TOOLS[alg], join(dir, s.name)));

  const candidates = [...coreCandidates(), ...xxhashWasmCandidates(), ...xxhashAddonCandidates()];
  const figures = Object.fromEntries(ALGORITHMS.map((a) => [a, {}])) as Figures;
  const wrong = new Map<string, string>();
  for (const c of candidates) {
    const reason = await verify(c, samples, expected);
    if (reason) {
      wrong.set(`${c.algorithm}:${c.library}`, reason);
      console.error(`WRONG ${c.library} ${c.algorithm}: ${reason}`);
      continue;
    }
    figures[c.algorithm][c.library] = await timeLibrary(c, data, expected.get(`${c.algorithm}:whole`)!, runs);
  }
  const baseline = Object.fromEntries(ALGORITHMS.map((a) => [a, timeTool(TOOLS[a], join(dir, 'whole'), bytes, runs)])) as Record<Algorithm, number>;

  const runtime = runtimeLibraries();
  const chosen: Partial<Record<HashFormat, Library | null>> = {};
  const fastestAny: Partial<Record<HashFormat, Library | null>> = {};
  const coreUses: Partial<Record<HashFormat, Backend>> = {};
  for (const f of HASH_FORMATS) {
    chosen[f] = fastest(figures[f], (l) => runtime.has(l));
    fastestAny[f] = fastest(figures[f], () => true);
    coreUses[f] = backendFor(f);
  }

  const cpu = cpus();
  console.log(`hash: ${(bytes / MiB).toFixed(0)} MiB in ${CHUNK / MiB} MiB chunks, median of ${runs}, GB/s = 1e9 bytes/s, one thread`);
  console.log(`machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}\n`);
  printTable(figures, baseline, chosen, wrong, candidates);
  for (const f of HASH_FORMATS) {
    if (fastestAny[f] !== chosen[f]) console.log(`note: ${f} is fastest with ${fastestAny[f]}, which is not a runtime dependency`);
    if (coreUses[f] !== chosen[f]) console.log(`WARNING: core uses ${coreUses[f]} for ${f}; this run measured ${chosen[f]} fastest`);
  }
  for (const [lib, why] of unavailable) console.log(`note: ${lib} did not load: ${why}`);

  const json = {
    benchmark: 'hash',
    unit: 'GB/s',
    bytes,
    chunk: CHUNK,
    runs,
    cores: cpu.length,
    cpu: cpu[0]?.model,
    node: process.version,
    libraries: figures,
    cli: Object.fromEntries(ALGORITHMS.map((a) => [a, { tool: TOOLS[a].label, gbps: baseline[a] }])),
    wrong: Object.fromEntries(wrong),
    fastest: fastestAny,
    chosen,
    coreUses,
  };
  console.log(JSON.stringify(json, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : v)));
}

await main();
