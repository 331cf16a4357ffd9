/**
 * Relative paths as the engine keeps them: '/'-separated, '' for the root, ordered by
 * Unicode code point (as the reference ASC MHL tool sorts them).
 */

/**
 * Orders strings by Unicode code point, as the reference tool (Python) sorts names.
 * JavaScript's default sort compares UTF-16 units, which differs above U+FFFF: there a
 * surrogate (U+D800–DFFF) must sort after U+E000–FFFF. So units are compared as they are,
 * and only the first pair that differs is mapped to that order (sorting 10,000 names
 * code point by code point through iterators was a visible part of `mhl create`).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** A UTF-16 unit placed in code point order: surrogates (everything above U+FFFF) after U+E000–FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}

export function parentOf(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

export function baseName(relPath: string): string {
  return relPath.slice(relPath.lastIndexOf('/') + 1);
}

export function joinRelative(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a}/${b}`;
}

/**
 * The absolute path of `rel` (a relative path as the walk makes them: no '', '.' or '..'
 * parts) under `root`: path.join's normalising, a visible cost over 10,000 files, finds
 * nothing to do there.
 */
export function underRoot(root: string, rel: string): string {
  return rel === '' ? root : root.endsWith('/') ? root + rel : `${root}/${rel}`;
}

/** True when `path` is `dir` or lies below it ('' contains everything). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}

/** `path` relative to `dir`, which must contain it. */
export function relativeTo(path: string, dir: string): string {
  return dir === '' ? path : path === dir ? '' : path.slice(dir.length + 1);
}
