/**
 * Webhook deliveries are durable jobs: enqueued with the card event that caused them,
 * retried on 5xx and unreachable receivers, dead at once on a refusing 4xx.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { until } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-webhooks-');
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function receiver(statuses: number[]): Promise<{ url: string; bodies: unknown[]; headers: Record<string, unknown>[] }> {
  const state = { url: '', bodies: [] as unknown[], headers: [] as Record<string, unknown>[] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      state.bodies.push(JSON.parse(body));
      state.headers.push(req.headers);
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  cleanup.push(() => new Promise((r) => server.close(r)));
  return state;
}

describe('webhooks', () => {
  it('retries a receiver that fails, gives up at once on one that refuses, and filters by event type', async () => {
    const flaky = await receiver([500, 503]);
    const refusing = await receiver([410]);
    const engine = new Engine({
      home: join(scratch(), 'home'),
      backoff: { baseMs: 20, maxMs: 50 },
      webhooks: [
        { url: flaky.url, events: ['card.detected'], headers: { authorization: 'Bearer hook-secret' } },
        { url: refusing.url, events: ['card.*'] },
      ],
    });
    cleanup.push(() => engine.stop(1000));
    await engine.start();
    const card = engine.cards.create('/media/dit/A001', 'A001');
    engine.cards.update(card.id, { state: 'failed' }, { type: 'card.failed', data: { why: 'test' } });

    await until(() => engine.queue.list({ kind: 'webhook' }).every((j) => j.state === 'succeeded' || j.state === 'dead') && engine.queue.list({ kind: 'webhook' }).length === 3);
    const jobs = engine.queue.list({ kind: 'webhook' }).reverse();
    // The flaky receiver got card.detected three times (two failures, then accepted); card.failed was not for it.
    expect(flaky.bodies).toHaveLength(3);
    expect(flaky.bodies[2]).toMatchObject({ type: 'card.detected', card: { id: card.id, path: '/media/dit/A001', label: 'A001' } });
    expect(flaky.headers[0].authorization).toBe('Bearer hook-secret');
    expect(jobs[0]).toMatchObject({ state: 'succeeded', attempts: 3 });
    // The refusing one: its first delivery is dead after one attempt, with the status in the error.
    const refused = jobs.find((j) => (j.payload as { url: string }).url === refusing.url && j.state === 'dead')!;
    expect(refused).toMatchObject({ attempts: 1, lastError: { code: 'WEBHOOK_REFUSED' } });
    expect(refused.lastError!.message).toMatch(/answered 410/);
    expect(refusing.bodies.map((b) => (b as { type: string }).type)).toEqual(['card.detected', 'card.failed']);
  });
});
