/**
 * JSON Schemas from schemas/, compiled once with ajv (draft 2020-12), and ajv's errors
 * turned into one sentence that names each bad key.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

const SCHEMAS = fileURLToPath(new URL('../../schemas/', import.meta.url));
const ajv = new Ajv2020({ allErrors: true, strict: true });
// `unit` states the unit of a number in our schemas (clip.schema.json); it validates nothing.
ajv.addKeyword({ keyword: 'unit', schemaType: 'string' });

export function compileSchema<T>(name: string): ValidateFunction<T> {
  const schema = JSON.parse(readFileSync(SCHEMAS + name, 'utf8')) as { $id?: string };
  return (schema.$id && (ajv.getSchema(schema.$id) as ValidateFunction<T> | undefined)) || ajv.compile<T>(schema);
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
