/** Shared by the benchmarks: a child process's peak resident memory, sampled while it runs. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Resolves when `child` closes, with its exit code and the highest VmHWM seen (MB). */
export async function peakRssUntilClose(child: ChildProcess): Promise<{ code: number | null; peakRssMb: number }> {
  let peakKb = 0;
  const sample = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      /* exited */
    }
  }, 20);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearInterval(sample);
  return { code, peakRssMb: peakKb / 1024 };
}
