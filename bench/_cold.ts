/**
 * Shared by the benchmarks: start each contender from a cold page cache (when run as root),
 * so nobody is timed reading what an earlier contender left in memory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const canDropCaches = process.getuid?.() === 0 && existsSync('/proc/sys/vm/drop_caches');

export function coldCache(): void {
  execFileSync('sync');
  if (canDropCaches) execFileSync('sh', ['-c', 'echo 3 > /proc/sys/vm/drop_caches']);
}

/** Wall time of `fn` in seconds, from a cold cache. */
export async function timedCold<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  coldCache();
  const t = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, value };
}

/** 1 MiB..n of incompressible bytes, generated once by the kernel. */
export function randomBlock(bytes: number): Buffer {
  return execFileSync('head', ['-c', String(bytes), '/dev/urandom'], { maxBuffer: bytes + 1 });
}
