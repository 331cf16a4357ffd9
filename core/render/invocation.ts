/**
 * The invocation every render function takes (schemas/invocation.schema.json, the protocol
 * in core/runtime/protocol.ts): what to read, where to commit, and the parameters. Validated
 * before anything runs; an invocation that passes carries everything the function needs, so
 * it runs the same in a worker thread, a process, a container or a cloud batch job.
 */
import { RushesError } from '../errors.ts';
import type { Rational } from '../inspect/types.ts';
import { parseInvocation as parseAny, type Invocation as AnyInvocation } from '../runtime/protocol.ts';
import { localPath } from '../runtime/storage.ts';
import type { Cdl } from './colour.ts';

export { dirUri, fileUri } from '../runtime/storage.ts';

export const RENDER_FUNCTIONS = ['proxy', 'plate', 'thumbnail', 'contact'] as const;
export type FnName = (typeof RENDER_FUNCTIONS)[number];
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

export interface Invocation extends AnyInvocation {
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

/** Checks a render invocation against the schema; the error names each bad field. */
export function parseInvocation(value: unknown, source = 'the invocation'): Invocation {
  return asRenderInvocation(parseAny(value, source));
}

/** A schema-valid invocation as a render function's. */
export function asRenderInvocation(inv: AnyInvocation): Invocation {
  if (!(RENDER_FUNCTIONS as readonly string[]).includes(inv.fn)) throw new RushesError('USAGE', `${inv.fn} is not a render function (${RENDER_FUNCTIONS.join(', ')})`);
  return inv as Invocation;
}

export const inputPath = (inv: Invocation) => localPath(inv.input.uri);
export const outputDir = (inv: Invocation) => localPath(inv.output.uri);
