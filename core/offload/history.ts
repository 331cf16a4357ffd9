/**
 * A card that already carries an ASC MHL history (written in camera, or by an earlier
 * offload) keeps it: the offload checks every file against it in the copy's own read,
 * copies the history folders (nested ones too) to each destination, and appends a
 * generation there. A broken or hostile history is reported and not carried over; the
 * footage is still copied, because the footage matters more than its paperwork.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { RushesError, destinationError, errno } from '../errors.ts';
import { HASH_FORMATS, type Digests, type HashFormat } from '../hash/index.ts';
import { hashFile, pooledHashing } from '../runtime/hashing.ts';
import { classifyHashes, expectationFor, formatsToVerify, indexHistory, listHistoryFolders, loadHistory, parseChain, type HistoryIndex } from '../mhl/index.ts';
import { copyFileDurably, fsyncFolder } from '../fs/durable.ts';
import type { FailureReport } from './events.ts';

export interface SourceHistory {
  index: HistoryIndex;
  /** History folders relative to the source root, e.g. 'ascmhl', 'A002R2EC/ascmhl'. */
  folders: string[];
  /** Formats the history recorded that the copy must also compute to check each file. */
  formats: HashFormat[];
}

export async function readSourceHistory(source: string): Promise<{ history?: SourceHistory; problem?: RushesError }> {
  const folders = await listHistoryFolders(source);
  if (folders.length === 0) return {};
  try {
    const index = indexHistory(await loadHistory(source, { hashing: pooledHashing }));
    const formats = new Set<HashFormat>();
    for (const path of index.files.keys()) for (const f of formatsToVerify(expectationFor(index, path))) formats.add(f);
    return { history: { index, folders, formats: HASH_FORMATS.filter((f) => formats.has(f)) } };
  } catch (e) {
    const cause = e instanceof Error ? e.message : String(e);
    const path = e instanceof RushesError ? e.path : undefined;
    return {
      problem: new RushesError('MHL_INVALID', `the card's ASC MHL history cannot be used and was not carried over: ${cause}`, { path: path ?? join(source, 'ascmhl'), cause: e }),
    };
  }
}

/** How a file just read differs from what the card's history recorded for it: one report per format that disagrees. */
export function historyMismatches(history: SourceHistory, file: { path: string; abs: string }, digests: Digests, hashedAt: Date): FailureReport[] {
  const { mismatches } = classifyHashes(expectationFor(history.index, file.path), digests, hashedAt);
  return mismatches.map((m) => ({ path: file.abs, code: 'MHL_VERIFY', message: `${file.abs} does not match the card's ASC MHL history: ${m.format} recorded ${m.expected}, read ${m.actual}` }));
}

/** Files the history lists that are not on the card. */
export function missingFromCard(history: SourceHistory, onCard: ReadonlySet<string>, source: string): RushesError[] {
  return [...history.index.files.keys()]
    .filter((p) => !onCard.has(p))
    .map((p) => new RushesError('MHL_VERIFY', `${join(source, p)} is listed in the card's ASC MHL history but is not on the card`, { path: join(source, p) }));
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([hashFile(a, ['xxh64'], { direct: false }), hashFile(b, ['xxh64'], { direct: true })]);
  return x.bytes === y.bytes && x.digests.xxh64 === y.digests.xxh64;
}

/** A destination chain may have grown past the card's (an earlier run appended to it) but must not disagree with it. */
async function chainExtends(sourceChain: string, destChain: string): Promise<boolean> {
  const [src, dst] = await Promise.all([fsp.readFile(sourceChain), fsp.readFile(destChain)]);
  const theirs = parseChain(src, sourceChain);
  const ours = parseChain(dst, destChain);
  return theirs.every((e) => ours.some((o) => o.sequence === e.sequence && o.path === e.path && o.format === e.format && o.digest === e.digest));
}

/** Copies a history file durably; it takes its name only after it read back (from the medium) as the card's bytes. */
async function copyVerified(from: string, to: string): Promise<void> {
  await copyFileDurably(from, to, {
    exclusive: true,
    check: async (temp) => {
      if (!(await sameBytes(from, temp))) throw new RushesError('VERIFY_MISMATCH', `history file ${to} did not read back as written`, { path: to });
    },
  });
}

/**
 * Copies the card's history folders into a destination. Files already there must be the
 * same (or, for a chain, extend the card's); anything else is a conflict left untouched.
 */
export async function carryOverHistory(source: string, destRoot: string, history: SourceHistory): Promise<void> {
  for (const folder of history.folders) {
    const from = join(source, folder);
    const to = join(destRoot, folder);
    await fsp.mkdir(to, { recursive: true });
    for (const entry of await fsp.readdir(from, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const src = join(from, entry.name);
      const dst = join(to, entry.name);
      let exists = true;
      await fsp.access(dst).catch((e) => {
        if (errno(e) !== 'ENOENT') throw destinationError(e, dst);
        exists = false;
      });
      try {
        if (!exists) await copyVerified(src, dst);
        else if (entry.name.endsWith('.xml') ? !(await chainExtends(src, dst)) : !(await sameBytes(src, dst))) {
          throw new RushesError('DEST_CONFLICT', `${dst} already exists and differs from the card's ${src}; the card's history was not carried over`, { path: dst });
        }
      } catch (e) {
        throw e instanceof RushesError ? e : destinationError(e, dst);
      }
    }
    // Each copy's rename was made durable as it was committed; the new folder itself must be too, before a generation builds on it.
    await fsyncFolder(dirname(to));
  }
}
