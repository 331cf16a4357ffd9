/**
 * Relative paths as the engine keeps them: '/'-separated, '' for the root, ordered by
 * Unicode code point (as the reference ASC MHL tool sorts them).
 */

/**
 * Orders strings by Unicode code point, as the reference tool (Python) sorts names.
 * JavaScript's default sort compares UTF-16 units, which differs above U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
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

/** True when `path` is `dir` or lies below it ('' contains everything). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(dir + '/');
}

/** `path` relative to `dir`, which must contain it. */
export function relativeTo(path: string, dir: string): string {
  return dir === '' ? path : path === dir ? '' : path.slice(dir.length + 1);
}
