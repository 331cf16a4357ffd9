/**
 * Unit conversions from the encodings cameras store values in to the record's units. Each
 * takes the raw value (text or number) and returns the converted value or undefined when
 * the raw value is not what the encoding expects; a wrong value is left out, never guessed.
 */
import { parseRate, rateFromNumber, reduce } from './timecode.ts';
import type { Rational } from './types.ts';

export type Raw = string | number;
export type Converter = (v: Raw) => unknown;

const num = (v: Raw): number | undefined => {
  const n = typeof v === 'number' ? v : Number(String(v).trim().replace(/^[+]/, ''));
  return Number.isFinite(n) ? n : undefined;
};
const positive = (n: number | undefined) => (n !== undefined && n > 0 ? n : undefined);
/** Round to `d` decimals, so 2.0000001 is 2. */
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;
/** The number at the start of a text ("35mm", "180.0deg", "F2.8", "3200K"). */
const leadingNumber = (v: Raw): number | undefined => {
  if (typeof v === 'number') return v;
  const m = /^[A-Za-z]*\s*([-+]?\d+(?:\.\d+)?)/.exec(v.trim());
  return m ? Number(m[1]) : undefined;
};

export const text: Converter = (v) => {
  const s = String(v).trim();
  return s && s !== '-' && s.toLowerCase() !== 'unknown' && s.toLowerCase() !== 'n/a' ? s : undefined;
};
export const flag: Converter = (v) => (/^(true|1|yes)$/i.test(String(v).trim()) ? true : /^(false|0|no)$/i.test(String(v).trim()) ? false : undefined);
export const integer: Converter = (v) => {
  const n = positive(leadingNumber(v));
  return n === undefined ? undefined : Math.round(n);
};
export const scaled =
  (divisor: number, digits = 3): Converter =>
  (v) => {
    const n = positive(num(v));
    return n === undefined ? undefined : round(n / divisor, digits);
  };
/** A frame rate as text or number ("23.976", "24000/1001", "23.98p"). */
export const rate: Converter = (v) => parseRate(v);
/** A rate stored ×1000 as an integer (ARRI SensorFps 23976 → 24000/1001). */
export const rateMilli: Converter = (v) => {
  const n = positive(num(v));
  return n === undefined ? undefined : rateFromNumber(n / 1000);
};
/** A ratio stored ×N as an integer (Sony squeeze 200 → 2/1, 133 → 133/100). */
export const ratioTimes =
  (factor: number): Converter =>
  (v) => {
    const n = positive(num(v));
    return n === undefined ? undefined : reduce({ num: Math.round(n), denom: factor });
  };
/** Camera makers as they name themselves, whatever case a file writes them in ("CANON" → Canon). */
const MAKERS = ['ARRI', 'Sony', 'Canon', 'RED', 'Blackmagic Design', 'Panasonic', 'Nikon', 'Fujifilm'];
export const make: Converter = (v) => {
  const s = text(v) as string | undefined;
  return s && (MAKERS.find((m) => m.toLowerCase() === s.toLowerCase()) ?? s);
};
/** A look or LUT name without the "LUT:" Sony puts in front of a file name. */
export const lookName: Converter = (v) => text(String(v).replace(/^\s*LUT:/i, ''));
/** A serial number; all ones (4294967295, 0xFFFFFFFF) is what Sony's XAVC bodies write when they have none to give. */
export const serialNumber: Converter = (v) => {
  const s = text(v) as string | undefined;
  return s && !/^(4294967295|0+)$/.test(s) ? s : undefined;
};
/** A rate written as a "num,denom," list (Blackmagic sensor_rate "48,1,", "24000,1001,"). */
export const rateList: Converter = (v) => {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*,?\s*$/.exec(String(v));
  return m && Number(m[1]) > 0 && Number(m[2]) > 0 ? reduce({ num: Number(m[1]), denom: Number(m[2]) }) : undefined;
};
/** An anamorphic squeeze as a factor ("2x", "1.33x", "1.8") → ratio (2/1, 133/100, 9/5). */
export const squeezeFactor: Converter = (v) => {
  const n = positive(leadingNumber(v));
  return n === undefined ? undefined : reduce({ num: Math.round(n * 100), denom: 100 });
};
/** Stops of neutral density as the camera counts them (Blackmagic internal_nd 2, 4, 6); 0 is clear. */
export const stopsCount: Converter = (v) => {
  const n = leadingNumber(v);
  return n !== undefined && n >= 0 && n <= 20 ? round(n, 1) : undefined;
};
/** An aperture that says which it is ("T2.3", "f2.8"): only the kind asked for, so a T-stop never passes as an f-stop. */
export const stopOf =
  (kind: 'T' | 'f'): Converter =>
  (v) => {
    const m = /^\s*([TtFf])\s*\/?\s*(\d+(?:\.\d+)?)/.exec(String(v));
    return m && m[1]!.toLowerCase() === kind.toLowerCase() ? stop(m[2]!) : undefined;
  };
