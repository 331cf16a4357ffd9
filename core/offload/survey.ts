/**
 * The destinations as they are before an offload plans anything: each roll folder made (or
 * the reason it cannot be written), and what it already holds at every path the card would
 * copy to. This is the I/O the plan (plan.ts) decides from; it runs under the destination
 * locks, so no other Rushes writer changes what it found.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { destinationError, errno } from '../errors.ts';
import { forEachLimited } from '../util/limit.ts';
import type { FailureReport } from './events.ts';
import { failureReport } from './failure.ts';
import type { Holding } from './plan.ts';
import type { SourceFile } from './walk.ts';

/** Stats in flight per destination: enough to keep the thread pool busy, few enough to leave it to the copies. */
const SURVEY_CONCURRENCY = 16;

/** Makes the roll folder; says why a destination cannot be written, or nothing when it can. */
export async function prepareDestination(root: string): Promise<FailureReport | undefined> {
  try {
    await fsp.mkdir(root, { recursive: true });
    await fsp.access(root, fsp.constants.W_OK);
    return undefined;
  } catch (e) {
    // A recursive mkdir on a read-only mount reports ENOENT; the nearest existing folder tells the real cause.
    return failureReport(destinationError((await whyNotWritable(root)) ?? e, root), root, root);
  }
}

async function whyNotWritable(path: string): Promise<unknown> {
  for (let dir = path; ; dir = dirname(dir)) {
    const there = await fsp.stat(dir).then(
      () => true,
      () => false,
    );
    if (there) return fsp.access(dir, fsp.constants.W_OK).then(() => undefined, (e: unknown) => e);
    if (dirname(dir) === dir) return undefined;
  }
}

/** What is at `path` (stat follows links, as opening it would), or undefined when nothing is. */
async function holdingAt(path: string): Promise<Holding | undefined> {
  try {
    const st = await fsp.stat(path);
    return { kind: st.isFile() ? 'file' : 'other', size: st.size };
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    return { kind: 'unreadable', error: destinationError(e, path) };
  }
}

/**
 * What `root` holds at each file's relative path. A folder that is not there holds nothing,
 * so a new destination costs one stat per folder, not one per file; anywhere else each file
 * is looked at, so every answer (a same-named file, a folder in the way, EACCES) is the one
 * a stat of that very path gives.
 */
export async function surveyDestination(root: string, files: readonly SourceFile[]): Promise<Map<string, Holding>> {
  const folders = new Map<string, SourceFile[]>();
  for (const f of files) {
    const folder = dirname(f.path);
    const list = folders.get(folder);
    if (list) list.push(f);
    else folders.set(folder, [f]);
  }
  const toLook: SourceFile[] = [];
  await forEachLimited(folders, SURVEY_CONCURRENCY, async ([folder, inside]) => {
    // The roll folder itself was just made; a missing subfolder means nothing below it.
    const missing = folder !== '.' && (await fsp.stat(join(root, folder)).then(() => false, (e: unknown) => errno(e) === 'ENOENT'));
    if (!missing) toLook.push(...inside);
  });
  const held = new Map<string, Holding>();
  await forEachLimited(toLook, SURVEY_CONCURRENCY, async (f) => {
    const h = await holdingAt(join(root, f.path));
    if (h) held.set(f.path, h);
  });
  return held;
}
