/**
 * A destination's folders made final once every file is in place: empty folders created,
 * every folder given the source's times, and all of them fsynced, so the renames are
 * durable before the MHL says they happened.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncFolder } from '../fs/durable.ts';
import type { SourceTree } from './walk.ts';

export async function finishDirectories(root: string, tree: SourceTree): Promise<void> {
  for (const dir of tree.directories) await fsp.mkdir(join(root, dir.path), { recursive: true });
  // Deepest first: writing into a folder changes its time, so each is timed after its contents.
  for (const dir of [...tree.directories].reverse()) {
    const abs = join(root, dir.path);
    await fsp.utimes(abs, Number(dir.atimeNs) / 1e9, Number(dir.mtimeNs) / 1e9).catch(() => undefined);
  }
  for (const abs of [...tree.directories.map((d) => join(root, d.path)), root, dirname(root)]) await fsyncFolder(abs);
}
