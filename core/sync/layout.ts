/**
 * Where a file goes in the bucket: a template like the ingest layout's,
 * `{project}/{date}/{roll}/{path}`, with the card's fields and the file's path inside its
 * roll folder. A pure function; every segment is made safe the way folder names are, and
 * the key must fit S3's 1024 bytes.
 */
import { RushesError } from '../errors.ts';
import { checkTemplate, fillSegment, LAYOUT_FIELDS, layoutFieldValues, safeSegment, type LayoutValues } from '../util/layout.ts';

export const KEY_FIELDS = [...LAYOUT_FIELDS, 'path'] as const;
export const DEFAULT_KEY_LAYOUT = '{project}/{date}/{roll}/{path}';

const MAX_KEY_BYTES = 1024;

/** Checks a key template once, where it is configured: known fields, relative, and `{path}` last so every file gets its own key. */
export function checkKeyLayout(template: string): void {
  checkTemplate('bucket layout', template, KEY_FIELDS);
  const segments = template.split('/');
  if (segments.at(-1) !== '{path}' || segments.slice(0, -1).some((s) => s.includes('{path}'))) {
    throw new RushesError('USAGE', `bucket layout "${template}" must end in "/{path}" (the file's path in its roll folder), e.g. ${DEFAULT_KEY_LAYOUT}`);
  }
}

export interface KeyValues extends LayoutValues {
  /** The file's path relative to its roll folder, "/"-separated (Clips/A001C003.mov). */
  path: string;
}

/** The object key for one file. */
export function renderKey(template: string, v: KeyValues): string {
  const values = layoutFieldValues(v);
  const prefix = template
    .split('/')
    .slice(0, -1)
    .map((segment) => safeSegment(fillSegment(segment, values)));
  const rel = v.path.split('/').filter((s) => s !== '' && s !== '.').map(safeSegment);
  if (rel.length === 0) throw new RushesError('USAGE', `no file path to put in the bucket layout (got "${v.path}")`);
  const key = [...prefix, ...rel].join('/');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new RushesError('USAGE', `object key for ${v.path} is ${Buffer.byteLength(key)} bytes; S3 allows ${MAX_KEY_BYTES}`, { path: v.path });
  return key;
}
