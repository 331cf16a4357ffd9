/**
 * Every JSON Schema Rushes ships compiles in ajv's strict mode. Schemas are compiled lazily
 * where they are used, so a mistake in one would otherwise first show as a 500 on a request.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSchema } from '../core/util/schema.ts';

const SCHEMAS = fileURLToPath(new URL('../schemas/', import.meta.url));

describe('schemas/', () => {
  for (const name of readdirSync(SCHEMAS).filter((n) => n.endsWith('.schema.json'))) {
    it(`${name} compiles in strict mode`, () => {
      expect(() => compileSchema(name)).not.toThrow();
    });
  }
});
