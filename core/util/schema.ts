/**
 * JSON Schemas from schemas/, compiled with ajv (draft 2020-12) the first time each is used
 * (a command that validates nothing starts without compiling any), and ajv's errors turned
 * into one sentence that names each bad key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// A static import, though ajv costs ~15–35 ms to load: the function image's bundle (dist/rushes-fn.cjs) carries only what is imported statically.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { PACKAGE_ROOT } from './package-root.ts';

let ajv: Ajv2020 | undefined;

function compile<T>(name: string): ValidateFunction<T> {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true });
    // `unit` states the unit of a number in our schemas (clip.schema.json); it validates nothing.
    ajv.addKeyword({ keyword: 'unit', schemaType: 'string' });
  }
  const schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schemas', name), 'utf8')) as { $id?: string };
  return (schema.$id && (ajv.getSchema(schema.$id) as ValidateFunction<T> | undefined)) || ajv.compile<T>(schema);
}

/** A validator of one schema: call it with a value; `errors` says what was wrong with the last one. */
export interface SchemaCheck<T> {
  (value: unknown): value is T;
  errors: ErrorObject[] | null | undefined;
}

export function compileSchema<T>(name: string): SchemaCheck<T> {
  let validate: ValidateFunction<T> | undefined;
  const check = ((value: unknown) => {
    validate ??= compile<T>(name);
    const ok = validate(value);
    check.errors = validate.errors;
    return ok;
  }) as SchemaCheck<T>;
  check.errors = null;
  return check;
}

/** "/limits/kinds/offload must be integer; unknown key "foo" at the top level". */
export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const where = e.instancePath || 'the top level';
      if (e.keyword === 'additionalProperties') return `unknown key "${(e.params as { additionalProperty: string }).additionalProperty}" at ${where}`;
      if (e.keyword === 'enum') return `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
      return `${where} ${e.message}`;
    })
    .join('; ');
}
