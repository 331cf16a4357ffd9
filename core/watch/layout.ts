/**
 * Where a card goes at each destination: a template such as `{project}/{date}/{camera}/{roll}`
 * under each destination root. The last folder of the rendered path is the roll folder the
 * offload creates (with its ascmhl history); the rest is its parent.
 */
import { join } from 'node:path';
import { checkTemplate, fillSegment, LAYOUT_FIELDS, layoutFieldValues, safeSegment, type LayoutValues } from '../util/layout.ts';
import type { CardIdentity } from './types.ts';

export { LAYOUT_FIELDS, type LayoutField, type LayoutValues } from '../util/layout.ts';

export const DEFAULT_LAYOUT = '{roll}';

/** Checks a template once, at config load: known fields only, no absolute or parent paths, ends in a folder. */
export function checkLayout(template: string): void {
  checkTemplate('layout', template, LAYOUT_FIELDS);
}

/** The card's folder under `root`. */
export function renderLayout(root: string, template: string, v: LayoutValues): string {
  const values = layoutFieldValues(v);
  return join(root, ...template.split('/').map((part) => safeSegment(fillSegment(part, values))));
}

/** The card's roll folder at every destination, in the destinations' order. */
export function cardTargets(s: { destinations: readonly string[]; layout: string; project: string }, identity: CardIdentity, detectedAt: Date): string[] {
  return s.destinations.map((root) => renderLayout(root, s.layout, { project: s.project, date: detectedAt, identity }));
}
