/**
 * Loading a history: the ascmhl folder of a root (chain + manifests) and every nested
 * history below it. The chain is checked first, as the reference tool does: a missing
 * chain file, a manifest the chain lists that is gone, or one whose C4 ID no longer
 * matches. `loadHistory` throws on those; verification loads tolerantly and reports them.
 */
import { promises as fsp, type Dirent } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { RushesError, errno } from '../errors.ts';
import { limiter } from '../util/limit.ts';
import { localMhlHashing, type MhlHashing } from './hashing.ts';
import { parseChain } from './chain.ts';
import { readMhlFile } from './read-file.ts';
import { ASCMHL_FOLDER, CHAIN_FILE, DEFAULT_IGNORE, MANIFEST_EXTENSION, problemExitCode, type Generation, type HistoryProblem, type MhlHistory } from './model.ts';
import { generationOfFileName, isWithin, joinRelative, parentOf, relativeTo } from './paths.ts';
import { parseManifest } from './xml-read.ts';

export interface LoadOptions {
  /** Record chain problems in `problems` instead of throwing (used by verify). */
  tolerant?: boolean;
  /** Where the manifests' C4 IDs are computed (default this thread). */
  hashing?: MhlHashing;
}

async function lstatOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fsp.lstat(path);
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw new RushesError('MHL_INVALID', `${path}: cannot be read (${errno(e) ?? String(e)})`, { path, cause: e });
  }
}

function report(history: MhlHistory, problem: HistoryProblem, tolerant: boolean): void {
  const exit = problemExitCode(problem.kind);
  if (exit !== undefined && !tolerant) throw new RushesError('MHL_VERIFY', `${problem.message} (ASC MHL exit code ${exit})`, { path: problem.path });
  history.problems.push(problem);
}

async function loadFolder(root: string, relativePath: string, tolerant: boolean, hashing: MhlHashing): Promise<MhlHistory> {
  const folder = join(root, ASCMHL_FOLDER);
  const history: MhlHistory = { root, relativePath, folder, generations: [], chain: undefined, children: [], problems: [] };
  const st = await lstatOrUndefined(folder);
  if (!st) return history;
  if (!st.isDirectory()) throw new RushesError('MHL_INVALID', `${folder}: is not a folder`, { path: folder });

  const chainPath = join(folder, CHAIN_FILE);
  const chainStat = await lstatOrUndefined(chainPath);
  const listing = await fsp.readdir(folder, { withFileTypes: true });
  const manifestNames = listing
    .filter((d) => d.isFile() && d.name.endsWith(MANIFEST_EXTENSION) && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  if (chainStat) history.chain = parseChain(await readMhlFile(chainPath), chainPath);
  // An ascmhl folder with neither chain nor manifest holds no history to protect (the reference
  // tool would say 32 here); one with manifests but no chain has lost its protection.
  else if (manifestNames.length > 0) report(history, { kind: 'chain-missing', path: chainPath, message: `${chainPath}: the history has no chain file` }, tolerant);

  // Chain first: every manifest it lists must exist and still have the C4 ID it had.
  const altered = new Set<string>();
  const chained = new Set<string>();
  // What the chain check read and hashed, so a 10,000-file manifest is not read and hashed twice.
  const seen = new Map<string, { bytes: Uint8Array; c4?: string }>();
  for (const entry of history.chain ?? []) {
    const file = resolve(folder, entry.path);
    chained.add(file);
    const bytes = await readMhlFile(file).catch((e: unknown) => {
      if (e instanceof RushesError && e.cause && errno(e.cause) === 'ENOENT') return undefined;
      throw e;
    });
    if (!bytes) {
      report(history, { kind: 'manifest-missing', path: file, message: `${file}: manifest listed in ${CHAIN_FILE} (generation ${entry.sequence}) is missing` }, tolerant);
      continue;
    }
    const actual = await hashing.hashBytes(entry.format, bytes);
    seen.set(file, { bytes, c4: entry.format === 'c4' ? actual : undefined });
    if (actual !== entry.digest) {
      altered.add(file);
      report(
        history,
        { kind: 'manifest-altered', path: file, message: `${file}: manifest was altered: ${entry.format} is ${actual}, ${CHAIN_FILE} records ${entry.digest}` },
        tolerant,
      );
    }
  }

  const names = manifestNames;
  const byNumber = new Map<number, string>();
  for (const name of names) {
    const file = join(folder, name);
    const number = generationOfFileName(name);
    if (number === undefined) {
      history.problems.push({ kind: 'manifest-misnamed', path: file, message: `${file}: name does not follow NNNN_<folder>_<date>.mhl; not read` });
      continue;
    }
    if (byNumber.has(number)) throw new RushesError('MHL_INVALID', `${file}: generation ${number} also has manifest ${byNumber.get(number)}`, { path: file });
    byNumber.set(number, name);
    if (history.chain && !chained.has(file)) {
      history.problems.push({ kind: 'manifest-unchained', path: file, message: `${file}: manifest is not listed in ${CHAIN_FILE}, so nothing protects it from changes` });
    }
    const known = seen.get(file);
    const bytes = known?.bytes ?? (await readMhlFile(file));
    let manifest;
    try {
      manifest = parseManifest(bytes, file);
    } catch (e) {
      // An altered manifest that no longer parses is already reported as altered.
      if (tolerant && altered.has(file)) continue;
      throw e;
    }
    history.generations.push({ ...manifest, number, fileName: name, filePath: file, c4: known?.c4 ?? (await hashing.hashBytes('c4', bytes)) });
  }
  history.generations.sort((a, b) => a.number - b.number);
  return history;
}

/** How many of the search's readdir and lstat calls are in flight at once. */
const SEARCH_CALLS_AT_ONCE = 16;

/**
 * Folders below `rel` (relative to `top`) that hold a nested history. The search stops at
 * each one found: what lies deeper belongs to that history. Symbolic links are not followed.
 * A folder's subfolders are searched at once: one after another, each call waited its turn
 * on the thread pool and, while a scan kept this thread busy, for the event loop (a card of
 * 23 folders kept a warm `mhl create` waiting ~15 ms after its files were read).
 */
async function findNestedRoots(top: string, rel: string, out: string[], gate = limiter(SEARCH_CALLS_AT_ONCE)): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await gate(() => fsp.readdir(join(top, rel), { withFileTypes: true }));
  } catch {
    return; // unreadable folders are reported by whoever walks the files
  }
  await Promise.all(
    entries
      .filter((e) => e.isDirectory() && e.name !== ASCMHL_FOLDER)
      .map(async (e) => {
        const child = joinRelative(rel, e.name);
        const st = await gate(() => lstatOrUndefined(join(top, child, ASCMHL_FOLDER)));
        if (st?.isDirectory()) out.push(child);
        else await findNestedRoots(top, child, out, gate);
      }),
  );
}

