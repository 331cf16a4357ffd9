/**
 * Terminal text for verify, diff and create results, in the reference tool's wording where
 * it has one ("hash mismatch for …", "found new file …", "missing file(s)"), so people and
 * scripts used to ascmhl read ours the same way. The last line is always the summary.
 */
import type { CreateResult } from './create.ts';
import type { DiffReport } from './diff.ts';
import { problemExitCode, type HistoryProblem } from './model.ts';
import type { VerifyReport } from './verify.ts';

const shown = (path: string): string => path || '. (root)';
const problemLine = (p: HistoryProblem): string => `${problemExitCode(p.kind) === undefined ? 'warning' : 'ERROR'}: ${p.message}`;

export function formatVerifyReport(r: VerifyReport): string[] {
  const lines = r.problems.map(problemLine);
  for (const a of r.altered) {
    lines.push(a.reason === 'size' ? `ERROR: size mismatch for ${a.path}: recorded ${a.expected}, now ${a.actual} bytes` : `ERROR: hash mismatch for ${a.path} old ${a.format}: ${a.expected}, new ${a.format}: ${a.actual}`);
  }
  for (const u of r.unverifiable) lines.push(`ERROR: cannot verify ${u.path}: ${u.message}`);
  for (const n of r.newFiles) lines.push(`ERROR: found new file ${n}`);
  if (r.missing.length > 0) lines.push(`ERROR: ${r.missing.length} missing file(s):`, ...r.missing.map((m) => `  ${m}`));
  for (const d of r.directoryMismatches) lines.push(`ERROR: ${d.part} hash mismatch for ${shown(d.path)} old ${d.format}: ${d.expected}, new ${d.format}: ${d.actual}`);
  lines.push(`${r.exitCode === 0 ? 'OK' : `exit ${r.exitCode}`}: ${r.summary} (${r.filesVerified} of ${r.filesOnDisk} file(s) verified, ${r.readMode} reads)`);
  return lines;
}

export function formatDiffReport(r: DiffReport): string[] {
  const lines = r.problems.map(problemLine);
  for (const n of r.newFiles) lines.push(`ERROR: found new file ${n}`);
  if (r.missing.length > 0) lines.push(`ERROR: ${r.missing.length} missing file(s):`, ...r.missing.map((m) => `  ${m}`));
  for (const c of r.sizeChanged) lines.push(`ERROR: size changed for ${c.path}: recorded ${c.expected}, now ${c.actual} bytes`);
  for (const c of r.modifiedChanged) lines.push(`note: modification date changed for ${c.path}: recorded ${c.expected.toISOString()}, now ${c.actual.toISOString()}`);
  for (const u of r.unreadable) lines.push(`ERROR: ${u.message}`);
  lines.push(`${r.exitCode === 0 ? 'OK' : `exit ${r.exitCode}`}: ${r.summary}`);
  return lines;
}

export function formatCreateResult(r: CreateResult): string[] {
  const lines: string[] = [];
  for (const f of r.failed) {
    lines.push(f.reason === 'size' ? `ERROR: size mismatch for ${f.path}: recorded ${f.expected}, now ${f.actual} bytes` : `ERROR: hash mismatch for ${f.path} ${f.format} (old): ${f.expected}, ${f.format} (new): ${f.actual}`);
  }
  for (const u of r.unreadable) lines.push(`ERROR: cannot read ${u.path}: ${u.message}`);
  if (r.missing.length > 0) lines.push(`ERROR: ${r.missing.length} missing file(s):`, ...r.missing.map((m) => `  ${m}`));
  for (const x of r.renamed) lines.push(`a renamed file was detected: from ${x.from} to ${x.to}`);
  for (const w of [...r.written.nested, r.written]) lines.push(`Created new generation ${w.manifestPath}`);
  lines.push(`${r.exitCode === 0 ? 'OK' : `exit ${r.exitCode}`}: ${r.summary}`);
  return lines;
}
