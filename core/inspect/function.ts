/**
 * Inspection as a function the runtime runs: an `inspect` invocation names the roll folder
 * (its input) and the clip unit in it (its params), and answers with the clip's record.
 * Bad input never fails it (the record says what was wrong); a worker lost mid-clip does,
 * and `inspectWith` then gives the clip a record that says so, so the other clips go on.
 */
import { createHash } from 'node:crypto';
import type { Executor } from '../runtime/executor.ts';
import type { RushesFunction } from '../runtime/functions.ts';
import type { Invocation } from '../runtime/protocol.ts';
import { dirUri, localPath } from '../runtime/storage.ts';
import type { ClipUnit } from './clips.ts';
import { failedRecord, inspectClip, type InspectInput } from './inspect.ts';
import type { ClipRecord } from './types.ts';

export interface InspectInvocation extends Invocation {
  fn: 'inspect';
  params: { unit: ClipUnit; roll?: string; offloadId?: string; timeoutMs?: number };
}

export function inspectInvocation(input: InspectInput): InspectInvocation {
  const id = `inspect-${createHash('sha1').update(`${input.root}\0${input.unit.relativePath}`).digest('hex').slice(0, 20)}`;
  const { root, unit, ...params } = input;
  return { fn: 'inspect', id, input: { uri: dirUri(root) }, params: { unit, ...params } };
}

export const inspectFunction: RushesFunction<InspectInvocation, ClipRecord> = {
  name: 'inspect',
  // The record names the roll folder without the URI's trailing '/'.
  run: (inv, ctx) => inspectClip({ root: localPath(inv.input.uri).replace(/(.)\/$/, '$1'), ...inv.params }, ctx.signal),
};

/**
 * Inspects a clip where `executor` runs functions. With `recordLoss`, a run that fails (a
 * worker lost to a hostile file) still gives the clip a record naming why.
 */
export async function inspectWith(executor: Executor, input: InspectInput, o: { signal?: AbortSignal; recordLoss?: boolean } = {}): Promise<ClipRecord> {
  return executor.run<ClipRecord>(inspectInvocation(input), { signal: o.signal }).catch((e: unknown) => {
    if (o.signal?.aborted || o.recordLoss === false) throw e;
    return failedRecord(input, `inspection of ${input.unit.relativePath} stopped: ${(e as Error).message}`);
  });
}
