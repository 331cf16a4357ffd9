/** Probe bundles for the pure normalisation tests, and the schema check every record there passes. */
import { expect } from 'vitest';
import type { ClipUnit } from '../../core/inspect/clips.ts';
import type { ProbeBundle } from '../../core/inspect/normalise.ts';
import type { ClipRecord } from '../../core/inspect/types.ts';
import { compileSchema, describeErrors } from '../../core/util/schema.ts';

const validate = compileSchema<ClipRecord>('clip.schema.json');

/** The record, after checking it against schemas/clip.schema.json. */
export function valid(rec: ClipRecord): ClipRecord {
  expect(validate(rec), describeErrors(validate.errors)).toBe(true);
  return rec;
}

/** A one-file clip at `path` (relative to the roll folder) with its sidecars. */
export const fileUnit = (path: string, sidecars: string[] = []): ClipUnit => ({ kind: 'file', name: path.replace(/^.*\//, '').replace(/\.[^.]*$/, ''), relativePath: path, files: [path], size: 1000, sidecars });

/** A bundle as inspect.ts hands it over: an A001C001.mov in /raid/A001 offloaded as roll A001, ffprobe answered. */
export const bundle = (b: Partial<ProbeBundle>): ProbeBundle => ({ unit: fileUnit('A001C001.mov'), root: '/raid/A001', roll: 'A001', tools: ['ffprobe'], issues: [], ...b });
