/**
 * The docker backend against a real Docker engine and the worker image built from this
 * checkout (`.ci/run` starts dockerd and runs scripts/build-image.sh --local-base): the
 * same invocation gives the same bytes as on a worker thread and in a `rushes-fn` process,
 * the same clip record, the container is locked down, and cancel or a deadline kills it and
 * leaves nothing behind. Outside CI, without an engine or the image, the suite is skipped
 * and says why.
 */
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildInvocation } from '../core/render/request.ts';
import { DockerEngine } from '../core/runtime/docker.ts';
import { DEFAULT_WORKER_IMAGE, dockerBackend } from '../core/runtime/docker-backend.ts';
import { executorFor } from '../core/runtime/executor.ts';
import { findClips } from '../core/inspect/tree.ts';
import { inspectWith } from '../core/inspect/function.ts';
import type { RenderResult } from '../core/render/run.ts';
import type { ClipRecord } from '../core/inspect/types.ts';
import { writeArriMov } from './helpers/clips.ts';
import { scratchFolders } from './helpers/scratch.ts';

const engine = new DockerEngine();
async function dockerReady(): Promise<string | undefined> {
  try {
    const ping = await engine.call('GET', '/_ping');
    if (ping.status !== 200) return `the Docker engine answered ${ping.status}`;
    const image = await engine.call('GET', `/images/${DEFAULT_WORKER_IMAGE}/json`);
    return image.status === 200 ? undefined : `the worker image ${DEFAULT_WORKER_IMAGE} is not built (scripts/build-image.sh)`;
  } catch (e) {
    return (e as Error).message;
  }
}
const notReady = await dockerReady();
if (notReady && process.env.CI) throw new Error(`CI needs the docker runtime: ${notReady}`);

const scratch = scratchFolders('rushes-docker-');
let dir: string;
let record: ClipRecord;
let longRecord: ClipRecord;

async function recordOf(path: string): Promise<ClipRecord> {
  const set = await findClips(path);
  return inspectWith(executorFor('thread'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
}

const containersOf = async (id: string) => (await engine.ok('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [`dev.rushes.invocation=${id}`] }))}`)) as { Id: string }[];

describe.skipIf(notReady !== undefined)(`docker runtime${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  beforeAll(async () => {
    dir = scratch();
    // Scratch folders are private (0700); the image's user needs to read the clips, as it would a media folder.
    chmodSync(dir, 0o755);
    writeArriMov(join(dir, 'A002C001_261123.mov'), { seconds: 2 });
    writeArriMov(join(dir, 'long', 'A002C002_261123.mov'), { seconds: 30 });
    record = await recordOf(join(dir, 'A002C001_261123.mov'));
    longRecord = await recordOf(join(dir, 'long', 'A002C002_261123.mov'));
  }, 120_000);

  it('a proxy and a lossless plate come out the same on every backend, byte for byte', async () => {
    for (const [fn, extra] of [['proxy', { height: 180 }], ['plate', { frames: [5, 9] as [number, number], handles: 2 }]] as const) {
      const results: Record<string, RenderResult> = {};
      for (const backend of ['thread', 'process', 'docker'] as const) {
        const { invocation } = await buildInvocation(record, { fn, outDir: join(dir, backend), ...extra });
        const progress: number[] = [];
        results[backend] = await executorFor(backend).run<RenderResult>(invocation, { onProgress: (p) => progress.push(p.framesDone ?? 0) });
        expect(progress.length, `${fn} on ${backend} reports progress`).toBeGreaterThan(0);
      }
      const same = (b: string) => results[b]!.outputs.map((o) => ({ ...o, path: o.path.replace(join(dir, b), 'OUT') }));
      expect(same('docker')).toEqual(same('thread'));
      expect(same('process')).toEqual(same('thread'));
    }
    expect(readdirSync(join(dir, 'docker', 'A002C001_261123_3-11'))).toHaveLength(9);
    expect(readdirSync(join(dir, 'docker')).filter((n) => n.startsWith('.rushes'))).toEqual([]);
  }, 120_000);

  it('inspects a clip in the container to the record a worker thread makes, with the host paths', async () => {
    const set = await findClips(join(dir, 'A002C001_261123.mov'));
    const boxed = await inspectWith(executorFor('docker'), { root: set.root, unit: set.units[0]! }, { recordLoss: false });
    const strip = (r: ClipRecord) => ({ ...r, inspection: { ...r.inspection, inspectedAt: 'T', tools: [...r.inspection.tools].sort() } });
    expect(strip(boxed)).toEqual(strip(record));
    expect(boxed.source.path).toBe(join(dir, 'A002C001_261123.mov'));
  }, 120_000);

  it('runs locked down, and a cancel kills the container and leaves nothing', async () => {
    const { invocation } = await buildInvocation(longRecord, { fn: 'proxy', outDir: join(dir, 'cancelled'), codec: 'prores_lt' });
    const controller = new AbortController();
    let inspected: { Config: { User: string }; HostConfig: { NetworkMode: string; ReadonlyRootfs: boolean; CapDrop: string[]; Memory: number }; Mounts: { Destination: string; RW: boolean }[] } | undefined;
    const run = dockerBackend().run(invocation, {
      signal: controller.signal,
      onProgress: async () => {
        if (inspected) return;
        const [c] = await containersOf(invocation.id);
        inspected = (await engine.ok('GET', `/containers/${c!.Id}/json`)) as typeof inspected;
        controller.abort(new Error('stopped by the test'));
      },
    });
    await expect(run).rejects.toThrow('stopped by the test');
    expect(inspected!.Config.User).toBe('10001:10001');
    expect(inspected!.HostConfig).toMatchObject({ NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'] });
    expect(inspected!.HostConfig.Memory).toBeGreaterThan(0);
    expect(inspected!.Mounts.find((m) => m.Destination === '/in')!.RW).toBe(false);
    expect(await containersOf(invocation.id)).toEqual([]);
    expect(existsSync(join(dir, 'cancelled')) ? readdirSync(join(dir, 'cancelled')) : []).toEqual([]);
  }, 120_000);

  it('a render past its deadline is killed; a missing image is named', async () => {
    const { invocation } = await buildInvocation(longRecord, { fn: 'proxy', outDir: join(dir, 'late'), codec: 'prores_lt' });
    await expect(dockerBackend().run(invocation, { timeoutMs: 1500 })).rejects.toMatchObject({ code: 'RENDER_TIMEOUT' });
    expect(await containersOf(invocation.id)).toEqual([]);
    await expect(dockerBackend({ image: 'rushes-worker:no-such-tag' }).run(invocation)).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE', message: expect.stringContaining('rushes-worker:no-such-tag is not on this Docker engine') });
  }, 120_000);
});
