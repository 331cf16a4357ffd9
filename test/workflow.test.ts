import { describe, expect, it } from 'vitest';
import { openStore } from '../core/store/db.ts';
import { JobQueue, Runner, type Job, type JobEvent } from '../core/queue/index.ts';
import { attachRules, enabledRules, plan, type Rule } from '../core/workflow/rules.ts';
import { standardRules } from '../core/workflow/standard-rules.ts';
import type { Card, CardEvent } from '../core/watch/card-store.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-workflow-');

/** The examples of the design: an offload fans out to one inspect per clip, and fans back in to "card ready". */
const offloadToInspect: Rule<'job'> = {
  name: 'inspect-clips',
  on: { type: 'succeeded', kind: 'offload' },
  produces: ['inspect', 'card-ready'],
  when: (job) => Array.isArray((job.result as { clips?: string[] })?.clips),
  then: (job) => {
    const { clips, roll } = job.result as { clips: string[]; roll: string };
    const inspects = clips.map((clip) => ({ key: `inspect:${clip}`, kind: 'inspect', payload: { clip, roll } }));
    return [...inspects, { key: 'ready', kind: 'card-ready', payload: { roll }, after: inspects.map((i) => i.key) }];
  },
};

function job(partial: Partial<Job>): Job {
  return { id: 1, kind: 'offload', payload: null, state: 'succeeded', priority: 0, runAfter: 0, attempts: 1, maxAttempts: 3, resources: [], depth: 0, pendingParents: 0, cancelRequested: false, createdAt: 0, updatedAt: 0, ...partial };
}
const succeeded = (j: Job): JobEvent => ({ topic: 'job', jobId: j.id, kind: j.kind, type: 'succeeded', at: 0 });

describe('workflow rules (pure)', () => {
  it('maps an event and a condition to follow-up jobs with derived idempotency keys and depth', () => {
    const j = job({ id: 7, result: { clips: ['A001C001.mov', 'A001C002.mov'], roll: 'A001' } });
    const { specs, refused } = plan([offloadToInspect], succeeded(j), j);
    expect(refused).toEqual([]);
    expect(specs.map((s) => [s.kind, s.idempotencyKey, s.depth])).toEqual([
      ['inspect', 'rule:inspect-clips:7:inspect:A001C001.mov', 1],
      ['inspect', 'rule:inspect-clips:7:inspect:A001C002.mov', 1],
      ['card-ready', 'rule:inspect-clips:7:ready', 1],
    ]);
    expect(specs[2].parentKeys).toEqual(['rule:inspect-clips:7:inspect:A001C001.mov', 'rule:inspect-clips:7:inspect:A001C002.mov']);
  });

  it('does not fire on other kinds, other events, or when the condition is false', () => {
    const j = job({ result: { roll: 'A001' } });
    expect(plan([offloadToInspect], succeeded(j), j).specs).toEqual([]);
    const other = job({ kind: 'render', result: { clips: ['x'] } });
    expect(plan([offloadToInspect], succeeded(other), other).specs).toEqual([]);
    const failed = job({ result: { clips: ['x'] } });
    expect(plan([offloadToInspect], { ...succeeded(failed), type: 'failed' }, failed).specs).toEqual([]);
  });

  it('refuses to go deeper than the loop guard', () => {
    const j = job({ depth: 16, result: { clips: ['a'], roll: 'A' } });
    expect(plan([offloadToInspect], succeeded(j), j, 16)).toEqual({ specs: [], cardChanges: [], refused: ['inspect-clips'] });
  });

  it('enables only rules whose every produced kind has a handler', () => {
    expect(enabledRules([offloadToInspect], ['offload', 'inspect'])).toEqual([]);
    expect(enabledRules([offloadToInspect], ['inspect', 'card-ready'])).toEqual([offloadToInspect]);
  });
});

