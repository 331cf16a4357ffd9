/**
 * AWS Batch through @aws-sdk/client-batch: the job queue checked, the job definition for the
 * worker image registered once and reused (a revision per change of its settings), jobs
 * submitted (one, or an array of many), followed and terminated.
 */
import {
  BatchClient,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  type JobDetail,
  type RegisterJobDefinitionCommandInput,
} from '@aws-sdk/client-batch';
import { createHash } from 'node:crypto';
import { RushesError } from '../errors.ts';
import { DEFAULT_WORKER_IMAGE, IMAGE_USER } from './lockdown.ts';
import { StatusWatch } from './status-watch.ts';

export interface BatchSettings {
  /** The job queue jobs are submitted to (docs/cluster.md says how to make it). */
  jobQueue?: string;
  /** The job definition's name (default rushes-worker): registered when missing, a new revision when its settings change. */
  jobDefinition?: string;
  /** The worker image as the compute environment pulls it (an ECR URI, by digest). */
  image?: string;
  region?: string;
  /** The Batch API's address, for a stand-in (moto); AWS by the region otherwise. */
  endpoint?: string;
  vcpus?: number;
  memoryMiB?: number;
  /** The role the job's container runs as: its credentials to the bucket. */
  jobRoleArn?: string;
  /** The role that pulls the image and writes the logs (Fargate; EC2 uses the instance role). */
  executionRoleArn?: string;
  /** Environment for every job (the store's address when it is not AWS S3). */
  env?: Record<string, string>;
  /** A folder on the compute environment's hosts, writable by user 10001, where jobs stage their input (default /tmp). */
  scratchHostPath?: string;
}

/** Where a job stages its input inside its container (RUSHES_FN_SCRATCH). */
const SCRATCH = '/scratch';

export function batchClient(s: BatchSettings): BatchClient {
  return new BatchClient({ region: s.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1', ...(s.endpoint ? { endpoint: s.endpoint } : {}) });
}

/** A failed call to Batch, named: the queue, the definition, the job. */
function batchError(e: unknown, what: string): RushesError {
  const err = e as { name?: string; message?: string };
  return new RushesError('RUNTIME_UNAVAILABLE', `AWS Batch refused ${what}: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message ?? String(e)}`, { cause: e });
}

export async function assertQueue(client: BatchClient, name: string | undefined): Promise<void> {
  if (!name) throw new RushesError('RUNTIME_UNAVAILABLE', 'the aws-batch runtime needs a job queue (the config\'s render.awsBatch.jobQueue)');
  const r = await client.send(new DescribeJobQueuesCommand({ jobQueues: [name] })).catch((e: unknown) => Promise.reject(batchError(e, `to describe the job queue ${name}`)));
  const q = r.jobQueues?.find((x) => x.jobQueueName === name || x.jobQueueArn === name);
  if (!q) throw new RushesError('RUNTIME_UNAVAILABLE', `the AWS Batch job queue ${name} does not exist in ${await client.config.region()} (docs/cluster.md lists what to create)`);
  if (q.state !== 'ENABLED') throw new RushesError('RUNTIME_UNAVAILABLE', `the AWS Batch job queue ${name} is ${q.state}; enable it`);
}

/** The job definition Rushes registers: the worker image, locked down, with its resources. */
export function jobDefinitionInput(s: BatchSettings): RegisterJobDefinitionCommandInput {
  const env = { ...s.env, RUSHES_FN_SCRATCH: SCRATCH };
  const properties = {
    image: s.image ?? DEFAULT_WORKER_IMAGE,
    // The image's ENTRYPOINT is rushes-fn; it reads its invocation from RUSHES_FN_INVOCATION.
    command: [],
    user: String(IMAGE_USER),
    readonlyRootFilesystem: true,
    privileged: false,
    resourceRequirements: [
      { type: 'VCPU' as const, value: String(s.vcpus ?? 2) },
      { type: 'MEMORY' as const, value: String(s.memoryMiB ?? 4096) },
    ],
    environment: Object.entries(env).map(([name, value]) => ({ name, value })),
    volumes: [{ name: 'scratch', host: { sourcePath: s.scratchHostPath ?? '/tmp' } }],
    // readOnly given, not left to its default: moto reads it without one.
    mountPoints: [{ sourceVolume: 'scratch', containerPath: SCRATCH, readOnly: false }],
    ...(s.jobRoleArn ? { jobRoleArn: s.jobRoleArn } : {}),
    ...(s.executionRoleArn ? { executionRoleArn: s.executionRoleArn } : {}),
  };
  const spec = createHash('sha256').update(JSON.stringify(properties)).digest('hex').slice(0, 16);
  return {
    jobDefinitionName: s.jobDefinition ?? 'rushes-worker',
    type: 'container',
    // Marks the settings it was registered with, so an unchanged one is reused.
    parameters: { rushesSpec: spec },
    // The Rushes queue retries a failed job, with its own attempts and backoff.
    retryStrategy: { attempts: 1 },
    containerProperties: properties,
  };
}

/** The ARN of an active revision with these settings, registered when there is none. */
export async function ensureJobDefinition(client: BatchClient, s: BatchSettings): Promise<string> {
  const input = jobDefinitionInput(s);
  const name = input.jobDefinitionName!;
  const found = await client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: 'ACTIVE' })).catch((e: unknown) => Promise.reject(batchError(e, `to describe the job definition ${name}`)));
  const same = (found.jobDefinitions ?? []).filter((d) => d.parameters?.rushesSpec === input.parameters!.rushesSpec).sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
  if (same?.jobDefinitionArn) return same.jobDefinitionArn;
  const made = await client.send(new RegisterJobDefinitionCommand(input)).catch((e: unknown) => Promise.reject(batchError(e, `to register the job definition ${name}`)));
  return made.jobDefinitionArn!;
}

/** Job names: letters, digits, hyphens and underscores, at most 128. */
export const jobName = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);

export async function submitJob(
  client: BatchClient,
  o: { name: string; queue: string; definition: string; env: Record<string, string>; timeoutMs: number; arraySize?: number },
): Promise<string> {
  const r = await client
    .send(
      new SubmitJobCommand({
        jobName: jobName(o.name),
        jobQueue: o.queue,
        jobDefinition: o.definition,
        containerOverrides: { environment: Object.entries(o.env).map(([name, value]) => ({ name, value })) },
        // Batch's own deadline, a little past ours: a job this side lost track of still ends.
        timeout: { attemptDurationSeconds: Math.max(60, Math.ceil(o.timeoutMs / 1000) + 60) },
        ...(o.arraySize ? { arrayProperties: { size: o.arraySize } } : {}),
      }),
    )
    .catch((e: unknown) => Promise.reject(batchError(e, `to submit ${o.name} to ${o.queue}`)));
  return r.jobId!;
}

export async function terminateJob(client: BatchClient, id: string, reason: string): Promise<void> {
  await client.send(new TerminateJobCommand({ jobId: id, reason: reason.slice(0, 1000) || 'terminated' }));
}

/** Follows jobs: their details, a hundred per request, for all of them per tick. */
export function jobWatch(client: BatchClient, pollMs: number): StatusWatch<JobDetail> {
  return new StatusWatch<JobDetail>(
    async (ids) => {
      const all: [string, JobDetail][] = [];
      for (let i = 0; i < ids.length; i += 100) for (const j of (await client.send(new DescribeJobsCommand({ jobs: ids.slice(i, i + 100) }))).jobs ?? []) all.push([j.jobId!, j]);
      return all;
    },
    (j) => j.status ?? '',
    pollMs,
  );
}
