/**
 * Copies a card into a watched folder the way a slow reader or a network copy does: file by
 * file, in chunks, pausing between them, with each file's modification time set only once
 * it is complete (as cp -p and rsync do). Resolves with when the last byte landed.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, utimesSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface SlowCopyOptions {
  chunkBytes?: number;
  /** Pause between chunks. */
  pauseMs?: number;
  /** One longer pause halfway through (a copy that stalls), shorter than the stability window. */
  stallMs?: number;
}

function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out.push(relative(root, abs));
    }
  };
  walk(root);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function slowCopy(from: string, to: string, o: SlowCopyOptions = {}): Promise<number> {
  const chunk = o.chunkBytes ?? 256 * 1024;
  const files = filesUnder(from);
  mkdirSync(to, { recursive: true });
  for (const [i, rel] of files.entries()) {
    const src = join(from, rel);
    const dst = join(to, rel);
    mkdirSync(dirname(dst), { recursive: true });
    const bytes = readFileSync(src);
    const fd = openSync(dst, 'w');
    try {
      for (let off = 0; off < bytes.length || off === 0; off += chunk) {
        writeSync(fd, bytes, off, Math.min(chunk, bytes.length - off));
        if (bytes.length === 0) break;
        await sleep(o.pauseMs ?? 50);
      }
    } finally {
      closeSync(fd);
    }
    const st = statSync(src);
    utimesSync(dst, st.atime, st.mtime);
    if (o.stallMs && i === Math.floor(files.length / 2)) await sleep(o.stallMs);
  }
  return Date.now();
}