async function load(root: string, relativePath: string, tolerant: boolean, hashing: MhlHashing): Promise<MhlHistory> {
  const history = await loadFolder(root, relativePath, tolerant, hashing);
  const nested: string[] = [];
  await findNestedRoots(root, '', nested);
  for (const rel of nested.sort()) history.children.push(await load(join(root, rel), joinRelative(relativePath, rel), tolerant, hashing));
  checkReferences(history);
  return history;
}

/** Every generation's <hashlistreference> must name a manifest of a nested history with that C4 ID. */
function checkReferences(history: MhlHistory): void {
  for (const g of history.generations) {
    for (const ref of g.references) {
      const childRel = parentOf(parentOf(ref.path));
      const child = allHistories(history).find((h) => h !== history && h.relativePath === joinRelative(history.relativePath, childRel));
      const target = child?.generations.find((x) => x.fileName === basename(ref.path));
      if (!target) {
        history.problems.push({ kind: 'reference-missing', path: g.filePath, message: `${g.filePath}: references ${ref.path}, which is not a manifest of a nested history` });
      } else if (target.c4 !== ref.c4) {
        history.problems.push({
          kind: 'reference-mismatch',
          path: target.filePath,
          message: `${target.filePath}: C4 ID is ${target.c4}, but ${g.fileName} of the enclosing history records ${ref.c4}`,
        });
      }
    }
  }
}

/**
 * Loads the history at `root` (its ascmhl folder, if any) and all nested histories. Throws
 * RushesError MHL_INVALID for a malformed or hostile file and MHL_VERIFY for a broken chain,
 * each naming the file, unless `tolerant` (then chain problems land in `problems`).
 */
export async function loadHistory(root: string, options: LoadOptions = {}): Promise<MhlHistory> {
  const abs = resolve(root);
  const st = await lstatOrUndefined(abs);
  if (!st?.isDirectory()) throw new RushesError('SOURCE_MISSING', `${abs}: not a folder`, { path: abs });
  return load(abs, '', options.tolerant ?? false, options.hashing ?? localMhlHashing);
}

/** The history and all nested ones, parents before children. */
export function allHistories(h: MhlHistory): MhlHistory[] {
  return [h, ...h.children.flatMap(allHistories)];
}

/** Every problem of the history and its nested histories. */
export function allProblems(h: MhlHistory): HistoryProblem[] {
  return allHistories(h).flatMap((x) => x.problems);
}

/** Histories that contain `path` (relative to the top), deepest first. */
export function historiesFor(top: MhlHistory, path: string): MhlHistory[] {
  // Asked once per file: the common case, a history with no nested ones, needs no search.
  if (top.children.length === 0) return [top];
  return allHistories(top)
    .filter((h) => isWithin(path, h.relativePath))
    .sort((a, b) => b.relativePath.length - a.relativePath.length);
}

/** The nested history a path belongs to, and the path relative to that history's root. */
export function historyFor(top: MhlHistory, path: string): { history: MhlHistory; path: string } {
  const history = historiesFor(top, path)[0];
  return { history, path: relativeTo(path, history.relativePath) };
}

/** The ignore patterns of the latest generation, or the defaults for a new history. */
export function latestIgnorePatterns(h: MhlHistory): string[] {
  const last = h.generations.at(-1);
  return last && last.ignore.length > 0 ? [...last.ignore] : [...DEFAULT_IGNORE];
}

/** The number the next generation gets: after every manifest in the folder and every chain entry. */
export function nextGenerationNumber(h: MhlHistory): number {
  let n = 0;
  for (const g of h.generations) n = Math.max(n, g.number);
  for (const c of h.chain ?? []) n = Math.max(n, c.sequence);
  return n + 1;
}

/**
 * The ascmhl folders under `root` (relative posix paths such as 'ascmhl' and
 * 'A002R2EC/ascmhl'), the root's own first: what an offload copies along with the files
 * so the destination carries the source's history on.
 */
export async function listHistoryFolders(root: string): Promise<string[]> {
  const abs = resolve(root);
  const out: string[] = [];
  const own = await lstatOrUndefined(join(abs, ASCMHL_FOLDER));
  if (own?.isDirectory()) out.push(ASCMHL_FOLDER);
  const walk = async (rel: string): Promise<void> => {
    const nested: string[] = [];
    await findNestedRoots(join(abs, rel), '', nested);
    for (const n of nested.sort()) {
      const r = joinRelative(rel, n);
      out.push(`${r}/${ASCMHL_FOLDER}`);
      await walk(r);
    }
  };
  await walk('');
  return out;
}

export type { Generation };
