/**
 * The folder Rushes runs from: the one holding `schemas/`. From the TypeScript sources
 * (core/util/) that is the checkout; from a bundle (dist/, or /opt/rushes in the worker
 * image) it is found by walking up, so paths hold however the code was built.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function find(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'schemas', 'invocation.schema.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Rushes cannot find its schemas/ folder above ${start}`);
  }
}

export const PACKAGE_ROOT = find();

/** True when this code runs from the TypeScript sources (tests, benches), false from a dist/ bundle. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');
