/**
 * The source listed a second time, once every file has been copied and checked. The first
 * listing is what the offload promised to copy; a file that appeared since (a copy into a
 * watch folder still running, a recorder still writing) was not copied, and a file whose
 * size or time moved since no longer matches what was copied. Either way the source holds
 * footage the destinations do not, so the offload must not call itself complete: each such
 * file is named. The next run (a resume) copies a new file; a changed one is never
 * overwritten at a destination, so it stays named until someone decides.
 */
import { join } from 'node:path';
import { RushesError } from '../errors.ts';
import type { IgnoreMatcher } from '../fs/ignore.ts';
import { walkSource, type SourceTree } from './walk.ts';

/**
 * What differs between `listed` and the source as it is now. Files already named by an
 * earlier failure (`alreadyReported`, absolute paths) are not named twice. A source that
 * can no longer be listed at all (a card pulled after its last byte was read) yields
 * nothing: every file of the first listing has its own outcome already.
 */
export async function changesSinceListing(root: string, listed: SourceTree, ignore: IgnoreMatcher, alreadyReported: ReadonlySet<string>): Promise<RushesError[]> {
  let now: SourceTree;
  try {
    now = await walkSource(root, ignore);
  } catch {
    return [];
  }
  const before = new Map(listed.files.map((f) => [f.path, f]));
  const knownProblems = new Set(listed.problems.map((p) => p.path));
  // Something that appeared but cannot be listed or read may be footage too.
  const changes: RushesError[] = now.problems.filter((p) => !knownProblems.has(p.path) && !alreadyReported.has(p.path ?? ''));
  for (const file of now.files) {
    const abs = join(root, file.path);
    if (alreadyReported.has(abs)) continue;
    const was = before.get(file.path);
    if (!was) {
      changes.push(new RushesError('SOURCE_CHANGED', `${abs} appeared after the source was listed and was not copied; offload again to include it`, { path: abs }));
    } else if (was.size !== file.size || was.mtimeNs !== file.mtimeNs) {
      const what = was.size !== file.size ? `size ${was.size} → ${file.size} bytes` : 'modification time moved';
      changes.push(new RushesError('SOURCE_CHANGED', `${abs} changed after it was listed (${what}); the destinations hold the version read before`, { path: abs }));
    }
  }
  return changes;
}
