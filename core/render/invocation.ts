/**
 * The unit of work every render function takes (schemas/invocation.schema.json): what to
 * read, where to commit, and the parameters. Validated before anything runs; an invocation
 * that passes carries everything the function needs, so it runs the same on the host, in a
 * container or in a cloud batch job.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RushesError } from '../errors.ts';
import type { Rational } from '../inspect/types.ts';
import { compileSchema, describeErrors } from '../util/schema.ts';
import type { Cdl } from './colour.ts';

export type FnName = 'proxy' | 'plate' | 'thumbnail' | 'contact';
export type ProxyCodec = 'h264' | 'prores_proxy' | 'prores_lt' | 'dnxhr_lb';

export interface ClipFacts {
  clipName?: string;
  roll?: string;
  timecodeStart?: string;
  frameRate?: Rational;
  durationFrames?: number;
  width?: number;
  height?: number;
  anamorphicSqueeze?: number;
  videoStartSeconds?: number;
  firstFrameNumber?: number;
  sequencePattern?: string;
}

export interface Invocation {
  fn: FnName;
  id: string;
  input: { uri: string; clip?: ClipFacts };
  output: { uri: string };
  params: {
    codec?: ProxyCodec;
    height?: number;
    burnIn?: boolean;
    audio?: boolean;
    frames?: [number, number];
    handles?: number;
    format?: 'exr' | 'dpx';
    width?: number;
    count?: number;
    fdl?: { document: object; framingDecision?: string; canvasTemplate?: string };
    cdl?: Cdl;
    lut?: { name: string; cube: string };
  };
}

const validate = compileSchema<Invocation>('invocation.schema.json');

/** Checks an invocation against the schema; the error names each bad field. */
export function parseInvocation(value: unknown, source = 'the invocation'): Invocation {
  if (!validate(value)) throw new RushesError('USAGE', `${source} is not a valid invocation: ${describeErrors(validate.errors)}`);
  return value;
}

export const inputPath = (inv: Invocation) => fileURLToPath(inv.input.uri);
export const outputDir = (inv: Invocation) => fileURLToPath(inv.output.uri);
export const fileUri = (path: string) => pathToFileURL(path).href;
export const dirUri = (path: string) => pathToFileURL(path.endsWith('/') ? path : path + '/').href;