/** Degrees, from "180", "172.8deg", "180°". */
export const degrees: Converter = (v) => {
  const n = leadingNumber(v);
  return n !== undefined && n > 0 && n <= 360 ? round(n, 2) : undefined;
};
/** Seconds, from "1/48", "0.0208". */
export const seconds: Converter = (v) => {
  const m = /^(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)/.exec(String(v).trim());
  const n = m ? Number(m[1]) / Number(m[2]) : num(v);
  return n && n > 0 ? round(n, 6) : undefined;
};
/** Optical density (ND 0.9) → stops (3). */
export const densityToStops =
  (divisor = 1): Converter =>
  (v) => {
    const d = num(v);
    return d === undefined || d < 0 ? undefined : round(d / divisor / Math.log10(2), 1);
  };
/** A transmittance divisor (Sony ND "1/4" or "4") → stops (2); "CLEAR" → 0. */
export const ndFractionToStops: Converter = (v) => {
  const s = String(v).trim().toLowerCase();
  if (s === 'clear' || s === 'off') return 0;
  const m = /^(?:1\s*\/\s*)?(\d+(?:\.\d+)?)$/.exec(s);
  const n = m ? Number(m[1]) : undefined;
  return n && n >= 1 ? round(Math.log2(n), 1) : undefined;
};
/** An f- or T-number from "F2.8", "T2.8", "2.8". */
export const stop: Converter = (v) => {
  const n = leadingNumber(v);
  return n && n >= 0.5 && n <= 128 ? round(n, 2) : undefined;
};
/** Aperture value in 1/1000 APEX stops (ARRI linear iris): N = √2^(AV). 4000 → T4. */
export const apexMilliToStop: Converter = (v) => {
  const av = num(v);
  return av === undefined || av < 0 ? undefined : round(Math.SQRT2 ** (av / 1000), 1);
};
/** SMPTE RDD 18 iris encoding (16-bit): N = 2^(8 × (1 − X / 65536)). */
export const rdd18Iris: Converter = (v) => {
  const x = num(v);
  return x === undefined || x < 0 || x > 0xffff ? undefined : round(2 ** (8 * (1 - x / 65536)), 1);
};
/** Millimetres from "35mm", "35" (or a number in 1/N mm with `divisor`). */
export const millimetres =
  (divisor = 1): Converter =>
  (v) => {
    const n = positive(leadingNumber(v));
    return n === undefined ? undefined : round(n / divisor, 2);
  };
/** Metres, from millimetres (divisor 1000), centimetres (100), or metres (1); "inf" is left out. */
export const metres =
  (divisor = 1): Converter =>
  (v) => {
    const n = positive(leadingNumber(v));
    return n === undefined || n >= 0xffff ? undefined : round(n / divisor, 3);
  };
