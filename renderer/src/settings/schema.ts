/**
 * How the Settings form draws each part of schemas/config.schema.json: the widget a schema
 * asks for, the label of a key, the order of the sections, and whether a change to a key is
 * applied at once or waits for a restart (the daemon says which keys are live).
 */
import type { JsonSchema } from '../api/types.ts';

export type Widget = 'section' | 'text' | 'path' | 'integer' | 'number' | 'boolean' | 'choice' | 'text-list' | 'path-list' | 'choice-set' | 'map' | 'object-list' | 'bool-or-list' | 'json';

/** Keys whose strings are folders or files on the daemon's machine: they get a Browse button. */
const PATH_KEYS = new Set(['watch', 'destinations', 'mountRoots', 'out', 'lut', 'cdl']);

export function widgetFor(key: string, s: JsonSchema): Widget {
  if (s.oneOf) return s.oneOf.some((o) => o.type === 'boolean') && s.oneOf.some((o) => o.type === 'array') ? 'bool-or-list' : 'json';
  if (s.enum) return 'choice';
  switch (s.type) {
    case 'object':
      if (s.properties) return 'section';
      return typeof s.additionalProperties === 'object' ? 'map' : 'json';
    case 'array':
      if (s.items?.enum) return 'choice-set';
      if (s.items?.type === 'string') return PATH_KEYS.has(key) ? 'path-list' : 'text-list';
      if (s.items?.type === 'object') return 'object-list';
      return 'json';
    case 'string':
      return PATH_KEYS.has(key) ? 'path' : 'text';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return 'json';
  }
}

const UNITS: Record<string, string> = { Ms: 'ms', MiB: 'MiB' };

/** Where the key's own name reads badly as a label. */
const LABELS: Record<string, string> = { watch: 'Watch folders', cpus: 'CPUs' };
/** One entry of a list, by the list's key. */
const ITEM_LABELS: Record<string, string> = { watch: 'Watch folder', destinations: 'Destination', mountRoots: 'Mount root', ignore: 'Pattern', ignoreVolumes: 'Volume name', events: 'Event', webhooks: 'Webhook' };

export const itemLabelOf = (key: string) => ITEM_LABELS[key] ?? labelOf(key);

/** "stableMs" → "Stable (ms)", "maxAttempts" → "Max attempts". */
export function labelOf(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const unit = Object.keys(UNITS).find((u) => key.endsWith(u) && key.length > u.length);
  const base = unit ? key.slice(0, -unit.length) : key;
  const words = base.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  return unit ? `${label} (${UNITS[unit]})` : label;
}

/** What a DIT changes most comes first. */
const FIRST = ['ingest', 'render', 'webhooks', 'inspect'];
const INGEST_FIRST = ['watch', 'destinations', 'layout', 'project', 'hashes', 'verify', 'autoStart'];

export function orderedKeys(path: string, s: JsonSchema): string[] {
  const keys = Object.keys(s.properties ?? {});
  const first = path === '' ? FIRST : path === 'ingest' ? INGEST_FIRST : [];
  const rank = (k: string) => (first.includes(k) ? first.indexOf(k) : first.length);
  return keys.map((k, i) => ({ k, i })).sort((a, b) => rank(a.k) - rank(b.k) || a.i - b.i).map(({ k }) => k);
}

/** Whether a change at `path` ("ingest.destinations", "render.runtime", "port") is applied at once. */
export function isLive(path: string, liveKeys: readonly string[]): boolean {
  return liveKeys.some((k) => path === k || path.startsWith(`${k}.`));
}

/** The value at a dotted path of a config, and a copy of the config with it changed (undefined removes the key). */
export function valueAt(value: unknown, path: string): unknown {
  if (path === '') return value;
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

export function withValue<T>(root: T, path: string, next: unknown): T {
  if (path === '') return next as T;
  const [head, ...rest] = path.split('.') as [string, ...string[]];
  const container: Record<string, unknown> | unknown[] = Array.isArray(root) ? [...root] : { ...((root ?? {}) as Record<string, unknown>) };
  const child = withValue((container as Record<string, unknown>)[head], rest.join('.'), next);
  if (child === undefined && !Array.isArray(container)) delete (container as Record<string, unknown>)[head];
  else (container as Record<string, unknown>)[head] = child;
  return container as T;
}
