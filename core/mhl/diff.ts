/**
 * `rushes mhl diff`: what changed on disk since the history was written, without reading
 * any file's content (the reference tool's diff hashes nothing either). It lists new files
 * and missing paths, with the reference tool's exit codes (21 over 10). Beyond that tool,
 * it compares sizes and modification times with the latest record: a different size is
 * certain evidence of a changed file and gives 11, as verify would; a different mtime
 * alone proves nothing and is only listed.
 */
import { resolve } from 'node:path';
import type { MhlHashing } from './hashing.ts';
import { allProblems, loadHistory } from './history.ts';
import { MHL_EXIT, problemExitCode, type HistoryProblem, type MhlExitCode } from './model.ts';
import { scan } from './scan.ts';
import { beginScan, LIST_ONLY, loadWhileListing } from './scan-start.ts';

export interface DiffReport {
  root: string;
  exitCode: MhlExitCode;
  summary: string;
  problems: HistoryProblem[];
  newFiles: string[];
  missing: string[];
  sizeChanged: { path: string; expected: number; actual: number }[];
  modifiedChanged: { path: string; expected: Date; actual: Date }[];
  unreadable: { path: string; message: string }[];
}

export async function diffHistory(root: string, options: { ignore?: string[]; hashing?: MhlHashing } = {}): Promise<DiffReport> {
  // Listed while the history loads; diff reads no file.
  const started = beginScan(resolve(root), LIST_ONLY, { ignore: options.ignore, hashing: options.hashing });
  const history = await loadWhileListing(started, () => loadHistory(resolve(root), { tolerant: true, hashing: options.hashing }));
  const report: DiffReport = {
    root: history.root,
    exitCode: MHL_EXIT.OK,
    summary: '',
    problems: allProblems(history),
    newFiles: [],
    missing: [],
    sizeChanged: [],
    modifiedChanged: [],
    unreadable: [],
  };
  const broken = report.problems.find((p) => problemExitCode(p.kind) !== undefined);
  if (broken || history.generations.length === 0) started.cancel();
  if (broken) return { ...report, exitCode: problemExitCode(broken.kind)!, summary: broken.message };
  if (history.generations.length === 0) return { ...report, exitCode: MHL_EXIT.NO_HISTORY, summary: `no ASC MHL history at ${history.root}` };

  const s = await scan(history, { ignore: options.ignore, hashing: options.hashing });
  report.newFiles = s.newFiles.map((f) => f.path);
  report.missing = s.missing;
  report.unreadable = s.tree.errors.map((e) => ({ path: e.path, message: e.message }));
  for (const f of s.files) {
    const exp = f.expectation;
    if (!exp) continue;
    if (exp.size !== undefined && exp.size !== f.size) report.sizeChanged.push({ path: f.path, expected: exp.size, actual: f.size });
    // Manifests keep whole seconds.
    const actual = new Date(Math.floor(f.mtimeMs / 1000) * 1000);
    if (exp.lastModified && Math.floor(exp.lastModified.getTime() / 1000) !== actual.getTime() / 1000) {
      report.modifiedChanged.push({ path: f.path, expected: exp.lastModified, actual });
    }
  }
  const [exitCode, summary]: [MhlExitCode, string] =
    report.sizeChanged.length > 0
      ? [MHL_EXIT.HASH_MISMATCH, `${report.sizeChanged.length} file(s) changed size`]
      : report.newFiles.length > 0
        ? [MHL_EXIT.NEW_FILES, `${report.newFiles.length} new file(s) not in the history`]
        : report.missing.length > 0
          ? [MHL_EXIT.MISSING_FILES, `${report.missing.length} recorded path(s) missing`]
          : [MHL_EXIT.OK, 'no differences'];
  return { ...report, exitCode, summary };
}
