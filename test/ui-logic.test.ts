/**
 * The web UI's logic, as data (renderer/src, the parts that need no browser): events batched
 * per frame and fetches coalesced, how a batch of events changes the live state, a card's
 * destinations, the lag and rate the status line shows, notifications, the virtualised
 * grid's geometry and keys, routes, the Settings form's widgets and its validator — checked
 * against ajv on the real config schema.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FrameBatcher, coalesced } from '../renderer/src/live/batcher.ts';
import { applyEvents, EMPTY, mergeCards, mergeOffloads, type LiveData } from '../renderer/src/live/live-data.ts';
import { destinationsOf } from '../renderer/src/live/destinations.ts';
import { LiveStats } from '../renderer/src/live/stats.ts';
import { describeError, noticeFor } from '../renderer/src/live/notify.ts';
import { layout, moveIndex, pagesOf, position, visibleRange } from '../renderer/src/clips/virtual.ts';
import { clipsHref, parseRoute } from '../renderer/src/router.ts';
import { isLive, labelOf, orderedKeys, valueAt, widgetFor, withValue } from '../renderer/src/settings/schema.ts';
import { validate } from '../renderer/src/settings/validate.ts';
import { spaceWarnings } from '../renderer/src/pages/space.ts';
import { jobFraction, jobSubject } from '../renderer/src/pages/job-view.ts';
import { formatBytes, formatDuration } from '../renderer/src/format.ts';
import { plateDefaults } from '../renderer/src/clips/plate.ts';
import type { BusEvent, Card, DestinationProgress, Job, JsonSchema } from '../renderer/src/api/types.ts';

const card = (over: Partial<Card> = {}): Card => ({ id: 1, path: '/watch/A001R1AB', present: true, state: 'offloading', targets: ['/raid1/A001', '/raid2/A001'], safeToEject: false, detectedAt: 1, updatedAt: 10, roll: 'A001', jobId: 7, ...over });
const job = (over: Partial<Job> = {}): Job => ({ id: 7, kind: 'offload', payload: { source: '/watch/A001R1AB', destinations: ['/raid1', '/raid2'], roll: 'A001', verify: 'full' }, state: 'running', attempts: 1, maxAttempts: 3, createdAt: 1, updatedAt: 1, ...over });
const dest = (destination: string, over: Partial<DestinationProgress> = {}): DestinationProgress => ({ destination, filesTotal: 10, bytesTotal: 1000, filesDone: 0, bytesDone: 0, verifiedBytes: 0, rate: 0, etaSeconds: null, failed: false, ...over });
const progressEvent = (jobId: number, destinations: DestinationProgress[], at = 1): BusEvent => ({ topic: 'job', type: 'progress', kind: 'offload', jobId, at, data: { offloadId: 'o', destinations } });

describe('frame batching', () => {
  it('hands over every event queued before a frame as one batch, and schedules one frame at a time', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const b = new FrameBatcher<number>((batch) => batches.push(batch), (f) => frames.push(f));
    for (let i = 0; i < 10_000; i++) b.push(i);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    b.push(10_000);
    frames.shift()!();
    expect(batches.map((x) => x.length)).toEqual([10_000, 1]);
  });

  it('a coalesced fetch runs once at a time, and once more for every burst of asks made while it ran', async () => {
    let runs = 0;
    let release!: () => void;
    const fetchAgain = coalesced(async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
    });
    const first = fetchAgain();
    fetchAgain();
    fetchAgain();
    fetchAgain();
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await first;
    expect(runs).toBe(2);
  });
});

describe('live state from events', () => {
  it('keeps the latest progress per offload and the last file, asks for changed cards and offloads once per batch, counts job and clip changes', () => {
    const events: BusEvent[] = [
      progressEvent(7, [dest('/raid1/A001', { bytesDone: 100 })]),
      { topic: 'offload', type: 'file.completed', jobId: 7, at: 1, path: 'A001C001.mxf' },
      progressEvent(7, [dest('/raid1/A001', { bytesDone: 500 })]),
      { topic: 'offload', type: 'file.completed', jobId: 7, at: 1, path: 'A001C002.mxf' },
      { topic: 'card', type: 'card.progress', cardId: 1, at: 1 },
      { topic: 'card', type: 'card.identified', cardId: 1, at: 1 },
      { topic: 'card', type: 'card.offload-started', cardId: 1, at: 1 },
      { topic: 'job', type: 'started', kind: 'offload', jobId: 7, at: 1 },
      { topic: 'job', type: 'succeeded', kind: 'inspect', jobId: 9, at: 1 },
      { topic: 'clip', type: 'clip.inspected', clipId: 3, at: 1 },
    ];
    const { data, refetch } = applyEvents(EMPTY, events);
    expect(data.progress.get(7)!.destinations[0]!.bytesDone).toBe(500);
    expect(data.lastFile.get(7)).toBe('A001C002.mxf');
    expect([...refetch.cards]).toEqual([1]);
    expect(refetch.offloads).toBe(true);
    expect(data.jobsVersion).toBe(2);
    expect(data.clipsVersion).toBe(1);
    // The state given is not changed: React compares by identity.
    expect(EMPTY.progress.size).toBe(0);
  });

  it('a card fetched before an event that changed it never replaces the newer record', () => {
    let data: LiveData = mergeCards(EMPTY, [card({ state: 'verified', updatedAt: 20 })]);
    data = mergeCards(data, [card({ state: 'offloading', updatedAt: 10 }), card({ id: 2, updatedAt: 5 })], { all: true, watching: true });
    expect(data.cards.get(1)!.state).toBe('verified');
    expect(data.cards.get(2)).toBeDefined();
    expect(data.watching).toBe(true);
  });

  it('drops the live progress of offloads that ended', () => {
    const { data } = applyEvents(EMPTY, [progressEvent(7, [dest('/raid1/A001')]), progressEvent(8, [dest('/raid1/B001')])]);
    const after = mergeOffloads(data, [job({ id: 7, state: 'succeeded' }), job({ id: 8, state: 'running' })]);
    expect([...after.progress.keys()]).toEqual([8]);
  });
});

describe("a card's destinations", () => {
  it('live: copying, then reading back, with the fractions of each', () => {
    const live = { offloadId: 'o', destinations: [dest('/raid1/A001', { bytesDone: 500, filesDone: 4 }), dest('/raid2/A001', { bytesDone: 1000, verifiedBytes: 250, filesDone: 2 })] };
    const [a, b] = destinationsOf(card(), job(), live);
    expect(a).toMatchObject({ path: '/raid1/A001', state: 'copying', copied: 0.5, verified: 0 });
    expect(b).toMatchObject({ path: '/raid2/A001', state: 'verifying', copied: 1, verified: 0.25 });
  });

  it('finished: verified from the medium, or the error of the destination that failed; a complete one shows all of it, not the last stored progress', () => {
    const result = {
      status: 'incomplete',
      files: 10,
      bytes: 1000,
      destinations: [
        { destination: '/raid1/A001', complete: true, verifiedFiles: 10, failedFiles: 0, checkKinds: ['full-direct'] },
        { destination: '/raid2/A001', complete: false, verifiedFiles: 3, failedFiles: 7, checkKinds: [], error: { code: 'DEST_FULL', message: 'destination is full writing /raid2/A001/x.mxf', path: '/raid2/A001/x.mxf' } },
      ],
    };
    const stale = { offloadId: 'o', destinations: [dest('/raid1/A001', { bytesDone: 700, filesDone: 7 }), dest('/raid2/A001', { bytesDone: 300 })] };
    const [a, b] = destinationsOf(card({ state: 'failed' }), job({ state: 'dead', result, progress: stale }), undefined);
    expect(a).toMatchObject({ state: 'verified', copied: 1, verified: 1 });
    expect(a!.progress).toMatchObject({ bytesDone: 1000, filesDone: 10 });
    expect(b).toMatchObject({ state: 'failed', error: { code: 'DEST_FULL' } });
  });

  it('size-checked and unchecked copies are told apart from verified ones', () => {
    const result = { status: 'completed', files: 1, bytes: 1, destinations: [{ destination: '/raid1/A001', complete: true, verifiedFiles: 1, failedFiles: 0, checkKinds: ['size'] }] };
    const sized = job({ state: 'succeeded', result, payload: { source: '/s', destinations: ['/raid1'], roll: 'A001', verify: 'size' } });
    expect(destinationsOf(card({ targets: ['/raid1/A001'] }), sized, undefined)[0]!.state).toBe('size-checked');
  });
});

describe('how far behind the page is', () => {
  it('measures the lag from the oldest event of each batch, the worst lag, and the events of the last second', () => {
    const s = new LiveStats();
    s.record([{ at: 900 }, { at: 950 }], 1000);
    s.record([{ at: 1400 }], 1500);
    expect(s.view(1500)).toEqual({ total: 3, perSecond: 3, lagMs: 100, maxLagMs: 100, peakPerSecond: 3 });
    expect(s.view(2600).perSecond).toBe(0);
  });
});

describe('notifications', () => {
  const cards = new Map([[1, card()]]);
  it('says when a card is safe to eject, and why one failed, naming the file', () => {
    expect(noticeFor({ topic: 'card', type: 'card.safe-to-eject', cardId: 1, at: 1 }, cards)).toEqual({ title: 'A001 is safe to eject', body: expect.stringContaining('read back') });
    const failed = noticeFor({ topic: 'card', type: 'card.failed', cardId: 1, at: 1, data: { error: { code: 'SOURCE_UNREADABLE', message: 'cannot read the card', path: '/watch/A001R1AB/C001.mxf' } } }, cards);
    expect(failed).toEqual({ title: 'A001 failed', body: 'cannot read the card (/watch/A001R1AB/C001.mxf)' });
    expect(noticeFor({ topic: 'job', type: 'dead', kind: 'offload', jobId: 4, at: 1 }, cards)?.title).toBe('Offload job 4 failed');
    expect(noticeFor({ topic: 'card', type: 'card.progress', cardId: 1, at: 1 }, cards)).toBeUndefined();
  });

  it('an error whose message already names its file is not told twice', () => {
    expect(describeError({ message: 'write failed for /raid/x.mxf', path: '/raid/x.mxf' })).toBe('write failed for /raid/x.mxf');
  });
});

describe('the virtualised clip grid', () => {
  it('draws only the rows on screen (and two either side) of 10,000 clips', () => {
    const l = layout(10_000, 1000, { minCellWidth: 248, rowHeight: 236 });
    expect(l.columns).toBe(4);
    expect(l.height).toBe(2500 * 236);
    const { first, last } = visibleRange(l, 10_000, 236 * 1000, 800);
    expect(first).toBe(998 * 4);
    expect(last - first + 1).toBeLessThanOrEqual(4 * 9);
    expect(position(l, 4001)).toEqual({ top: 1000 * 236, left: 250 });
    expect(pagesOf(first, last, 200)).toEqual([19, 20]);
  });

  it('moves with the arrows, Home, End and the page keys, never past either end', () => {
    expect(moveIndex('ArrowDown', 5, 100, 4, 3)).toBe(9);
    expect(moveIndex('ArrowUp', 2, 100, 4, 3)).toBe(0);
    expect(moveIndex('PageDown', 0, 100, 4, 3)).toBe(12);
    expect(moveIndex('End', 0, 100, 4, 3)).toBe(99);
    expect(moveIndex('ArrowRight', 99, 100, 4, 3)).toBe(99);
    expect(moveIndex('a', 0, 100, 4, 3)).toBeUndefined();
  });
});

describe('routes', () => {
  it('reads the page from the fragment, and a search keeps its query and view', () => {
    expect(parseRoute('#/clips/42')).toEqual({ page: 'clip', id: 42 });
    expect(parseRoute(clipsHref('roll:A001 iso:800', 'list'))).toEqual({ page: 'clips', q: 'roll:A001 iso:800', view: 'list' });
    expect(parseRoute('#token=abc')).toEqual({ page: 'cards' });
    expect(parseRoute('')).toEqual({ page: 'cards' });
  });
});

describe('the Settings form', () => {
  const schema = JSON.parse(readFileSync(new URL('../schemas/config.schema.json', import.meta.url), 'utf8')) as JsonSchema & { $id: string };
  delete schema.properties!.token;

  it('picks a widget for every setting of the config schema (none falls back to raw JSON)', () => {
    const walk = (s: JsonSchema, key: string, path: string): string[] => {
      const w = widgetFor(key, s);
      const here = w === 'json' ? [path] : [];
      if (w === 'section') return [...here, ...Object.entries(s.properties!).flatMap(([k, p]) => walk(p, k, `${path}.${k}`))];
      if (w === 'object-list') return [...here, ...walk(s.items!, key, `${path}[]`)];
      return here;
    };
    expect(walk(schema, '', '')).toEqual([]);
    expect(widgetFor('destinations', schema.properties!.ingest!.properties!.destinations!)).toBe('path-list');
    expect(widgetFor('hashes', schema.properties!.ingest!.properties!.hashes!)).toBe('choice-set');
    expect(widgetFor('mountRoots', schema.properties!.ingest!.properties!.mountRoots!)).toBe('bool-or-list');
    expect(widgetFor('kinds', schema.properties!.limits!.properties!.kinds!)).toBe('map');
    expect(widgetFor('webhooks', schema.properties!.webhooks!)).toBe('object-list');
  });

  it('labels keys for people, puts the ingest first, and knows which changes apply at once', () => {
    expect(labelOf('stableMs')).toBe('Stable (ms)');
    expect(labelOf('memoryMiB')).toBe('Memory (MiB)');
    expect(labelOf('maxAttempts')).toBe('Max attempts');
    expect(orderedKeys('', schema).slice(0, 3)).toEqual(['ingest', 'render', 'webhooks']);
    expect(orderedKeys('ingest', schema.properties!.ingest!).slice(0, 2)).toEqual(['watch', 'destinations']);
    const live = ['ingest', 'webhooks', 'render.thumbnails', 'render.proxies'];
    expect([isLive('ingest.layout', live), isLive('render.proxies.codec', live), isLive('render.runtime', live), isLive('port', live)]).toEqual([true, true, false, false]);
  });

  it('changes one value without touching the rest, and removes a key set back to its default', () => {
    const config = { port: 7420, ingest: { destinations: ['/r1'], stableMs: 5000 } };
    const next = withValue(config, 'ingest.stableMs', undefined);
    expect(next).toEqual({ port: 7420, ingest: { destinations: ['/r1'] } });
    expect(config.ingest.stableMs).toBe(5000);
    expect(valueAt(withValue(config, 'ingest.destinations.1', '/r2'), 'ingest.destinations')).toEqual(['/r1', '/r2']);
  });

  it('finds what ajv finds in the config schema, naming the field', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const check = ajv.compile(schema);
    const cases: unknown[] = [
      {},
      { ingest: { destinations: ['/raid1'], watch: ['/drop'], stableMs: 2000, hashes: ['xxh64', 'md5'], verify: 'full', mountRoots: false } },
      { ingest: { destinations: [] } },
      { ingest: { watch: ['/drop'] } },
      { ingest: { destinations: ['/r'], hashes: ['xxh64', 'xxh64'] } },
      { ingest: { destinations: ['/r'], mountRoots: 'yes' } },
      { port: 70000 },
      { concurrency: 0 },
      { webhooks: [{ url: 'ftp://nope' }] },
      { webhooks: [{ url: 'https://hooks.example/x', events: ['card.*'], headers: { Authorization: 'Bearer x' } }] },
      { limits: { kinds: { offload: 0 } } },
      { render: { cpus: 0, proxies: { out: '/p', codec: 'h264' } } },
      { colour: 'blue' },
    ];
    for (const c of cases) {
      const mine = validate(schema, c);
      expect(mine.length === 0, JSON.stringify(c)).toBe(check(c));
    }
    expect(validate(schema, { ingest: { destinations: [] } })).toEqual([{ path: 'ingest.destinations', message: 'needs at least 1 entry' }]);
    expect(validate(schema, { port: 70000 })).toEqual([{ path: 'port', message: 'must be at most 65535' }]);
    expect(validate(schema, { ingest: {} })).toEqual([{ path: 'ingest.destinations', message: 'is required' }]);
  });
});

describe('the New offload page and the Jobs page', () => {
  it('warns for each destination with less free space than the source holds', () => {
    const warnings = spaceWarnings(5e9, [
      { path: '/raid1', space: { totalBytes: 8e12, freeBytes: 2e12 } },
      { path: '/shuttle', space: { totalBytes: 4e9, freeBytes: 1.2e9 } },
      { path: '/not-yet-measured' },
    ]);
    expect(warnings).toEqual(['/shuttle has 1.20 GB free; the source holds 5.00 GB.']);
    expect(spaceWarnings(undefined, [{ path: '/x', space: { totalBytes: 1, freeBytes: 0 } }])).toEqual([]);
  });

  it('says what a job works on and how far it is (copy and read-back both count)', () => {
    const live = { offloadId: 'o', destinations: [dest('/raid1/A001', { bytesDone: 1000, verifiedBytes: 500 }), dest('/raid2/A001', { bytesDone: 500 })] };
    expect(jobFraction(job(), live)).toBeCloseTo(2000 / 4000);
    expect(jobFraction(job({ kind: 'render', payload: {}, progress: { framesDone: 12, framesTotal: 48 } }))).toBe(0.25);
    expect(jobFraction(job({ state: 'succeeded' }))).toBe(1);
    expect(jobSubject(job())).toBe('/watch/A001R1AB → raid1, raid2');
  });

  it('offers a plate that fits the clip, handles included', () => {
    expect(plateDefaults(12)).toEqual({ first: 2, last: 9, handles: 2 });
    expect(plateDefaults(2400)).toEqual({ first: 8, last: 55, handles: 8 });
    expect(plateDefaults(1)).toEqual({ first: 0, last: 0, handles: 0 });
  });

  it('formats sizes and times as a DIT reads them', () => {
    expect([formatBytes(999), formatBytes(1_500_000), formatBytes(256e9)]).toEqual(['999 B', '1.50 MB', '256 GB']);
    expect([formatDuration(65), formatDuration(3725), formatDuration(null)]).toEqual(['1:05', '1:02:05', '—']);
  });
});
