/**
 * Relative paths as manifests record them, and the names of manifest files.
 * A path read from a manifest is untrusted: it must stay inside the history root.
 */
import { RushesError } from '../errors.ts';
import { MANIFEST_EXTENSION } from './model.ts';

/** A path none of checkRelativePath's refusals can apply to: no NUL, no leading or doubled '/', no '\\', no drive letter, no '.' segment, no trailing '/'. */
const PLAIN_RELATIVE = /^(?![A-Za-z]:)(?!\.\.?(?:\/|$))[^/\\\0](?:[^/\\\0]|\/(?!\/|\.\.?(?:\/|$)|$))*$/;

/**
 * Checks a relative path read from (or about to be written to) a manifest and returns it
 * without a trailing '/'. Absolute paths, drive letters, '.'/'..' segments and empty
 * segments are refused: any of them could point a verification outside the root.
 */
export function checkRelativePath(path: string, file: string, what = 'path'): string {
  // Nearly every path is plainly fine: one test instead of the search for what is wrong (a manifest has one per file).
  if (PLAIN_RELATIVE.test(path)) return path;
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const bad = (why: string): never => {
    throw new RushesError('MHL_INVALID', `${file}: ${what} "${path}" ${why}`, { path: file });
  };
  if (p.length === 0) bad('is empty');
  if (p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p)) bad('is absolute');
  if (p.includes('\0')) bad('contains a NUL character');
  for (const segment of p.split('/')) {
    if (segment === '') bad('has an empty segment');
    if (segment === '.' || segment === '..') bad(`has a "${segment}" segment`);
  }
  return p;
}

// The relative-path helpers every tree walk shares live in core/fs; manifests use them as they are.
export { baseName, compareCodePoints, isWithin, joinRelative, parentOf, relativeTo } from '../fs/relative.ts';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * The reference tool names generation N of folder F `NNNN_F_YYYY-MM-DD_HHMMSSZ.mhl`
 * (UTC; four digits at least, more once N passes 9999).
 */
export function manifestFileName(generation: number, folderName: string, date: Date): string {
  const d = `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
  const t = `${pad2(date.getUTCHours())}${pad2(date.getUTCMinutes())}${pad2(date.getUTCSeconds())}`;
  return `${String(generation).padStart(4, '0')}_${folderName}_${d}_${t}Z${MANIFEST_EXTENSION}`;
}

/** The generation number of a manifest file name, or undefined when it does not follow the convention. */
export function generationOfFileName(name: string): number | undefined {
  if (!name.endsWith(MANIFEST_EXTENSION)) return undefined;
  const m = /^(\d{4,})(?:_(.+))?$/s.exec(name.slice(0, -MANIFEST_EXTENSION.length));
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
