import { describe, expect, it } from 'vitest';
import { openStore } from '../core/store/db.ts';
import { JobQueue, Runner, type Job, type JobEvent } from '../core/queue/index.ts';
import { attachRules, enabledRules, plan, type Rule } from '../core/workflow/rules.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-workflow-');

/** The examples of the design: an offload fans out to one inspect per clip, and fans back in to "card ready". */
const offloadToInspect: Rule = {
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
    expect(plan([offloadToInspect], succeeded(j), j, 16)).toEqual({ specs: [], refused: ['inspect-clips'] });
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
    const forever: Rule = { name: 'again', on: { type: 'succeeded', kind: 'loop' }, produces: ['loop'], then: () => [{ key: 'next', kind: 'loop' }] };
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
