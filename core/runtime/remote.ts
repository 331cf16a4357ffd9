/**
 * Functions only read and write local paths. Where an invocation names a remote place (an
 * `s3://` input or output folder), this side of the executor brings the input here and
 * stages the outputs here, runs the function on those local paths in whichever backend, and
 * then puts the outputs where they were asked for, answering with their real places. The
 * backends that run a function on other machines (swarm, aws-batch) are not wrapped: their
 * tasks reach the store themselves.
 */
import { readdir } from 'node:fs/promises';
import { isTemporaryName } from '../fs/durable.ts';
import type { ExecuteOptions, Executor } from './executor.ts';
import { rewritePlaces, type Invocation } from './protocol.ts';
import { writeResultRecord } from './result-record.ts';
import { dirUri, fileUri, isLocalUri as isLocal, storageFor, type OutputStage } from './storage.ts';

export function withRemotePlaces(executor: Executor): Executor {
  return {
    backend: executor.backend,
    async run<R>(inv: Invocation, o: ExecuteOptions = {}): Promise<R> {
      if (isLocal(inv.input.uri) && (!inv.output || isLocal(inv.output.uri))) return executor.run<R>(inv, o);
      const input = isLocal(inv.input.uri) ? inv.input.uri : fileUri(await storageFor(inv.input.uri).localInput(inv.input.uri));
      const remoteOut = inv.output && !isLocal(inv.output.uri) ? inv.output.uri : undefined;
      let stage: OutputStage | undefined;
      try {
        if (remoteOut) stage = await storageFor(remoteOut).stageOutputs(remoteOut, inv.id);
        const local: Invocation = { ...inv, input: { ...inv.input, uri: input }, ...(stage ? { output: { uri: dirUri(stage.dir) } } : {}) };
        const result = await executor.run<R>(local, o);
        if (!stage) return result;
        // The function committed its outputs into the stage (a file each, or a folder of frames).
        const names = (await readdir(stage.dir)).filter((n) => !isTemporaryName(n));
        await stage.commit(names);
        const placed = rewritePlaces(result, [[stage.dir.replace(/\/$/, ''), remoteOut!.replace(/\/$/, '')]]) as R;
        // Last, as rushes-fn does when it writes to the store itself: the record that says every output is there.
        await writeResultRecord(remoteOut!, inv, placed);
        return placed;
      } catch (e) {
        await stage?.discard();
        throw e;
      }
    },
  };
}
