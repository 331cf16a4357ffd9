/**
 * The aws-batch runtime against moto_server, whose Batch API runs each job's container in
 * this machine's Docker engine (on the host's network, MOTO_DOCKER_NETWORK_MODE=host, so it
 * reaches moto's S3 on 127.0.0.1), with S3 on the same server: the job definition is
 * registered once, renders from and to s3:// give the local runtime's objects, runs that come
 * together go as one array job, a job whose container is killed mid-run is retried by the
 * queue and succeeds, and a cancel terminates the job and its container. moto reports no
 * exit code of its own, so the outcome is read from the job's status, reason and the result
 * record written last beside the outputs.
 */
import { BatchClient, CreateComputeEnvironmentCommand, CreateJobQueueCommand, DescribeJobDefinitionsCommand, DescribeJobsCommand } from '@aws-sdk/client-batch';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import { findClips } from '../core/inspect/tree.ts';
import { inspectWith } from '../core/inspect/function.ts';
import type { ClipRecord } from '../core/inspect/types.ts';
import type { RenderJobResult } from '../core/render/job.ts';
import { buildInvocation } from '../core/render/request.ts';
import type { RenderResult } from '../core/render/run.ts';
import type { BatchOptions } from '../core/runtime/batch-backend.ts';
import { executorFor } from '../core/runtime/executor.ts';
import { readResultRecord } from '../core/runtime/result-record.ts';
import type { Progress } from '../core/util/progress.ts';
import { writeArriMov } from './helpers/clips.ts';
import { bucketFor, retriedAfterLoss, docker, md5Of, objectsUnder } from './helpers/cluster.ts';
import { motoUnavailable, useMoto } from './helpers/s3-fixtures.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';
import { DEFAULT_WORKER_IMAGE } from '../core/runtime/lockdown.ts';

async function dockerMissing(): Promise<string | undefined> {
  try {
    const image = await docker.call('GET', `/images/${DEFAULT_WORKER_IMAGE}/json`);
    return image.status === 200 ? undefined : `the worker image ${DEFAULT_WORKER_IMAGE} is not built (scripts/build-image.sh)`;
  } catch (e) {
    return `no Docker engine: ${(e as Error).message}`;
  }
}
const notReady = motoUnavailable() ?? (await dockerMissing());
if (notReady && process.env.CI) throw new Error(`CI needs the aws-batch runtime's test parts: ${notReady}`);

const BUCKET = 'rushes-batch';
const QUEUE = 'rushes-renders';

