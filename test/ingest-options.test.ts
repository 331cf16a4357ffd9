/**
 * Ingest settings that change what happens to a card: waiting for confirmation, a verify
 * mode that does not read back (never safe to eject), and writing the history to the card.
 * An in-process engine and server on real folders.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import { startServer } from '../core/server/index.ts';
import type { Card } from '../core/watch/card-store.ts';
import type { IngestConfig } from '../core/watch/settings.ts';
import { copyCard, makeCanonCard } from './helpers/cameras.ts';
import { runCli } from './helpers/cli.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-ingest-options-');
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function engineWith(ingest: Partial<IngestConfig>) {
  const base = scratch();
  const watch = join(base, 'watch');
  mkdirSync(watch);
  const destinations = [join(base, 'raid1'), join(base, 'raid2')];
  const engine = new Engine({ home: join(base, 'home'), ingest: { watch: [watch], mountRoots: false, destinations, stableMs: 300, pollMs: 50, ...ingest } });
  const server = await startServer(engine.api, { host: '127.0.0.1', port: 0 });
  await engine.start();
  cleanup.push(async () => {
    await server.close();
    await engine.stop(2000);
  });
  const cardAt = (path: string, states: Card['state'][]) => waitFor(`a card in ${states.join('/')}`, () => engine.cards.list().find((c) => c.path === path && states.includes(c.state)), 30_000);
  return { base, watch, destinations, engine, server, cardAt };
}

describe('ingest options', () => {
  it('with autoStart off, a card waits until it is started through the API', async () => {
    const { base, watch, engine, server, cardAt } = await engineWith({ autoStart: false });
    const staging = join(base, 'staging', 'A002');
    makeCanonCard(staging, { roll: 'A002' });
    copyCard(staging, join(watch, 'A002'));
    const waiting = await cardAt(join(watch, 'A002'), ['waiting']);
    expect(waiting).toMatchObject({ camera: 'canon', roll: 'A002', jobId: undefined });
    expect(engine.queue.list({ kind: 'offload' })).toEqual([]);

    const post = (id: number) => fetch(`${server.url}/api/cards/${id}/offload`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    const res = await post(waiting.id);
    expect(res.status).toBe(202);
    const verified = await cardAt(join(watch, 'A002'), ['verified', 'failed']);
    expect(verified).toMatchObject({ state: 'verified', safeToEject: true });
    // Started twice? The second request is refused, naming why.
    const again = await post(waiting.id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(/is verified/);
    expect((await post(999)).status).toBe(404);
  });

  it('a card checked only by size is copied but never marked safe to eject', async () => {
    const { base, watch, engine, cardAt } = await engineWith({ verify: 'size' });
    const staging = join(base, 'staging', 'A003');
    makeCanonCard(staging, { roll: 'A003' });
    copyCard(staging, join(watch, 'A003'));
    const card = await cardAt(join(watch, 'A003'), ['copied', 'verified', 'failed']);
    expect(card).toMatchObject({ state: 'copied', safeToEject: false });
    const copied = engine.cards.events({ cardId: card.id }).find((e) => e.type === 'card.copied');
    expect((copied!.data as { reason: string }).reason).toMatch(/not marked safe to format/);
  });

  it('leaves the card untouched unless writeCardHistory is on, then gives it the ascmhl history', async () => {
    const untouched = await engineWith({});
    const a = join(untouched.base, 'staging', 'A004');
    makeCanonCard(a, { roll: 'A004' });
    copyCard(a, join(untouched.watch, 'A004'));
    await untouched.cardAt(join(untouched.watch, 'A004'), ['verified']);
    expect(existsSync(join(untouched.watch, 'A004', 'ascmhl'))).toBe(false);

    const writing = await engineWith({ writeCardHistory: true });
    const b = join(writing.base, 'staging', 'A005');
    makeCanonCard(b, { roll: 'A005' });
    copyCard(b, join(writing.watch, 'A005'));
    await writing.cardAt(join(writing.watch, 'A005'), ['verified']);
    const history = join(writing.watch, 'A005', 'ascmhl');
    await waitFor('the history on the card', () => (existsSync(join(history, 'ascmhl_chain.xml')) ? true : undefined), 10_000);
    expect(readdirSync(history).sort()).toEqual(readdirSync(join(writing.destinations[0], 'A005', 'ascmhl')).sort());
    // The card now verifies against its own history.
    const verify = await runCli(['verify', join(writing.watch, 'A005')]);
    expect(verify.code, verify.stderr).toBe(0);
  });
});
