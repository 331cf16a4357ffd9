/**
 * xs:dateTime as manifests use it. We write UTC with an explicit "+00:00" offset and whole
 * seconds, the form the reference tool's examples show; we read every lexical form the
 * schema type allows (fractions, 'Z', any offset, no offset).
 */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

const REMEMBERED_SECONDS = 4096;

/**
 * A function of a whole second, remembered: a manifest repeats the same few seconds thousands
 * of times (every hash date, most mtimes, in turns). Bounded, since a card's mtimes may span months.
 */
function perSecond<T>(make: (second: number) => T): (second: number) => T {
  const known = new Map<number, T>();
  return (second) => {
    let value = known.get(second);
    if (value === undefined) {
      if (known.size >= REMEMBERED_SECONDS) known.clear();
      known.set(second, (value = make(second)));
    }
    return value;
  };
}

const formatSecond = perSecond((second) => {
  const d = new Date(second * 1000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`
  );
});

export function formatDateTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  if (Number.isNaN(second)) throw new RangeError('invalid date');
  return formatSecond(second);
}

const dateOfSecond = perSecond((second) => new Date(second * 1000));

/**
 * The whole second `ms` falls in, as a manifest records times, for a generation being
 * written: one Date per second, shared (two Dates made per file were ~30 ms of a 10,000-file
 * create). Not for a Date handed to a caller, which may change it (parseDateTime gives each its own).
 */
export function wholeSecond(ms: number): Date {
  return dateOfSecond(Math.floor(ms / 1000));
}

const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an xs:dateTime. A value without a zone is taken as UTC (the schema leaves it
 * undetermined; every known writer adds one). Returns undefined for anything else.
 */
export function parseDateTime(s: string): Date | undefined {
  // A manifest repeats the same few date texts thousands of times (every hash date, most mtimes).
  if (s === lastParsed.text) return lastParsed.time === undefined ? undefined : new Date(lastParsed.time);
  const d = parseDateTimeText(s);
  lastParsed.text = s;
  lastParsed.time = d?.getTime();
  return d;
}
const lastParsed: { text: string | undefined; time: number | undefined } = { text: undefined, time: undefined };

function parseDateTimeText(s: string): Date | undefined {
  const m = DATE_TIME.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 59) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0 || (frac && Number(frac) !== 0))) return undefined;
  const ms = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const date = new Date(0);
  date.setUTCFullYear(Number(y), month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  // setUTC* rolls invalid days over (Feb 30 -> Mar 2); refuse those.
  if (hour !== 24 && date.getUTCDate() !== day) return undefined;
  const t = date.getTime() - offsetMinutes * 60_000;
  return Number.isFinite(t) ? new Date(t) : undefined;
}
