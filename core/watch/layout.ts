/**
 * Where a card goes at each destination: a template such as `{project}/{date}/{camera}/{roll}`
 * under each destination root. The last folder of the rendered path is the roll folder the
 * offload creates (with its ascmhl history); the rest is its parent.
 */
import { join } from 'node:path';
import { RushesError } from '../errors.ts';
import type { CardIdentity } from './types.ts';

export const LAYOUT_FIELDS = ['project', 'date', 'camera', 'unit', 'roll', 'label'] as const;
export type LayoutField = (typeof LAYOUT_FIELDS)[number];

export const DEFAULT_LAYOUT = '{roll}';

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

/** Checks a template once, at config load: known fields only, no absolute or parent paths, ends in a folder. */
export function checkLayout(template: string): void {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).filter((f) => !(LAYOUT_FIELDS as readonly string[]).includes(f));
  if (unknown.length) throw new RushesError('USAGE', `layout "${template}" uses unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `{${f}}`).join(', ')}; known: ${LAYOUT_FIELDS.map((f) => `{${f}}`).join(', ')}`);
  const parts = template.split('/');
  if (template.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new RushesError('USAGE', `layout "${template}" must be a relative path of named folders (no leading "/", no empty, "." or ".." parts)`);
  }
}

/** A field's value as one safe folder name. */
function folderName(value: string): string {
  const clean = value.replace(/[/\\\x00-\x1f]/g, '_').trim();
  return clean === '' || clean === '.' || clean === '..' ? '_' : clean;
}

export interface LayoutValues {
  project: string;
  /** The day the card was detected, local time. */
  date: Date;
  identity: CardIdentity;
}

function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The card's folder under `root`. */
export function renderLayout(root: string, template: string, v: LayoutValues): string {
  const values: Record<LayoutField, string> = {
    project: v.project,
    date: localDate(v.date),
    camera: CAMERA_NAMES[v.identity.camera] ?? v.identity.camera,
    // The camera unit: A camera, B camera… from the roll name's first letter.
    unit: /^[A-Za-z]/.test(v.identity.roll) ? v.identity.roll[0].toUpperCase() : '_',
    roll: v.identity.roll,
    label: v.identity.volumeLabel ?? v.identity.roll,
  };
  const rendered = template.split('/').map((part) => folderName(part.replace(/\{([a-z]+)\}/g, (_, f: LayoutField) => values[f])));
  return join(root, ...rendered);
}

/** The card's roll folder at every destination, in the destinations' order. */
export function cardTargets(s: { destinations: readonly string[]; layout: string; project: string }, identity: CardIdentity, detectedAt: Date): string[] {
  return s.destinations.map((root) => renderLayout(root, s.layout, { project: s.project, date: detectedAt, identity }));
}
