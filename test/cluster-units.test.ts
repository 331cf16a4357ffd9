/**
 * The pure parts of the remote runtimes: image names a swarm pins, the AWS Batch job
 * definition Rushes registers, an array job child's index, and which resources and limits a
 * render on a remote backend holds in the queue.
 */
import { describe, expect, it } from 'vitest';
import { parseImageName } from '../core/runtime/worker-image.ts';
import { jobDefinitionInput, jobName } from '../core/runtime/batch-jobs.ts';
import { arrayIndex } from '../workers/fn-source.ts';
import { backendFor, executorOptions, remoteLimits, renderResources } from '../core/render/job.ts';

describe('remote runtimes, pure parts', () => {
  it('splits image references: registry host, repository, tag, digest', () => {
    expect(parseImageName('rushes-worker')).toEqual({ repo: 'rushes-worker', tag: 'latest' });
    expect(parseImageName('rushes-worker:i18')).toEqual({ repo: 'rushes-worker', tag: 'i18' });
    expect(parseImageName('127.0.0.1:5000/rushes-worker:1.4')).toEqual({ registry: '127.0.0.1:5000', repo: 'rushes-worker', tag: '1.4' });
    expect(parseImageName('localhost/studio/rushes-worker')).toEqual({ registry: 'localhost', repo: 'studio/rushes-worker', tag: 'latest' });
    expect(parseImageName('studio/rushes-worker:2')).toEqual({ repo: 'studio/rushes-worker', tag: '2' });
    const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/rushes-worker@sha256:' + 'a'.repeat(64);
    expect(parseImageName(ecr)).toEqual({ registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repo: 'rushes-worker', tag: 'latest', digest: 'sha256:' + 'a'.repeat(64) });
  });

  it('registers a locked-down job definition, marked by its settings, with readOnly on every mount point', () => {
    const a = jobDefinitionInput({ image: 'repo/rushes-worker@sha256:1', vcpus: 4, memoryMiB: 8192, jobRoleArn: 'arn:aws:iam::1:role/job' });
    expect(a.containerProperties).toMatchObject({ image: 'repo/rushes-worker@sha256:1', user: '10001', readonlyRootFilesystem: true, privileged: false, jobRoleArn: 'arn:aws:iam::1:role/job' });
    expect(a.containerProperties!.resourceRequirements).toEqual([{ type: 'VCPU', value: '4' }, { type: 'MEMORY', value: '8192' }]);
    for (const m of a.containerProperties!.mountPoints!) expect(typeof m.readOnly).toBe('boolean');
    // The queue retries: Batch does not.
    expect(a.retryStrategy).toEqual({ attempts: 1 });
    // The same settings, the same mark (reused); another image, another (a new revision).
    expect(jobDefinitionInput({ image: 'repo/rushes-worker@sha256:1', vcpus: 4, memoryMiB: 8192, jobRoleArn: 'arn:aws:iam::1:role/job' }).parameters).toEqual(a.parameters);
    expect(jobDefinitionInput({ image: 'repo/rushes-worker@sha256:2', vcpus: 4, memoryMiB: 8192, jobRoleArn: 'arn:aws:iam::1:role/job' }).parameters).not.toEqual(a.parameters);
    expect(jobName('rushes-plate-1f/2.0')).toBe('rushes-plate-1f-2-0');
  });

  it('finds an array child\'s index where AWS sets it, or in the job id moto gives', () => {
    expect(arrayIndex({ AWS_BATCH_JOB_ARRAY_INDEX: '7' })).toBe(7);
    expect(arrayIndex({ AWS_BATCH_JOB_ID: 'c7437cc2-90ca-4415-a95e-b6b8ce7b082a:12' })).toBe(12);
    expect(arrayIndex({ AWS_BATCH_JOB_ID: 'c7437cc2-90ca-4415-a95e-b6b8ce7b082a' })).toBeUndefined();
  });

  it('a render on a remote backend holds that backend\'s slot; the limits come from the config', () => {
    const config = { runtime: 'thread' as const, runtimes: { plate: 'swarm' as const }, swarm: { maxTasks: 4, network: 'host' }, awsBatch: { jobQueue: 'q' } };
    expect(backendFor(config, 'plate')).toBe('swarm');
    expect(renderResources(config, { request: { fn: 'plate', outDir: 's3://b/' } })).toEqual(['remote:swarm']);
    expect(renderResources(config, { request: { fn: 'plate', outDir: 's3://b/' }, runtime: 'aws-batch' })).toEqual(['remote:aws-batch']);
    expect(renderResources(config, { request: { fn: 'proxy', outDir: '/p' } })).toEqual([]);
    expect(remoteLimits(config)).toEqual({ 'remote:swarm': 4, 'remote:aws-batch': 256 });
    // The swarm's containers take the docker runtime's image and limits unless it names its own.
    expect(executorOptions({ image: 'rushes-worker:9', memoryMiB: 1024, swarm: { network: 'host' } }).swarm).toMatchObject({ image: 'rushes-worker:9', memoryBytes: 1024 ** 3, network: 'host' });
  });
});
