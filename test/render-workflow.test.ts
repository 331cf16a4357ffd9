/**
 * Renders in the daemon's workflow: with `render.proxies` configured, every inspected clip
 * gets a proxy by rule (beside its thumbnail); a plate is asked for through
 * `POST /api/renders`; bad requests get a 4xx that names the problem.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import type { Job } from '../core/queue/index.ts';
import { startServer, type RunningServer } from '../core/server/index.ts';
import { writeArriMov } from './helpers/clips.ts';
import { cubeText } from './helpers/render.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-render-wf-');
let engine: Engine;
let server: RunningServer;
let base: string;

const post = async (body: unknown) => {
  const res = await fetch(`${server.url}/api/renders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { job: Job; clipId: number; warnings: string[]; error?: { code: string; message: string } } };
};
const settled = () =>
  waitFor('every job to settle', () => {
    const c = engine.queue.counts();
    return c.queued + c.running + c.waiting === 0 ? c : undefined;
  }, 90_000, 100);

beforeAll(async () => {
  base = scratch();
  const card = join(base, 'B003');
  writeArriMov(join(card, 'B003C001_261123.mov'), { seconds: 1 });
  writeArriMov(join(card, 'B003C002_261123.mov'), { seconds: 1 });
  writeFileSync(join(base, 'show.cube'), cubeText(5, (r, g, b) => [g, b, r]));
  engine = new Engine({ home: join(base, 'home'), render: { proxies: { out: join(base, 'proxies'), codec: 'prores_proxy', height: 90, lut: join(base, 'show.cube') } } });
  server = await startServer(engine.api, { host: '127.0.0.1', port: 0 });
  await engine.start();
  await engine.api.offloads.submit({ source: card, destinations: [join(base, 'raid')] });
  await settled();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await engine?.stop(2000);
});

describe('renders in the workflow', () => {
  it('proxies each inspected clip by rule, into the roll folder, with the configured LUT', () => {
    expect(readdirSync(join(base, 'proxies', 'B003')).sort()).toEqual(['B003C001_261123.mov', 'B003C002_261123.mov']);
    const renders = engine.queue.list({ kind: 'render', limit: 100 });
    expect(renders.map((j) => `${(j.payload as { request: { fn: string } }).request.fn}:${j.state}`).sort()).toEqual(['proxy:succeeded', 'proxy:succeeded', 'thumbnail:succeeded', 'thumbnail:succeeded']);
    const proxy = renders.find((j) => (j.payload as { request: { fn: string } }).request.fn === 'proxy')!;
    expect(proxy.result).toMatchObject({ runtime: 'thread', outputs: [{ size: expect.any(Number), xxh64: expect.stringMatching(/^[0-9a-f]{16}$/) }] });
  });

  it('renders a plate asked for through the API, by clip id or by path', async () => {
    const clipId = engine.clips.search('clip:B003C001_261123').clips[0]!.id;
    const r = await post({ fn: 'plate', clipId, out: join(base, 'vfx'), frames: [5, 7], handles: 1, format: 'dpx' });
    expect(r.status).toBe(202);
    const byPath = await post({ fn: 'thumbnail', path: join(base, 'raid', 'B003', 'B003C002_261123.mov'), out: join(base, 'stills'), width: 64 });
    expect(byPath.status).toBe(202);
    await settled();
    expect(engine.queue.get(r.body.job.id)!.state).toBe('succeeded');
    expect(readdirSync(join(base, 'vfx', 'B003C001_261123_4-8'))).toHaveLength(5);
    expect(readdirSync(join(base, 'stills'))).toEqual(['B003C002_261123.jpg']);
  });

  it('renders many clips from one request, by clip ids or a folder: one job each', async () => {
    const ids = ['B003C001_261123', 'B003C002_261123'].map((n) => engine.clips.search(`clip:${n}`).clips[0]!.id);
    const many = (await post({ fn: 'thumbnail', clipIds: ids, out: join(base, 'many'), width: 48 })) as unknown as { status: number; body: { renders: { job: Job; clipId: number }[] } };
    expect(many.status).toBe(202);
    expect(many.body.renders.map((r) => r.clipId)).toEqual(ids);
    const folder = (await post({ fn: 'thumbnail', path: join(base, 'raid', 'B003'), out: join(base, 'folder'), width: 48 })) as unknown as { status: number; body: { renders: { job: Job }[] } };
    expect(folder.status).toBe(202);
    expect(folder.body.renders).toHaveLength(2);
    await settled();
    for (const r of [...many.body.renders, ...folder.body.renders]) expect(engine.queue.get(r.job.id)!.state).toBe('succeeded');
    expect(readdirSync(join(base, 'many')).sort()).toEqual(['B003C001_261123.jpg', 'B003C002_261123.jpg']);
    expect(readdirSync(join(base, 'folder')).sort()).toEqual(['B003C001_261123.jpg', 'B003C002_261123.jpg']);
  });

  it('refuses bad render requests with a 4xx naming the problem', async () => {
    const clipId = engine.clips.search('clip:B003C001_261123').clips[0]!.id;
    writeFileSync(join(base, 'bad.fdl'), '{"uuid": 1}');
    writeFileSync(join(base, 'A009.R3D'), Buffer.alloc(50_000, 1));
    const cases: [unknown, number, string, RegExp][] = [
      [{ fn: 'plate', clipId, out: join(base, 'x'), frames: [20, 30] }, 400, 'USAGE', /run outside the clip \(0-23\)/],
      [{ fn: 'proxy', clipId, out: join(base, 'x'), fdl: join(base, 'bad.fdl') }, 400, 'USAGE', /bad\.fdl is not a valid ASC FDL 2\.0 document/],
      [{ fn: 'proxy', path: join(base, 'A009.R3D'), out: join(base, 'x') }, 422, 'INPUT_UNDECODABLE', /A009\.R3D cannot be rendered/],
      [{ fn: 'proxy', out: join(base, 'x') }, 400, 'INVALID_REQUEST', /must match exactly one schema in oneOf/],
      [{ fn: 'proxy', clipId: 999_999, out: join(base, 'x') }, 400, 'USAGE', /no clip 999999/],
      [{ fn: 'plate', clipIds: [clipId], out: join(base, 'x'), runtime: 'swarm' }, 400, 'USAGE', /swarm runtime renders on other machines: "out" must be a folder in a store they reach \(s3:\/\/…\)/],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await post(body);
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status, code });
      expect(r.body.error!.message).toMatch(message);
    }
  });
});