/** moto's IAM, through its query API (no IAM client in the project): the role a compute environment names. */
async function createRole(url: string, name: string): Promise<string> {
  const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' });
  const r = await fetch(`${url}/`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKIARUSHESTEST000000/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(await r.text())?.[1];
  if (!arn) throw new Error(`moto did not make the role ${name} (HTTP ${r.status})`);
  return arn;
}

/** moto's containers of a job: it names each `<job name>-<job id>`. */
async function containersNamed(prefix: string): Promise<{ Id: string; State: string }[]> {
  return (await docker.ok('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ name: [prefix] }))}`, undefined, 'to list containers')) as { Id: string; State: string }[];
}

/** Resolves once a container's stderr has a progress line with frames done, not all of them. */
async function midRun(id: string): Promise<void> {
  const stop = new AbortController();
  await new Promise<void>((resolve, reject) => {
    docker
      .readLogs(`/containers/${id}/logs?follow=1&stdout=0&stderr=1`, (_s, line) => {
        const m = /"framesDone":(\d+),"framesTotal":(\d+)/.exec(line);
        if (m && Number(m[1]) > 0 && Number(m[1]) < Number(m[2])) resolve();
      }, stop.signal)
      .then(() => reject(new Error(`container ${id} ended before it was mid-run`)), reject);
  });
  stop.abort();
}

describe.skipIf(notReady !== undefined)(`aws-batch runtime on moto${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  const moto = useMoto({ env: { MOTO_DOCKER_NETWORK_MODE: 'host' } });
  const scratch = scratchFolders('rushes-batch-');
  let dir: string;
  let client: S3Client;
  let record: ClipRecord;
  let settings: BatchOptions;
  let batch: BatchClient;

  beforeAll(async () => {
    dir = scratch();
    chmodSync(dir, 0o755);
    for (const [name, seconds] of [['A002C001_261123', 2], ['A002C002_261123', 1], ['A002C003_261123', 1]] as const) writeArriMov(join(dir, `${name}.mov`), { seconds });
    writeArriMov(join(dir, 'long', 'A004C001_261125.mov'), { seconds: 40 });
    const set = await findClips(join(dir, 'A002C001_261123.mov'));
    record = await inspectWith(executorFor('thread'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
    // This process signs with moto's keys (the engine's own role, on AWS).
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: moto().accessKeyId, AWS_SECRET_ACCESS_KEY: moto().secretAccessKey, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', RUSHES_S3_ENDPOINT: moto().url, RUSHES_S3_PROVIDER: 'aws' });
    client = await bucketFor(moto().endpoint, BUCKET);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'originals/A002C001_261123.mov', Body: readFileSync(join(dir, 'A002C001_261123.mov')) }));
    batch = new BatchClient({ region: 'us-east-1', endpoint: moto().url });
    const role = await createRole(moto().url, 'AWSBatchServiceRole');
    const ce = await batch.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: 'rushes-ce', type: 'UNMANAGED', state: 'ENABLED', serviceRole: role }));
    await batch.send(new CreateJobQueueCommand({ jobQueueName: QUEUE, state: 'ENABLED', priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: ce.computeEnvironmentArn! }] }));
    // Where jobs stage their input: a host folder the image's user can write.
    const hostScratch = join(dir, 'host-scratch');
    (await import('node:fs')).mkdirSync(hostScratch);
    chmodSync(hostScratch, 0o777);
    // A job's keys: on AWS its job role gives them; moto's containers have none, so the job definition's environment carries moto's (never an invocation).
    settings = { jobQueue: QUEUE, endpoint: moto().url, region: 'us-east-1', scratchHostPath: hostScratch, env: { AWS_ACCESS_KEY_ID: moto().accessKeyId, AWS_SECRET_ACCESS_KEY: moto().secretAccessKey } };
  }, 180_000);

  it('a lossless plate and thumbnails from s3:// are the local runtime\'s objects; runs that come together go as one array job; the job definition is registered once', async () => {
    const aws = executorFor('aws-batch', { awsBatch: { ...settings, pollMs: 500 } });
    const local = await buildInvocation(record, { fn: 'plate', outDir: join(dir, 'local'), frames: [5, 9], handles: 2 });
    const here = await executorFor('thread').run<RenderResult>(local.invocation, {});
    const { invocation } = await buildInvocation(record, { fn: 'plate', outDir: `s3://${BUCKET}/plates/`, frames: [5, 9], handles: 2 });
    const inv = { ...invocation, input: { ...invocation.input, uri: `s3://${BUCKET}/originals/A002C001_261123.mov` } };
    const states: string[] = [];
    const there = await aws.run<RenderResult>(inv, { onProgress: (p) => p.remote && states.push(p.remote.state) });
    expect(states).toContain('RUNNING');
    expect(there.outputs.map((o) => ({ ...o, path: undefined }))).toEqual(here.outputs.map((o) => ({ ...o, path: undefined })));
    const objects = await objectsUnder(client, BUCKET, 'plates/');
    const frames = readdirSync(here.outputs[0]!.path);
    expect(frames).toHaveLength(9);
    for (const f of frames) expect(objects.get(`${here.outputs[0]!.name}/${f}`), f).toBe(md5Of(join(here.outputs[0]!.path, f)));
    expect((await readResultRecord(`s3://${BUCKET}/plates/`, inv.id))?.outputs).toHaveLength(1);

    // Three clips' thumbnails at once (local inputs, put up for the jobs): one array job of three children.
    const records = await Promise.all(['A002C001_261123', 'A002C002_261123', 'A002C003_261123'].map(async (n) => {
      const set = await findClips(join(dir, `${n}.mov`));
      return inspectWith(executorFor('thread'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
    }));
    const tasks: string[] = [];
    const thumbs = await Promise.all(records.map(async (r) => {
      const { invocation: t } = await buildInvocation(r, { fn: 'thumbnail', outDir: `s3://${BUCKET}/thumbs/` });
      return aws.run<RenderResult>(t, { onProgress: (p) => p.remote && tasks.push(p.remote.task) });
    }));
    expect(thumbs.map((t) => t.outputs[0]!.path).sort()).toEqual(['A002C001_261123', 'A002C002_261123', 'A002C003_261123'].map((n) => `s3://${BUCKET}/thumbs/${n}.jpg`));
    const parents = new Set(tasks.map((t) => t.replace(/:\d+$/, '')));
    expect(parents.size).toBe(1);
    expect(new Set(tasks).size).toBe(3);
    const [parent] = await batch.send(new DescribeJobsCommand({ jobs: [...parents] })).then((r) => r.jobs ?? []);
    expect(parent?.arrayProperties?.size).toBe(3);
    const defs = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: 'rushes-worker', status: 'ACTIVE' }));
    expect(defs.jobDefinitions).toHaveLength(1);
    expect(defs.jobDefinitions![0]!.containerProperties).toMatchObject({ image: DEFAULT_WORKER_IMAGE, user: '10001', readonlyRootFilesystem: true, privileged: false });
  }, 300_000);

  it('a job whose container is killed mid-run is retried by the queue and succeeds', async () => {
    const engine = new Engine({ home: scratch(), backoff: { baseMs: 200, maxMs: 1000 }, render: { awsBatch: { ...settings, arrayWindowMs: 0, maxTasks: 4 } } });
    await engine.start();
    try {
      const [clip] = await engine.api.clips.inspectPath(join(dir, 'long', 'A004C001_261125.mov'));
      const out = `s3://${BUCKET}/killed/`;
      const { renders } = await engine.api.renders.submit({ fn: 'proxy', clipId: clip!.id, out, height: 360, runtime: 'aws-batch' });
      const jobId = renders[0]!.job.id;
      expect(renders[0]!.job.resources).toEqual(['remote:aws-batch']);
      const { invocation } = await buildInvocation(engine.clips.get(clip!.id)!.record, { fn: 'proxy', outDir: out, height: 360 });
      const running = await waitFor('the job\'s container', async () => (await containersNamed(`rushes-${invocation.id}`)).find((c) => c.State === 'running'), 120_000, 200);
      await midRun(running.Id);
      await docker.ok('POST', `/containers/${running.Id}/kill`, undefined, 'to kill the job\'s container');
      // The first attempt ended TASK_LOST (retryable), the queue tried again, and that one succeeded.
      const result = await retriedAfterLoss(engine.queue, jobId, 300_000);
      expect(result.runtime).toBe('aws-batch');
      expect((await objectsUnder(client, BUCKET, 'killed/')).has('A004C001_261125.mp4')).toBe(true);
    } finally {
      await engine.stop(5000);
    }
  }, 400_000);

  it('cancel terminates the job: it ends FAILED with the reason, and its container is gone', async () => {
    const engine = new Engine({ home: scratch(), render: { runtime: 'aws-batch', awsBatch: { ...settings, arrayWindowMs: 0 } } });
    await engine.start();
    try {
      const [clip] = await engine.api.clips.inspectPath(join(dir, 'long', 'A004C001_261125.mov'));
      const out = `s3://${BUCKET}/cancelled/`;
      const { renders } = await engine.api.renders.submit({ fn: 'proxy', clipId: clip!.id, out, height: 720 });
      const jobId = renders[0]!.job.id;
      const { invocation } = await buildInvocation(engine.clips.get(clip!.id)!.record, { fn: 'proxy', outDir: out, height: 720 });
      await waitFor('the job\'s container to run', async () => (await containersNamed(`rushes-${invocation.id}`)).find((c) => c.State === 'running'), 120_000, 200);
      const batchJob = (engine.queue.get(jobId)!.progress as Progress).remote!.task;
      engine.api.jobs.cancel(jobId);
      await waitFor('the job to be cancelled', () => (engine.queue.get(jobId)!.state === 'cancelled' ? true : undefined), 120_000, 100);
      const [j] = (await batch.send(new DescribeJobsCommand({ jobs: [batchJob] }))).jobs ?? [];
      expect(j?.status).toBe('FAILED');
      expect(j?.statusReason).toContain('cancel');
      await waitFor('the container to go', async () => ((await containersNamed(`rushes-${invocation.id}`)).length === 0 ? true : undefined), 60_000, 200);
      expect(await readResultRecord(out, invocation.id)).toBeUndefined();
    } finally {
      await engine.stop(5000);
    }
  }, 300_000);
});
