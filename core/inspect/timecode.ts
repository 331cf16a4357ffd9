/**
 * SMPTE timecode arithmetic (non-drop and 29.97/59.94 drop-frame) and the encodings
 * cameras store it in. Pure.
 */
import type { Rational, Timecode } from './types.ts';

const TC = /^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2})$/;

/** The nominal timecode base of a frame rate: 24000/1001 → 24, 30000/1001 → 30. */
export function timecodeBase(rate: Rational | number): number {
  const fps = typeof rate === 'number' ? rate : rate.num / rate.denom;
  return Math.max(1, Math.round(fps));
}

/** Parses "01:02:03:04" (";" or "," before the frames means drop-frame). Undefined when it is not a timecode. */
export function parseTimecode(text: string, base: number): { frames: number; dropFrame: boolean } | undefined {
  const m = TC.exec(text.trim());
  if (!m) return undefined;
  const [h, mi, s, f] = [m[1], m[2], m[3], m[5]].map(Number) as [number, number, number, number];
  if (mi > 59 || s > 59 || f >= base) return undefined;
  const dropFrame = (m[4] === ';' || m[4] === ',') && base % 30 === 0;
  // Drop-frame labels 00 and 01 (00–03 at 60) do not exist in minutes not divisible by ten: such a label means the next real one.
  const skipped = (base / 30) * 2;
  const f2 = dropFrame && s === 0 && mi % 10 !== 0 && f < skipped ? skipped : f;
  let frames = ((h * 60 + mi) * 60 + s) * base + f2;
  if (dropFrame) {
    const drop = (base / 30) * 2;
    const totalMinutes = h * 60 + mi;
    frames -= drop * (totalMinutes - Math.floor(totalMinutes / 10));
  }
  return { frames, dropFrame };
}

/** Frame count → "HH:MM:SS:FF" (or ";FF" drop-frame), wrapping at 24 hours. */
export function formatTimecode(frames: number, base: number, dropFrame = false): string {
  let n = frames;
  if (dropFrame) {
    const drop = (base / 30) * 2;
    const perTen = base * 600 - drop * 9;
    const perMinute = base * 60 - drop;
    const tens = Math.floor(n / perTen);
    const rest = n % perTen;
    // The first minute of each ten keeps frame numbers 00 and 01; the other nine skip them.
    n += drop * 9 * tens + (rest > drop ? drop * Math.floor((rest - drop) / perMinute) : 0);
  }
  const day = base * 86_400;
  n = ((n % day) + day) % day;
  const f = n % base;
  const s = Math.floor(n / base) % 60;
  const m = Math.floor(n / (base * 60)) % 60;
  return timecodeText(Math.floor(n / (base * 3600)), m, s, f, dropFrame);
}

/** "HH:MM:SS:FF", with ";" before the frames for drop-frame. */
export function timecodeText(h: number, m: number, s: number, f: number, dropFrame: boolean): string {
  const p = (v: number) => String(v).padStart(2, '0');
  return `${p(h)}:${p(m)}:${p(s)}${dropFrame ? ';' : ':'}${p(f)}`;
}

/** A clip's timecode from its start and length: end is the last frame's timecode. */
export function clipTimecode(start: string, rate: Rational | number, durationFrames?: number): Timecode | undefined {
  const base = timecodeBase(rate);
  const parsed = parseTimecode(start, base);
  if (!parsed) return undefined;
  const tc: Timecode = { start: formatTimecode(parsed.frames, base, parsed.dropFrame), rate: base, dropFrame: parsed.dropFrame };
  if (durationFrames && durationFrames > 0) tc.end = formatTimecode(parsed.frames + durationFrames - 1, base, parsed.dropFrame);
  return tc;
}

/**
 * Sony NonRealTimeMeta LTC values are four BCD digit pairs in the order frames, seconds,
 * minutes, hours ("04030201" is 01:02:03:04). Bit 0x40 of the frames pair flags drop-frame
 * and the top bits of other pairs carry flags too, so each pair is masked to its BCD digits.
 */
export function sonyLtcToTimecode(value: string): { text: string; dropFrame: boolean } | undefined {
  if (!/^[0-9a-fA-F]{8}$/.test(value)) return undefined;
  const pairs = [0, 2, 4, 6].map((i) => parseInt(value.slice(i, i + 2), 16));
  const [ff, ss, mm, hh] = pairs as [number, number, number, number];
  const bcd = (b: number, mask: number) => ((b & mask) >> 4) * 10 + (b & 0x0f);
  const dropFrame = (ff & 0x40) !== 0;
  const [f, s, m, h] = [bcd(ff, 0x30), bcd(ss, 0x70), bcd(mm, 0x70), bcd(hh, 0x30)];
  if (s > 59 || m > 59 || h > 23) return undefined;
  return { text: timecodeText(h, m, s, f, dropFrame), dropFrame };
}

/** "24000/1001", "23.976", "23.98p", "24" → an exact rational (NTSC rates snap to /1001). */
export function parseRate(text: string | number | undefined): Rational | undefined {
  if (text === undefined) return undefined;
  const s = String(text).trim().replace(/[pPiI]$/, '');
  const frac = /^(\d+)\s*\/\s*(\d+)$/.exec(s);
  if (frac) {
    const num = Number(frac[1]);
    const denom = Number(frac[2]);
    return num > 0 && denom > 0 ? reduce({ num, denom }) : undefined;
  }
  const v = Number(s);
  if (!Number.isFinite(v) || v <= 0) return undefined;
  return rateFromNumber(v);
}

/** 23.976 → 24000/1001, 25 → 25/1, 119.88 → 120000/1001; any other value to 1/1000 precision. */
export function rateFromNumber(v: number): Rational {
  const ntsc = Math.round(v * 1.001);
  if (Math.abs(v - (ntsc * 1000) / 1001) < 0.006 && Math.abs(v - ntsc) > 0.006) return { num: ntsc * 1000, denom: 1001 };
  if (Math.abs(v - Math.round(v)) < 0.0005) return { num: Math.round(v), denom: 1 };
  return reduce({ num: Math.round(v * 1000), denom: 1000 });
}

export function reduce(r: Rational): Rational {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const g = gcd(r.num, r.denom) || 1;
  return { num: r.num / g, denom: r.denom / g };
}
