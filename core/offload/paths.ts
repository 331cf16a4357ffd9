import { promises as fsp } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { RushesError } from '../errors.ts';

/** The real path of `p`, or of its nearest existing ancestor joined with the rest. */
async function realPathOfMaybeMissing(p: string): Promise<string> {
  try {
    return await fsp.realpath(p);
  } catch {
    const parent = dirname(p);
    if (parent === p) return p;
    return join(await realPathOfMaybeMissing(parent), basename(p));
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Copying a card into itself would read its own output forever; refuse before anything is written. */
export async function assertDestinationsOutsideSource(source: string, destinations: readonly string[]): Promise<void> {
  const src = await realPathOfMaybeMissing(source);
  for (const d of destinations) {
    const dest = await realPathOfMaybeMissing(d);
    if (isInside(dest, src)) throw new RushesError('DEST_INSIDE_SOURCE', `destination ${d} is inside the source ${source}`, { path: d });
    if (isInside(src, dest)) throw new RushesError('DEST_INSIDE_SOURCE', `source ${source} is inside the destination ${d}`, { path: d });
  }
}
