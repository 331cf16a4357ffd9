/**
 * Where `rushes-fn` finds its invocation:
 * - a file named on its command line (the docker runtime mounts one);
 * - else RUSHES_FN_INVOCATION: the JSON itself (a swarm task, a Batch job: no file to mount),
 *   or the s3:// URI of an object holding it (one too large for an environment), or holding
 *   an array of them (an AWS Batch array job: each child runs the one at its index);
 * - else stdin (`rushes-fn < invocation.json`, the process runtime).
 */
import { readFileSync } from 'node:fs';
import { errno, RushesError } from '../core/errors.ts';
import { isUri, storageFor } from '../core/runtime/storage.ts';

export interface InvocationSource {
  value: unknown;
  /** For messages: the file, the environment variable or stdin. */
  name: string;
}

const VAR = 'RUSHES_FN_INVOCATION';

function parse(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RushesError('USAGE', `${name} is not JSON: ${(e as Error).message}`);
  }
}

/**
 * The child's index in an array job: AWS_BATCH_JOB_ARRAY_INDEX where the engine sets it (AWS),
 * else the `:N` ending of its job id (moto, which sets only that).
 */
export function arrayIndex(env: NodeJS.ProcessEnv): number | undefined {
  const given = env.AWS_BATCH_JOB_ARRAY_INDEX ?? /:(\d+)$/.exec(env.AWS_BATCH_JOB_ID ?? '')?.[1];
  return given === undefined ? undefined : Number(given);
}

async function fromEnv(text: string, env: NodeJS.ProcessEnv): Promise<InvocationSource> {
  if (!isUri(text)) return { value: parse(text, VAR), name: VAR };
  const stored = await storageFor(text).shared?.readObject(text);
  if (stored === undefined) throw new RushesError('USAGE', `${VAR} names ${text}, which does not exist`);
  const value = parse(stored, text);
  if (!Array.isArray(value)) return { value, name: text };
  const i = arrayIndex(env);
  if (i === undefined || value[i] === undefined) throw new RushesError('USAGE', `${text} holds ${value.length} invocations, and this task has no array index among them (AWS_BATCH_JOB_ARRAY_INDEX)`);
  return { value: value[i], name: `${text}[${i}]` };
}

export async function readInvocation(argv: readonly string[], env: NodeJS.ProcessEnv, stdin: NodeJS.ReadableStream): Promise<InvocationSource> {
  const file = argv[0] && argv[0] !== '-' ? argv[0] : undefined;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new RushesError('USAGE', `the invocation ${file} cannot be read (${errno(e) ?? (e as Error).message})`, { path: file });
    }
    return { value: parse(text, file), name: file };
  }
  if (env[VAR]) return fromEnv(env[VAR]!, env);
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  return { value: parse(Buffer.concat(chunks).toString('utf8'), 'stdin'), name: 'stdin' };
}
