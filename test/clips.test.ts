/**
 * Inspection in the workflow: an offload through a real engine queues one inspect job per
 * clip by rule, records land in the SQLite store with full-text search, poster frames are
 * rendered, and the clips are found through the API and the CLI. A broken clip on the card
 * gets its record and does not hold up the others.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import { startServer, type RunningServer } from '../core/server/index.ts';
import { runCli } from './helpers/cli.ts';
import { ARRI_TAGS, writeArriMov, writeDpxSequence } from './helpers/clips.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { writeSonyClip } from './helpers/sony.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-clips-');
let engine: Engine;
let server: RunningServer;
let home: string;
let raid: string;

const api = async (path: string) => {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
};

beforeAll(async () => {
  const base = scratch();
  home = join(base, 'home');
  raid = join(base, 'raid');
  const card = join(base, 'A002R1AB');
  writeArriMov(join(card, 'A002C007_261120_R1AB.mov'), { seconds: 2 });
  writeArriMov(join(card, 'A002C008_261120_R1AB.mov'), { seconds: 1, tags: { ...ARRI_TAGS, 'com.arri.slate.Scene': '14', 'com.arri.slate.Take': '1', 'com.arri.camera.ExposureIndexAsa': '1600', 'com.arri.lens.LensModel': 'Ultra Prime 32mm' } });
  writeDpxSequence(join(card, 'VFX/plate'), 'A002_plate', { frames: 4 });
  writeFileSync(join(card, 'A002C009_261120_R1AB.mov'), Buffer.alloc(20_000, 7)); // a clip the camera never finished
  // A B-camera VENICE 2 clip on the same card: its roll is its own, whatever the card is called.
  writeSonyClip(card, 'venice2', 'B002C014_261120XY');
  engine = new Engine({ home, concurrency: 3 });
  server = await startServer(engine.api, { host: '127.0.0.1', port: 0 });
  await engine.start();
  await engine.api.offloads.submit({ source: card, destinations: [raid] });
  // Inspection and thumbnails are follow-up jobs: wait until every job has settled.
  await waitFor(
    'the offload, its inspection and thumbnails',
    () => {
      const c = engine.queue.counts();
      const busy = (c.queued ?? 0) + (c.running ?? 0) + (c.waiting ?? 0);
      return busy === 0 && (c.succeeded ?? 0) >= 9 ? c : undefined;
    },
    90_000,
    100,
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
  await engine?.stop(2000);
});

describe('clips after an offload', () => {
  it('inspects every clip from the verified destination, one job per clip, by rule', () => {
    const kinds = engine.queue.list({ limit: 100 }).map((j) => `${j.kind}:${j.state}`).sort();
    expect(kinds).toEqual([
      'inspect-offload:succeeded',
      'inspect:succeeded',
      'inspect:succeeded',
      'inspect:succeeded',
      'inspect:succeeded',
      'inspect:succeeded',
      'offload:succeeded',
      'render:succeeded',
      'render:succeeded',
      'render:succeeded',
      'render:succeeded',
    ]);
    const { clips, total } = engine.clips.search('');
    expect(total).toBe(5);
    for (const c of clips) expect(c.record.source.root).toBe(join(raid, 'A002R1AB'));
    const good = clips.find((c) => c.clipName === 'A002C007_261120_R1AB')!;
    expect(good.record.source.hashes).toEqual({ 'A002C007_261120_R1AB.mov': { xxh64: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    expect(good.record.source.offloadId).toBe(good.offloadId);
    // The roll the camera wrote in the clip name, not the card folder's name; a plate, named without one, keeps the offload's.
    expect(good.record.roll).toBe('A002');
    expect(clips.find((c) => c.clipName === 'A002_plate')!.record.roll).toBe('A002R1AB');
    expect(clips.find((c) => c.clipName === 'B002C014_261120XY')!.record).toMatchObject({ roll: 'B002', camera: { model: 'MPC-3626', label: 'B' }, recorder: { model: 'AXS-R7' } });
    const broken = clips.find((c) => c.clipName === 'A002C009_261120_R1AB')!;
    expect(broken).toMatchObject({ status: 'failed', thumbnail: undefined });
    expect(broken.record.inspection.issues[0]!.message).toContain(join(raid, 'A002R1AB', 'A002C009_261120_R1AB.mov'));
  });

  it('finds clips through the API by roll, slate, numbers and words', async () => {
    const names = async (q: string) => {
      const r = await api(`/api/clips?q=${encodeURIComponent(q)}`);
      expect(r.status).toBe(200);
      return (r.body as { clips: { record: { clipName: string } }[] }).clips.map((c) => c.record.clipName);
    };
    expect(await names('roll:A002')).toHaveLength(4);
    expect(await names('iso:800 "scene 12"')).toEqual(['A002C007_261120_R1AB']);
    expect(await names('scene:14 take:1')).toEqual(['A002C008_261120_R1AB']);
    expect(await names('lens:ultra')).toEqual(['A002C008_261120_R1AB']);
    expect(await names('iso:>=1600 camera:alexa')).toEqual(['A002C008_261120_R1AB']);
    expect(await names('look:LogC4 alexa')).toHaveLength(2);
    expect(await names('A002_plate')).toEqual(['A002_plate']);
    expect(await names('status:failed')).toEqual(['A002C009_261120_R1AB']);
    expect(await names('camera:AXS-R7')).toEqual(['B002C014_261120XY']);
    expect(await names('roll:B002 scene:12 take:3')).toEqual(['B002C014_261120XY']);
    expect(await names('roll:B999')).toEqual([]);
    const bad = await api('/api/clips?q=colour:blue');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_QUERY', message: expect.stringContaining('unknown search field "colour:"') } } });
  });

  it('serves a clip with its raw metadata and its poster frame', async () => {
    const list = (await api('/api/clips?q=scene:12')).body as { clips: { id: number; thumbnail: string; record: Record<string, unknown> }[] };
    const summary = list.clips[0]!;
    expect(summary.record.raw).toBeUndefined();
    const full = await api(`/api/clips/${summary.id}`);
    expect(full.status).toBe(200);
    expect((full.body as { record: { raw: { ffprobe: unknown } } }).record.raw.ffprobe).toBeTypeOf('object');
    const jpeg = await api(summary.thumbnail);
    expect(jpeg.type).toBe('image/jpeg');
    expect((jpeg.body as Buffer).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const plate = (await api('/api/clips?q=clip:A002_plate')).body as { clips: { thumbnail?: string }[] };
    expect(plate.clips[0]!.thumbnail).toMatch(/\/thumbnail$/);
    expect((await api('/api/clips/999999')).status).toBe(404);
    expect((await api('/api/clips/abc')).status).toBe(400);
    const none = await api(`/api/clips/${(await api('/api/clips?q=status:failed')).body.clips[0].id}/thumbnail`);
    expect(none).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('lists, searches and shows clips from the CLI', async () => {
    const search = await runCli(['--home', home, 'clips', 'search', 'roll:A002R1AB', 'iso:800', '"scene 12"']);
    expect(search.code).toBe(0);
    expect(search.stdout).toMatch(/^#\d+ {2}A002C007_261120_R1AB {2}roll A002 {2}ARRI ALEXA 35 {2}320x180/);
    const id = /^#(\d+)/.exec(search.stdout)![1]!;
    const show = await runCli(['--home', home, 'clips', 'show', id]);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: Number(id), record: { scene: '12', camera: { isoSpeed: 800 } } });
    const list = await runCli(['--home', home, 'clips', 'list', '--json']);
    expect(list.stdout.trim().split('\n')).toHaveLength(5);
    const nothing = await runCli(['--home', home, 'clips', 'search', 'roll:B999']);
    expect(nothing.code).toBe(7);
    const bad = await runCli(['--home', home, 'clips', 'search', 'iso:lots']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('iso: wants a number') });
    expect(readFileSync(join(home, 'thumbnails', id, 'A002C007_261120_R1AB.jpg')).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});