describe('workflow rules on a real queue', () => {
  async function drain(runner: Runner): Promise<void> {
    await runner.idle();
  }

  it('offload succeeded → one inspect per clip → card ready after every inspect', async () => {
    const queue = new JobQueue(openStore(scratch()));
    attachRules(queue, [offloadToInspect]);
    const order: string[] = [];
    const runner = new Runner(queue, {
      concurrency: 4,
      handlers: {
        offload: async () => ({ roll: 'A001', clips: ['C001.mov', 'C002.mov', 'C003.mov'] }),
        inspect: async ({ job }) => void order.push(`inspect ${(job.payload as { clip: string }).clip}`),
        'card-ready': async () => void order.push('ready'),
      },
    });
    runner.start();
    queue.enqueue({ kind: 'offload' });
    await drain(runner);
    await runner.stop();
    expect(order.slice(0, 3).sort()).toEqual(['inspect C001.mov', 'inspect C002.mov', 'inspect C003.mov']);
    expect(order[3]).toBe('ready');
    expect(queue.counts()).toMatchObject({ succeeded: 5, queued: 0, waiting: 0 });
  });

  it('a rule that re-enqueues its own kind stops at the depth guard and says so in the log', async () => {
    const queue = new JobQueue(openStore(scratch()));
    const forever: Rule<'job'> = { name: 'again', on: { type: 'succeeded', kind: 'loop' }, produces: ['loop'], then: () => [{ key: 'next', kind: 'loop' }] };
    attachRules(queue, [forever], 5);
    const runner = new Runner(queue, { concurrency: 2, handlers: { loop: async () => undefined } });
    runner.start();
    queue.enqueue({ kind: 'loop' });
    await drain(runner);
    await runner.stop();
    expect(queue.counts().succeeded).toBe(6); // depth 0 … 5
    const refused = queue.events().filter((e) => e.type === 'rule-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0].data).toEqual({ rule: 'again', depth: 5, maxDepth: 5 });
  });

  it('the same event never enqueues twice, even when the rule runs again', () => {
    const queue = new JobQueue(openStore(scratch()));
    const j = job({ id: 3, result: { clips: ['a'], roll: 'A' } });
    const { specs } = plan([offloadToInspect], succeeded(j), j);
    queue.enqueueMany(specs);
    const again = queue.enqueueMany(specs);
    expect(again.every((e) => !e.created)).toBe(true);
    expect(queue.list()).toHaveLength(2);
  });
});

describe('the standard rules, as data', () => {
  const rules = standardRules({ home: '/home/dit/.rushes', webhooks: [{ url: 'http://hooks.example/a', events: ['card.safe-to-eject'] }], writeCardHistory: true });
  const summary = (checkKinds: string[], complete = true) => ({
    offloadId: 'o1', source: '/media/A001', roll: 'A001', status: 'completed', files: 2, bytes: 10, resumedFiles: 0, durationMs: 1, rate: 1, failures: [], moreFailures: 0,
    destinations: [{ destination: '/raid1/Day01/A001', complete, verifiedFiles: 2, failedFiles: 0, checkKinds }, { destination: '/raid2/Day01/A001', complete, verifiedFiles: 2, failedFiles: 0, checkKinds }],
  });
  const offloadJob = (verify: string, result: unknown, of: { cardId?: number } = { cardId: 4 }) => job({ id: 9, payload: { source: '/media/A001', destinations: ['/raid1/Day01', '/raid2/Day01'], hashes: ['xxh64'], verify, sourceVerify: false, roll: 'A001', ...of }, result });
  const card: Card = { id: 4, path: '/media/A001', present: true, state: 'verified', targets: ['/raid1/Day01/A001', '/raid2/Day01/A001'], safeToEject: true, detectedAt: 0, updatedAt: 0 };
  const cardEvent = (type: CardEvent['type'], seq = 31): CardEvent => ({ topic: 'card', seq, cardId: 4, type, at: 5 });

  it('after an offload: inspect its best destination; a card read back everywhere is safe to eject', () => {
    const j = offloadJob('full', summary(['full-direct']));
    const p = plan(rules, succeeded(j), j);
    expect(p.specs.map((s) => [s.kind, s.payload, s.idempotencyKey])).toEqual([['inspect-offload', { offloadId: 'o1', root: '/raid1/Day01/A001', roll: 'A001', cardId: 4 }, 'rule:inspect-after-offload:9:inspect']]);
    expect(p.cardChanges).toEqual([{ card: 4, from: ['offloading'], change: { state: 'verified', finishedAt: 0 }, event: { type: 'card.safe-to-eject', data: { job: 9, targets: ['/raid1/Day01/A001', '/raid2/Day01/A001'], files: 2, bytes: 10 } } }]);
  });

  it('a card checked by size only is copied, never safe; a dead offload fails the card with its error; an offload of no card moves none', () => {
    const sized = offloadJob('size', summary(['size']));
    expect(plan(rules, succeeded(sized), sized).cardChanges[0]).toMatchObject({ change: { state: 'copied' }, event: { type: 'card.copied' } });
    const dead = offloadJob('full', undefined);
    const error = { code: 'DEST_FULL', message: 'destination is full writing /raid1/Day01/A001/C002.mov', path: '/raid1/Day01/A001/C002.mov' };
    expect(plan(rules, { ...succeeded(dead), type: 'dead', data: { error } }, dead).cardChanges).toEqual([
      { card: 4, from: ['offloading'], change: { state: 'failed', error, finishedAt: 0 }, event: { type: 'card.failed', data: { job: 9, error } } },
    ]);
    const cli = offloadJob('full', summary(['full-direct']), {});
    expect(plan(rules, succeeded(cli), cli).cardChanges).toEqual([]);
  });

  it('fans out one inspection per clip, then a thumbnail for each clip ffmpeg can decode', () => {
    const units = [{ relativePath: 'C001.mov' }, { relativePath: 'C002.mov' }];
    const j = job({ id: 12, kind: 'inspect-offload', result: { offloadId: 'o1', root: '/raid1/Day01/A001', roll: 'A001', units } });
    expect(plan(rules, succeeded(j), j).specs.map((s) => [s.kind, s.idempotencyKey, s.priority, s.depth])).toEqual([
      ['inspect', 'rule:inspect-each-clip:12:C001.mov', -1, 1],
      ['inspect', 'rule:inspect-each-clip:12:C002.mov', -1, 1],
    ]);
    const inspectPayload = { root: '/raid1/Day01/A001', unit: units[0], roll: 'A001', offloadId: 'o1' };
    const decoded = job({ id: 13, kind: 'inspect', payload: inspectPayload, result: { clipId: 7, status: 'ok', poster: true, roll: 'A001', offloadId: 'o1' } });
    expect(plan(rules, succeeded(decoded), decoded).specs.map((s) => [s.kind, s.payload])).toEqual([
      ['render', { clipId: 7, request: { fn: 'thumbnail', outDir: '/home/dit/.rushes/thumbnails/7' }, roll: 'A001', rollFolder: '/raid1/Day01/A001', offloadId: 'o1' }],
    ]);
    const raw = job({ id: 14, kind: 'inspect', payload: inspectPayload, result: { clipId: 8, status: 'ok', poster: false } });
    expect(plan(rules, succeeded(raw), raw).specs).toEqual([]);
  });

  it('with cloud sync: originals follow an offload from its start, metadata waits for every clip, each render\'s outputs follow it', () => {
    const sync = { to: 's3://show/dailies/', endpoint: 'default', layout: '{project}/{date}/{roll}/{path}', include: ['metadata', 'outputs', 'originals'] as const };
    const synced = standardRules({ home: '/home/dit/.rushes', sync: { ...sync, include: [...sync.include] } });
    const base = { to: sync.to, endpoint: 'default', layout: sync.layout, roll: 'A001' };

    const offload = offloadJob('full', undefined);
    const started = plan(synced, { ...succeeded(offload), type: 'started' }, offload).specs;
    expect(started.map((s) => [s.kind, s.payload, s.priority])).toEqual([['sync', { ...base, part: 'originals', rollFolder: '/raid1/Day01/A001', cardId: 4, followJobId: 9 }, -4]]);

    const units = [{ relativePath: 'C001.mov' }, { relativePath: 'C002.mov' }];
    const inspected = job({ id: 12, kind: 'inspect-offload', result: { offloadId: 'o1', root: '/raid1/Day01/A001', roll: 'A001', units, cardId: 4 } });
    const metadata = plan(synced, succeeded(inspected), inspected).specs.find((s) => s.kind === 'sync')!;
    expect(metadata).toMatchObject({ payload: { ...base, part: 'metadata', rollFolder: '/raid1/Day01/A001', offloadId: 'o1', cardId: 4 }, priority: -1 });
    expect(metadata.parentKeys).toEqual(['rule:inspect-each-clip:12:C001.mov', 'rule:inspect-each-clip:12:C002.mov']);

    const request = { fn: 'thumbnail' as const, outDir: '/home/dit/.rushes/thumbnails/7' };
    const rendered = job({ id: 20, kind: 'render', payload: { clipId: 7, request, roll: 'A001', rollFolder: '/raid1/Day01/A001', offloadId: 'o1' }, result: { outputs: [{ path: '/home/dit/.rushes/thumbnails/7/C001.jpg' }] } });
    expect(plan(synced, succeeded(rendered), rendered).specs.map((s) => [s.kind, s.payload, s.priority])).toEqual([
      ['sync', { ...base, part: 'outputs', rollFolder: '/raid1/Day01/A001', offloadId: 'o1', outputs: ['/home/dit/.rushes/thumbnails/7/C001.jpg'] }, -3],
    ]);
    // Without sync in the settings, none of it.
    expect(plan(rules, { ...succeeded(offload), type: 'started' }, offload).specs).toEqual([]);
  });

  it('a card safe to eject gets its history and the webhooks that ask for it, once per event', () => {
    const p = plan(rules, cardEvent('card.safe-to-eject'), card);
    expect(p.specs.map((s) => [s.kind, s.idempotencyKey])).toEqual([
      ['card-history', 'rule:card-history-after-verify:card-event:31:history'],
      ['webhook', 'rule:webhooks:card-event:31:webhook:0'],
    ]);
    expect(p.specs[0].payload).toEqual({ cardId: 4, from: '/raid1/Day01/A001', to: '/media/A001' });
    expect(plan(rules, cardEvent('card.detected', 32), card).specs).toEqual([]);
  });
});