/** Kelvin, from "5600", "5600K". */
export const kelvin: Converter = (v) => {
  const n = leadingNumber(v);
  return n && n >= 1000 && n <= 20000 ? Math.round(n) : undefined;
};
/** Tint in CC, from "+3", "-2.5", "3M", "2G" (green is negative). */
export const tint: Converter = (v) => {
  const s = String(v).trim();
  const m = /^([-+]?\d+(?:\.\d+)?)\s*([MmGg])?/.exec(s);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] && /g/i.test(m[2]) ? -Math.abs(n) : n;
};
/** "2023:05:01 10:00:00", "2023-05-01T10:00:00+02:00", "UTC 2023-05-01 10:00:00" → ISO 8601 text. */
export const dateTime: Converter = (v) => {
  const s = String(v).trim().replace(/^UTC\s+/, '');
  const m = /^(\d{4})[-:](\d{2})[-:](\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?/.exec(s);
  if (!m || m[1] === '0000') return undefined;
  const date = `${m[1]}-${m[2]}-${m[3]}`;
  if (!m[4]) return date;
  const zone = m[8] ? (m[8] === 'Z' ? 'Z' : m[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : /^UTC/.test(String(v).trim()) ? 'Z' : '';
  return `${date}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${zone}`;
};

const GAMMAS: [RegExp, string][] = [
  [/log\s*-?c\s*4|logc4/i, 'LogC4'],
  [/log\s*-?c/i, 'LogC3'],
  [/s-?log\s*3/i, 'S-Log3'],
  [/s-?log\s*2/i, 'S-Log2'],
  [/log3g10/i, 'Log3G10'],
  [/log3g12/i, 'Log3G12'],
  [/redlogfilm/i, 'REDlogFilm'],
  [/c(?:anon)?[\s-]?log\s*3/i, 'Canon Log 3'],
  [/c(?:anon)?[\s-]?log\s*2/i, 'Canon Log 2'],
  [/(?:blackmagic|bmd)[\s-]?(?:design\s*)?film\s*gen\s*5/i, 'Blackmagic Film Gen 5'],
  [/(?:blackmagic|bmd)[\s-]?(?:design\s*)?film/i, 'Blackmagic Film'],
  [/v-?log/i, 'V-Log'],
  [/hlg|arib[\s-]?std[\s-]?b67/i, 'HLG'],
  [/smpte\s*st\s*2084|smpte2084|\bpq\b/i, 'PQ'],
  [/rec\.?\s*709|bt\.?\s*709|itu-?r?\s*709|^709$/i, 'Rec.709'],
  [/^(scene[\s-]?)?linear$/i, 'Linear'],
];
const GAMUTS: [RegExp, string][] = [
  [/awg\s*4|arri\s*wide\s*gamut\s*4/i, 'ARRI Wide Gamut 4'],
  [/awg\s*3?|arri\s*wide\s*gamut|^wide\s*gamut$/i, 'ARRI Wide Gamut 3'],
  [/s-?gamut\s*3[.\s-]*cine/i, 'S-Gamut3.Cine'],
  [/s-?gamut\s*3/i, 'S-Gamut3'],
  [/red\s*wide\s*gamut/i, 'REDWideGamutRGB'],
  [/cinema\s*gamut/i, 'Cinema Gamut'],
  [/v-?gamut/i, 'V-Gamut'],
  [/(?:blackmagic|bmd).*wide\s*gamut/i, 'Blackmagic Wide Gamut'],
  [/rec\.?\s*2020|bt\.?\s*2020/i, 'Rec.2020'],
  [/rec\.?\s*709|bt\.?\s*709|itu-?r?\s*709/i, 'Rec.709'],
  [/aces\s*ap0|ap0/i, 'ACES AP0'],
];

function canonical(table: [RegExp, string][], v: Raw): string | undefined {
  const s = String(v).trim();
  if (!s) return undefined;
  return table.find(([re]) => re.test(s))?.[1] ?? s;
}
/** A transfer function's canonical name (LOG-C → LogC3, s-log3-cine → S-Log3); unknown names pass through. */
export const gamma: Converter = (v) => canonical(GAMMAS, v);
export const gamut: Converter = (v) => canonical(GAMUTS, v);
/** Sony names gamma and gamut in one ("s-log3-cine"): the gamut part only. */
export const sonyGamut: Converter = (v) => {
  const s = String(v).toLowerCase();
  if (s.includes('cine')) return 'S-Gamut3.Cine';
  if (s.includes('s-log3') || s.includes('slog3')) return 'S-Gamut3';
  return undefined;
};

/** A usable rate or ratio: both parts positive integers. */
export function isRational(v: unknown): v is Rational {
  if (typeof v !== 'object' || v === null) return false;
  const { num, denom } = v as Record<string, unknown>;
  return Number.isSafeInteger(num) && Number.isSafeInteger(denom) && (num as number) > 0 && (denom as number) > 0;
}
