/**
 * ASC MHL ignore patterns (core/fs/ignore.ts) as the reference tool reads them: a name or glob
 * matched against every path component, a trailing '/' for folders only, an inner '/' for the
 * whole relative path. The patterns are folded into one expression per case, so a pattern's
 * own characters must stay literal: a '|' that became an alternation would hide footage.
 */
import { describe, expect, it } from 'vitest';
import { ignoreMatcher } from '../core/fs/ignore.ts';

describe('ignoreMatcher', () => {
  const m = ignoreMatcher(['*.tmp', 'Proxies/', 'Clips/cache', 'a|b', 'x(1).mov', '[c]', 'f?.dpx', 'v+1']);
  const cases: [string, boolean, boolean][] = [
    ['a.tmp', false, true],
    ['Deep/b.tmp', false, true], // a name pattern matches in any folder
    ['a.tmp.mov', false, false],
    ['Proxies', true, true],
    ['Deep/Proxies', true, true],
    ['Proxies', false, false], // a file of that name is not the folder the pattern names
    ['Clips/cache', true, true],
    ['Clips/cache', false, true],
    ['Other/Clips/cache', true, false], // a path pattern is matched against the whole path
    ['cache', true, false],
    ['a|b', false, true],
    ['a', false, false], // '|' is literal
    ['b', false, false],
    ['x(1).mov', false, true],
    ['x1.mov', false, false],
    ['[c]', false, true],
    ['c', false, false],
    ['f1.dpx', false, true],
    ['f12.dpx', false, false],
    ['Frames/f/.dpx', false, false], // '?' never crosses a '/'
    ['v+1', false, true],
    ['vv1', false, false],
    ['frame_000001.dpx', false, false],
  ];
  it.each(cases)('%s (folder: %s) ignored: %s', (path, isDirectory, ignored) => {
    expect(m.ignores(path, isDirectory)).toBe(ignored);
  });

  it('ignores nothing without patterns, and keeps the patterns it was given', () => {
    const none = ignoreMatcher([]);
    expect(none.ignores('a.tmp', false) || none.ignores('Proxies', true)).toBe(false);
    expect(m.patterns).toContain('a|b');
  });
});
