/**
 * Checks a config against its JSON Schema in the page, before it is sent: each problem with
 * the path of the field it is about, so the form marks that field. It knows the keywords
 * schemas/config.schema.json uses; the daemon checks again with a full validator (ajv —
 * which compiles code at run time, something the page's Content-Security-Policy forbids).
 */
import type { JsonSchema } from '../api/types.ts';

export interface Problem {
  path: string;
  message: string;
}

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

export function validate(schema: JsonSchema, value: unknown, path = ''): Problem[] {
  const out: Problem[] = [];
  const say = (message: string) => out.push({ path, message });
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((s) => validate(s, value, path).length === 0).length;
    if (passing !== 1) say('is not one of the allowed forms');
    return out;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    say(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    return out;
  }
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length && !types.some((t) => typeOk(t, value))) {
    say(`must be ${types.join(' or ')}`);
    return out;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) say(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) say(`must be at most ${schema.maximum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) say(`must be more than ${schema.exclusiveMinimum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) say(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) say(`must be at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) say(`must match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) say(`needs at least ${schema.minItems} ${schema.minItems === 1 ? 'entry' : 'entries'}`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) say(`takes at most ${schema.maxItems} entries`);
    if (schema.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) say('lists an entry twice');
    if (schema.items) value.forEach((v, i) => out.push(...validate(schema.items!, v, join(path, i))));
  }
  if (typeOk('object', value)) {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (obj[key] === undefined) out.push({ path: join(path, key), message: 'is required' });
    for (const [key, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      const property = schema.properties?.[key];
      if (property) out.push(...validate(property, v, join(path, key)));
      else if (schema.additionalProperties === false) out.push({ path: join(path, key), message: 'is not a known setting' });
      else if (typeof schema.additionalProperties === 'object') out.push(...validate(schema.additionalProperties, v, join(path, key)));
    }
  }
  return out;
}
