/**
 * Names sort by Unicode code point, as the reference tool (Python) sorts them: checked
 * against the plainest possible definition, code points compared one by one, on names
 * that mix ASCII, accents, the top of the BMP (U+E000–FFFF) and characters above U+FFFF.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from '../core/fs/relative.ts';
import { checkRelativePath } from '../core/mhl/paths.ts';

/** The definition: code point sequences compared lexicographically. */
function byDefinition(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return Math.sign(x.length - y.length);
}

const ALPHABET = ['a', 'B', '_', 'é', 'ǅ', '\uE000', '\uFF21', '\uFFFD', '😀', '𝄞', '\u{10FFFF}', '中'];
const randomName = (): string => Array.from({ length: randomInt(0, 5) }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

describe('compareCodePoints', () => {
  it('puts characters above U+FFFF after U+E000–FFFF, where UTF-16 order does not', () => {
    expect('😀' < '\uFF21').toBe(true); // JavaScript's own order: the surrogate unit is smaller
    expect(compareCodePoints('😀', '\uFF21')).toBe(1);
    expect(compareCodePoints('\uFF21', '😀')).toBe(-1);
    expect(compareCodePoints('clip_😀', 'clip_😀')).toBe(0);
    expect(compareCodePoints('clip', 'clip_1')).toBe(-1);
  });

  it('agrees with the definition on 5,000 random pairs', () => {
    for (let i = 0; i < 5000; i++) {
      const a = randomName();
      const b = Math.random() < 0.3 ? a + randomName() : randomName();
      expect(compareCodePoints(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(byDefinition(a, b));
    }
  });
});

/** The rules of a manifest's relative path, one by one: what checkRelativePath must answer (the path without a trailing '/', or a refusal). */
function pathByDefinition(path: string): string | 'refused' {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (p === '' || p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p) || p.includes('\0')) return 'refused';
  return p.split('/').some((s) => s === '' || s === '.' || s === '..') ? 'refused' : p;
}

describe('checkRelativePath', () => {
  const PARTS = ['a', 'é', '.', '..', '/', '//', '\\', '\0', 'C:', 'x.mov', '.DS_Store', '😀'];
  const randomPath = (): string => Array.from({ length: randomInt(0, 6) }, () => PARTS[randomInt(PARTS.length)]).join('');

  it('agrees with the rules on 20,000 random paths (its shortcut for plain paths included)', () => {
    for (let i = 0; i < 20_000; i++) {
      const path = randomPath();
      let got: string;
      try {
        got = checkRelativePath(path, 'test.mhl');
      } catch {
        got = 'refused';
      }
      expect(got, JSON.stringify(path)).toBe(pathByDefinition(path));
    }
  });
});
