/**
 * The result record of an invocation whose outputs went to a store other machines reach
 * (s3://): the function's answer, written as `<output folder>_rushes/<invocation id>.json`
 * after every output was committed — last — so its presence means each output it lists is
 * complete, and a half-written output is never taken for a finished one. A task on another
 * machine (an AWS Batch job) answers through it; whoever ran the function writes it, the
 * same wherever it ran.
 */
import { storageFor } from './storage.ts';

export interface RecordedOutput {
  name: string;
  /** Where it is (s3://…; a plate's folder ends in /). */
  path: string;
  size?: number;
  files?: number;
  /** Of the file; of a plate's folder, of its frames' names and digests. */
  xxh64?: string;
}

export interface ResultRecord<R = unknown> {
  id: string;
  fn: string;
  /** The caller's name for the run that wrote it (RUSHES_FN_RUN), so a caller tells its own run from an earlier one. */
  run?: string;
  writtenAt: string;
  outputs: RecordedOutput[];
  /** The function's whole answer (outputs, warnings, frames, timings), without the protocol's `ok`. */
  result: R;
}

const folderOf = (uri: string) => (uri.endsWith('/') ? uri : `${uri}/`);

/** Where the work a task elsewhere needs and answers with lives, beside the outputs. */
export const controlUri = (outUri: string, name: string) => `${folderOf(outUri)}_rushes/${name}`;

export const resultUri = (outUri: string, id: string) => controlUri(outUri, `${id}.json`);

/** Writes the record when the outputs went to a shared store; a local folder needs none (the final names are the record). */
export async function writeResultRecord(outUri: string, inv: { id: string; fn: string }, result: unknown, run?: string): Promise<void> {
  const shared = storageFor(outUri).shared;
  if (!shared) return;
  const outputs = ((result as { outputs?: RecordedOutput[] }).outputs ?? []).map(({ name, path, size, files, xxh64 }) => ({ name, path, size, files, xxh64 }));
  const record: ResultRecord = { id: inv.id, fn: inv.fn, ...(run ? { run } : {}), writtenAt: new Date().toISOString(), outputs, result };
  await shared.writeObject(resultUri(outUri, inv.id), JSON.stringify(record, null, 1) + '\n');
}

/** The record of invocation `id` under `outUri`, or undefined when there is none (yet). */
export async function readResultRecord<R>(outUri: string, id: string): Promise<ResultRecord<R> | undefined> {
  const text = await storageFor(outUri).shared?.readObject(resultUri(outUri, id));
  return text === undefined ? undefined : (JSON.parse(text) as ResultRecord<R>);
}
