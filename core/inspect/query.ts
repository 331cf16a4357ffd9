/**
 * The clip search language: `roll:A001 iso:800 "scene 12" ultra`. Words and quoted
 * phrases search every indexed column; `field:value` narrows to one; number fields compare
 * (`iso:>=800`, `fps:23.976`). Pure: a query becomes an FTS5 expression and SQL filters.
 */
import { RushesError } from '../errors.ts';

/** Search fields backed by full-text columns (clips_fts). */
const TEXT_FIELDS: Record<string, { column: string; prefix?: string }> = {
  clip: { column: 'clip' },
  roll: { column: 'roll' },
  reel: { column: 'roll' },
  scene: { column: 'slate', prefix: 'scene' },
  take: { column: 'slate', prefix: 'take' },
  camera: { column: 'camera' },
  lens: { column: 'lens' },
  look: { column: 'look' },
  codec: { column: 'other' },
};
/** Number fields, compared on the stored record. */
const NUMBER_FIELDS: Record<string, string> = {
  iso: `json_extract(record, '$.camera.isoSpeed')`,
  wb: `json_extract(record, '$.camera.whiteBalance')`,
  shutter: `json_extract(record, '$.camera.shutterAngle')`,
  focal: `json_extract(record, '$.lens.focalLength')`,
  fps: `coalesce(1.0 * json_extract(record, '$.camera.captureFrameRate.num') / json_extract(record, '$.camera.captureFrameRate.denom'), 1.0 * json_extract(record, '$.projectFrameRate.num') / json_extract(record, '$.projectFrameRate.denom'))`,
  width: `json_extract(record, '$.video.width')`,
};
const STATUS = new Set(['ok', 'partial', 'failed']);

export interface ClipQuery {
  /** FTS5 MATCH expression, when the query has text terms. */
  match?: string;
  /** SQL conditions on `clips` (ANDed) and their parameters. */
  where: string[];
  params: (string | number)[];
}

/** Splits into terms: `key:value`, `key:"quoted value"`, `"phrase"`, `word`. */
function terms(q: string): { key?: string; value: string; quoted: boolean }[] {
  const out: { key?: string; value: string; quoted: boolean }[] = [];
  const re = /(?:([A-Za-z]+):)?(?:"([^"]*)"|(\S+))/g;
  // Control characters (a NUL from a URL) are never part of a search.
  q = q.replace(/[\u0000-\u001f\u007f]/g, ' ');
  for (let m = re.exec(q); m; m = re.exec(q)) {
    const quoted = m[2] !== undefined;
    const value = (m[2] ?? m[3] ?? '').trim();
    if (value) out.push({ key: m[1]?.toLowerCase(), value, quoted });
  }
  return out;
}

const phrase = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function parseClipQuery(q: string): ClipQuery {
  const match: string[] = [];
  const query: ClipQuery = { where: [], params: [] };
  for (const t of terms(q)) {
    // A term with no letter or digit ("-", "&") indexes as nothing and would match nothing.
    const searchable = /[\p{L}\p{N}]/u.test(t.value);
    if (t.key === undefined) {
      if (!searchable) continue;
      match.push(t.quoted ? phrase(t.value) : `${phrase(t.value)}*`);
    } else if (Object.hasOwn(TEXT_FIELDS, t.key)) {
      if (!searchable) continue;
      const f = TEXT_FIELDS[t.key]!;
      const text = f.prefix ? `${f.prefix} ${t.value}` : t.value;
      match.push(`${f.column} : ${phrase(text)}${t.quoted || f.prefix ? '' : '*'}`);
    } else if (Object.hasOwn(NUMBER_FIELDS, t.key)) {
      const m = /^(>=|<=|>|<|=)?(\d+(?:\.\d+)?)$/.exec(t.value);
      if (!m) throw new RushesError('USAGE', `${t.key}: wants a number, optionally after >, >=, < or <= (got "${t.value}")`);
      const op = m[1] ?? '=';
      if (op === '=') {
        // Equal within display precision: fps:23.976 finds 24000/1001.
        query.where.push(`abs(${NUMBER_FIELDS[t.key]} - ?) < 0.01`);
      } else query.where.push(`${NUMBER_FIELDS[t.key]} ${op} ?`);
      query.params.push(Number(m[2]));
    } else if (t.key === 'status') {
      if (!STATUS.has(t.value)) throw new RushesError('USAGE', `status: is one of ok, partial, failed (got "${t.value}")`);
      query.where.push('status = ?');
      query.params.push(t.value);
    } else {
      const known = [...Object.keys(TEXT_FIELDS), ...Object.keys(NUMBER_FIELDS), 'status'].join(', ');
      throw new RushesError('USAGE', `unknown search field "${t.key}:" (fields: ${known})`);
    }
  }
  if (match.length) query.match = match.join(' AND ');
  return query;
}
