/**
 * Builds camera-card-like trees for tests: real files with pseudo-random content (fast,
 * incompressible, reproducible from a seed), named as cameras name them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createHash } from 'node:crypto';

/** xorshift32 fill: incompressible enough for copy tests and much faster than crypto. */
export function pseudoRandomBytes(size: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafe(size + ((4 - (size % 4)) % 4));
  let x = seed >>> 0 || 1;
  for (let i = 0; i < buf.length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    buf.writeUInt32LE(x, i);
  }
  return buf.subarray(0, size);
}

export function tempDir(prefix = 'rushes-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFile(root: string, rel: string, content: Buffer | string, mtime?: Date): string {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  if (mtime) utimesSync(abs, mtime, mtime);
  return abs;
}

/** A small ARRI-like card: clips, a sidecar, a non-ASCII name, an empty file and an empty folder. */
export function makeSmallCard(root: string): string[] {
  const t = new Date('2026-03-14T09:26:53.589Z');
  const files = [
    ['A001C001_260314_R1AB.mxf', 3_000_000],
    ['A001C002_260314_R1AB.mxf', 5_000_001],
    ['Clip/A001C003_Szene_Über.mov', 1_234_567],
    ['Clip/日本語_テイク.mov', 65_536],
    ['Sidecars/A001C001.xml', 4_096],
    ['EMPTY.txt', 0],
  ] as const;
  files.forEach(([rel, size], i) => writeFile(root, rel, pseudoRandomBytes(size, i + 7), new Date(t.getTime() + i * 1000)));
  mkdirSync(join(root, 'Empty Folder'), { recursive: true });
  return files.map(([rel]) => rel);
}

/** Lists every file under root (relative, sorted) — a tree's identity for comparisons. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out.push(relative(root, abs));
    }
  };
  walk(root);
  return out.sort();
}

export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function mtimeMs(path: string): number {
  return statSync(path).mtimeMs;
}

export function xxhsum(path: string, algo: '1' | '2' | '3' = '1'): string {
  const out = execFileSync('xxhsum', [`-H${algo}`, path], { encoding: 'utf8' });
  const m = /^([0-9a-f]+)\s/.exec(out) ?? /= ([0-9a-f]+)\s*$/.exec(out.trim());
  if (!m) throw new Error(`cannot parse xxhsum output: ${out}`);
  return m[1];
}

export function removeTree(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** Bytes this process has caused to be fetched from storage (not served by the page cache). */
export function readBytesFromStorage(pid: number | 'self' = 'self'): number {
  const m = /read_bytes: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  if (!m) throw new Error('no read_bytes in /proc/self/io');
  return Number(m[1]);
}
