/**
 * The fields a layout template names (`{project}/{date}/{roll}`), shared by where a card goes
 * on a destination disk (core/watch/layout.ts) and where its files go in a bucket
 * (core/sync/layout.ts): one list of fields, one way to turn a card into their values, one
 * rule for a safe path segment.
 */
import { RushesError } from '../errors.ts';

export const LAYOUT_FIELDS = ['project', 'date', 'camera', 'unit', 'roll', 'label'] as const;
export type LayoutField = (typeof LAYOUT_FIELDS)[number];

const CAMERA_NAMES: Record<string, string> = {
  arri: 'ARRI',
  red: 'RED',
  sony: 'Sony',
  canon: 'Canon',
  blackmagic: 'Blackmagic',
  'dpx-sequence': 'DPX',
  'exr-sequence': 'EXR',
  generic: 'Other',
};

/** What a card is, as far as a layout cares (a structural slice of the card's identity). */
export interface LayoutCard {
  camera: string;
  roll: string;
  volumeLabel?: string;
}

export interface LayoutValues {
  project: string;
  /** The day the card was detected, local time. */
  date: Date;
  identity: LayoutCard;
}

function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Each field's text for one card. */
export function layoutFieldValues(v: LayoutValues): Record<LayoutField, string> {
  return {
    project: v.project,
    date: localDate(v.date),
    camera: CAMERA_NAMES[v.identity.camera] ?? v.identity.camera,
    // The camera unit: A camera, B camera… from the roll name's first letter.
    unit: /^[A-Za-z]/.test(v.identity.roll) ? v.identity.roll[0].toUpperCase() : '_',
    roll: v.identity.roll,
    label: v.identity.volumeLabel ?? v.identity.roll,
  };
}

/** A value as one safe path segment: no separators or control characters, never empty, "." or "..". */
export function safeSegment(value: string): string {
  const clean = value.replace(/[/\\\x00-\x1f]/g, '_').trim();
  return clean === '' || clean === '.' || clean === '..' ? '_' : clean;
}

/** Checks a template once, at config load: known fields only, no absolute or parent paths, no empty segments. */
export function checkTemplate(what: string, template: string, fields: readonly string[]): void {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((f) => !fields.includes(f));
  if (unknown.length) throw new RushesError('USAGE', `${what} "${template}" uses unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `{${f}}`).join(', ')}; known: ${fields.map((f) => `{${f}}`).join(', ')}`);
  const parts = template.split('/');
  if (template.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new RushesError('USAGE', `${what} "${template}" must be a relative path of named folders (no leading "/", no empty, "." or ".." parts)`);
  }
}

/** Replaces every `{field}` in one template segment. */
export function fillSegment(segment: string, values: Readonly<Record<string, string>>): string {
  return segment.replace(/\{([a-z]+)\}/g, (_, f: string) => values[f] ?? '');
}
