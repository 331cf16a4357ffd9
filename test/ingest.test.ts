/**
 * Automatic ingest through the real daemon: cards are copied slowly into a watched folder
 * (pausing, as a stalled copy does); the daemon waits for them to settle, identifies them,
 * offloads each exactly once and verifies it, reports a re-inserted card as a duplicate and
 * a same-named card with other content as a conflict, and tells a webhook — which fails at
 * first — about all of it.
 */
import { createServer, type Server } from 'node:http';
import { cpSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Card, CardEvent } from '../core/watch/card-store.ts';
import type { Job } from '../core/queue/index.ts';
import { makeSmallCard, pseudoRandomBytes, writeFile } from './helpers/card.ts';
import { makeBrawCard, makeDpxCard, makeRedCard, makeSonyCard } from './helpers/cameras.ts';
import { runCli } from './helpers/cli.ts';
import { startDaemon, type DaemonProcess } from './helpers/daemon.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { slowCopy } from './helpers/slow-copy.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-ingest-');
const cleanup: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const STABLE_MS = 1500;

/** A webhook receiver that answers 503 to the first delivery, then 200. */
async function webhookReceiver(): Promise<{ url: string; received: { type: string; card: Card }[]; refused: number }> {
  const state = { url: '', received: [] as { type: string; card: Card }[], refused: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (state.refused === 0) {
        state.refused++;
        res.writeHead(503).end();
        return;
      }
      state.received.push(JSON.parse(body) as { type: string; card: Card });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  cleanup.push(() => new Promise((r) => server.close(r)));
  return state;
}

async function cardIn(daemon: DaemonProcess, path: string, states: Card['state'][], after = 0): Promise<Card> {
  return waitFor(`a card at ${path} in ${states.join('/')}`, async () => {
    const { body } = await daemon.api<{ cards: Card[] }>('GET', '/api/cards');
    return body.cards.find((c) => c.path === path && c.id > after && states.includes(c.state));
  });
}

async function eventsOf(daemon: DaemonProcess, id: number): Promise<CardEvent[]> {
  return (await daemon.api<{ events: CardEvent[] }>('GET', `/api/cards/${id}`)).body.events;
}

/** Changes bytes in the middle of one file, keeping its size and mtime: other content under the same names. */
function alterContent(file: string): void {
  const st = statSync(file);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.from('other take'), 0, 10, Math.floor(st.size / 2));
  closeSync(fd);
  utimesSync(file, st.atime, st.mtime);
}

describe('automatic ingest', () => {
  async function ingestDaemon(base: string, webhookUrl?: string): Promise<{ daemon: DaemonProcess; watch: string; r1: string; r2: string }> {
    const watch = join(base, 'watch');
    const [r1, r2] = [join(base, 'raid1'), join(base, 'raid2')];
    mkdirSync(watch);
    const config = join(base, 'rushes.json');
    writeFileSync(
      config,
      JSON.stringify({
        backoff: { baseMs: 50, maxMs: 200 },
        ingest: { watch: [watch], mountRoots: false, destinations: [r1, r2], stableMs: STABLE_MS, pollMs: 100, layout: '{project}/{camera}/{roll}', project: 'Show' },
        ...(webhookUrl ? { webhooks: [{ url: webhookUrl, events: ['card.safe-to-eject', 'card.duplicate', 'card.conflict'] }] } : {}),
      }),
    );
    const daemon = await startDaemon(join(base, 'home'), ['--config', config]);
    cleanup.push(() => {
      daemon.child.kill('SIGTERM');
      return daemon.exited;
    });
    return { daemon, watch, r1, r2 };
  }

  it('offloads a slowly copied card once, then reports it again as a duplicate and a same-named card as a conflict', async () => {
    const base = scratch();
    const hook = await webhookReceiver();
    const { daemon, watch, r1, r2 } = await ingestDaemon(base, hook.url);

    // 1. A card arrives slowly, stalling for most of the stability window halfway through.
    const original = join(base, 'staging', 'A001R1AB');
    makeSmallCard(original);
    const inserted = join(watch, 'A001R1AB');
    const copied = await slowCopy(original, inserted, { chunkBytes: 1 << 20, pauseMs: 150, stallMs: STABLE_MS - 500 });
    const card = await cardIn(daemon, inserted, ['verified', 'failed', 'conflict', 'duplicate']);
    expect(card).toMatchObject({ state: 'verified', safeToEject: true, camera: 'arri', roll: 'A001', files: 6 });
    const events = await eventsOf(daemon, card.id);
    expect(events.map((e) => e.type)).toEqual(['card.detected', 'card.identified', 'card.offload-started', 'card.safe-to-eject']);
    const started = events.find((e) => e.type === 'card.offload-started')!;
    // Not picked up early: the offload began only after the last byte plus the window.
    expect(started.at).toBeGreaterThanOrEqual(copied + STABLE_MS - 50);
    for (const root of [r1, r2]) {
      const verify = await runCli(['verify', join(root, 'Show', 'ARRI', 'A001')]);
      expect(verify.code, verify.stderr).toBe(0);
    }

    // 2. The same card again (pulled and re-inserted): a duplicate, not copied again.
    rmSync(inserted, { recursive: true });
    await waitFor('the card to be removed', async () => ((await daemon.api<{ card: Card }>('GET', `/api/cards/${card.id}`)).body.card.present ? undefined : true));
    cpSync(original, inserted, { recursive: true, preserveTimestamps: true });
    const again = await cardIn(daemon, inserted, ['duplicate', 'verified', 'conflict', 'failed'], card.id);
    expect(again).toMatchObject({ state: 'duplicate', relatedCard: card.id, fingerprint: card.fingerprint });

    // 3. Another card with the same roll name and file names but other content: a conflict, never merged.
    rmSync(inserted, { recursive: true });
    await waitFor('the duplicate to be removed', async () => ((await daemon.api<{ card: Card }>('GET', `/api/cards/${again.id}`)).body.card.present ? undefined : true));
    const other = join(base, 'staging2', 'A001R1AB');
    cpSync(original, other, { recursive: true, preserveTimestamps: true });
    alterContent(join(other, 'A001C002_260314_R1AB.mxf'));
    const before = readFileSync(join(r1, 'Show', 'ARRI', 'A001', 'A001C002_260314_R1AB.mxf'));
    cpSync(other, inserted, { recursive: true, preserveTimestamps: true });
    const conflict = await cardIn(daemon, inserted, ['conflict', 'verified', 'duplicate', 'failed'], again.id);
    expect(conflict).toMatchObject({ state: 'conflict', relatedCard: card.id, roll: 'A001' });
    expect(readFileSync(join(r1, 'Show', 'ARRI', 'A001', 'A001C002_260314_R1AB.mxf')).equals(before)).toBe(true);

    // Starting it as it is is refused; under another roll name it goes to its own folder.
    const refused = await daemon.api<{ error: { message: string } }>('POST', `/api/cards/${conflict.id}/offload`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/another roll name/);
    const restarted = await daemon.api<{ card: Card; job: Job }>('POST', `/api/cards/${conflict.id}/offload`, { roll: 'A001_B' });
    expect(restarted.status).toBe(202);
    const renamed = await cardIn(daemon, inserted, ['verified', 'failed'], again.id);
    expect(renamed).toMatchObject({ id: conflict.id, state: 'verified', roll: 'A001_B', targets: [join(r1, 'Show', 'ARRI', 'A001_B'), join(r2, 'Show', 'ARRI', 'A001_B')] });

    // Exactly one offload per copy made: the first card and the renamed one.
    const jobs = await daemon.api<{ jobs: Job[] }>('GET', '/api/jobs?kind=offload');
    expect(jobs.body.jobs).toHaveLength(2);

    // The webhook heard everything it asked for, though its first delivery was refused.
    await waitFor('webhook deliveries', async () => (hook.received.length >= 4 ? true : undefined));
    expect(hook.refused).toBe(1);
    expect(hook.received.map((r) => [r.type, r.card.id])).toEqual([
      ['card.safe-to-eject', card.id],
      ['card.duplicate', again.id],
      ['card.conflict', conflict.id],
      ['card.safe-to-eject', conflict.id],
    ]);
  }, 120_000);

  it('a card pulled mid-offload fails naming what it could not read; inserted again, its offload resumes and verifies', async () => {
    const base = scratch();
    const { daemon, watch, r1 } = await ingestDaemon(base);
    const original = join(base, 'staging', 'B001R2CD');
    const t = new Date('2026-11-23T09:00:00Z');
    for (let i = 0; i < 96; i++) {
      writeFile(original, `B001C${String(i + 1).padStart(3, '0')}_261123_R2CD.mxf`, pseudoRandomBytes(8 << 20, 1000 + i), new Date(t.getTime() + i * 1000));
    }
    const inserted = join(watch, 'B001R2CD');
    cpSync(original, inserted, { recursive: true, preserveTimestamps: true });
    const offloading = await cardIn(daemon, inserted, ['offloading']);
    // Pull it as soon as the copy is under way (the offload is fast enough to finish a card this size within a second).
    await waitFor('the copy to start', async () => {
      const { job } = (await daemon.api<{ job: Job }>('GET', `/api/jobs/${offloading.jobId}`)).body;
      const progress = job.progress as { destinations?: { bytesDone: number }[] } | undefined;
      return job.state === 'running' && progress?.destinations?.some((d) => d.bytesDone > 0) ? true : undefined;
    });
    rmSync(inserted, { recursive: true });
    const failed = await cardIn(daemon, inserted, ['failed', 'verified']);
    expect(failed.state).toBe('failed');
    expect(failed.present).toBe(false);
    expect(failed.error!.message).toContain(inserted);

    cpSync(original, inserted, { recursive: true, preserveTimestamps: true });
    const resumed = await cardIn(daemon, inserted, ['verified', 'failed', 'conflict', 'duplicate'], failed.id);
    expect(resumed).toMatchObject({ state: 'verified', safeToEject: true, fingerprint: failed.fingerprint });
    const job = (await daemon.api<{ job: Job }>('GET', `/api/jobs/${resumed.jobId}`)).body.job;
    expect((job.result as { resumedFiles: number }).resumedFiles).toBeGreaterThan(0);
    const verify = await runCli(['verify', join(r1, 'Show', 'ARRI', 'B001')]);
    expect(verify.code, verify.stderr).toBe(0);
  }, 120_000);

  it('a card that gains a file after it was marked safe loses that mark and is offloaded again into the same folders', async () => {
    const base = scratch();
    const { daemon, watch, r1, r2 } = await ingestDaemon(base);
    const original = join(base, 'staging', 'A001R1AB');
    makeSmallCard(original);
    const inserted = join(watch, 'A001R1AB');
    cpSync(original, inserted, { recursive: true, preserveTimestamps: true });
    const first = await cardIn(daemon, inserted, ['verified', 'failed', 'conflict', 'duplicate']);
    expect(first).toMatchObject({ state: 'verified', safeToEject: true });

    // The copy into the watch folder goes on after a pause longer than the window.
    writeFile(inserted, 'A001C004_260314_R1AB.mxf', pseudoRandomBytes(2_000_000, 99));
    await waitFor('the card to lose safe-to-eject', async () => ((await daemon.api<{ card: Card }>('GET', `/api/cards/${first.id}`)).body.card.safeToEject ? undefined : true));
    const again = await waitFor('the card verified again', async () => {
      const { card, events } = (await daemon.api<{ card: Card; events: CardEvent[] }>('GET', `/api/cards/${first.id}`)).body;
      return card.state === 'verified' && events.filter((e) => e.type === 'card.safe-to-eject').length === 2 ? { card, events } : undefined;
    });
    expect(again.card).toMatchObject({ id: first.id, safeToEject: true, files: 7, targets: first.targets });
    const changed = again.events.find((e) => e.type === 'card.changed')!;
    expect(changed.data).toMatchObject({ files: 1, first: ['A001C004_260314_R1AB.mxf'] });
    expect(again.events.map((e) => e.type)).toEqual([
      'card.detected', 'card.identified', 'card.offload-started', 'card.safe-to-eject',
      'card.changed', 'card.identified', 'card.offload-started', 'card.safe-to-eject',
    ]);
    const jobs = await daemon.api<{ jobs: Job[] }>('GET', '/api/jobs?kind=offload');
    expect(jobs.body.jobs).toHaveLength(2);
    for (const root of [r1, r2]) {
      const dest = join(root, 'Show', 'ARRI', 'A001');
      expect(readFileSync(join(dest, 'A001C004_260314_R1AB.mxf')).equals(readFileSync(join(inserted, 'A001C004_260314_R1AB.mxf')))).toBe(true);
      const verify = await runCli(['verify', dest]);
      expect(verify.code, verify.stderr).toBe(0);
    }
  }, 120_000);

  it('a card that gained a file while the daemon was down is offloaded again after the restart, not taken for another card', async () => {
    const base = scratch();
    const { daemon, watch, r1 } = await ingestDaemon(base);
    const inserted = join(watch, 'A001R1AB');
    makeSmallCard(inserted);
    const first = await cardIn(daemon, inserted, ['verified', 'failed', 'conflict', 'duplicate']);
    expect(first.state).toBe('verified');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);

    writeFile(inserted, 'A001C004_260314_R1AB.mxf', pseudoRandomBytes(1_000_000, 98));
    const restarted = await startDaemon(join(base, 'home'), ['--config', join(base, 'rushes.json')]);
    cleanup.push(() => {
      restarted.child.kill('SIGTERM');
      return restarted.exited;
    });
    const again = await waitFor('the card verified again', async () => {
      const { card, events } = (await restarted.api<{ card: Card; events: CardEvent[] }>('GET', `/api/cards/${first.id}`)).body;
      return events.filter((e) => e.type === 'card.safe-to-eject').length === 2 && card.state === 'verified' ? { card, events } : undefined;
    });
    expect(again.card).toMatchObject({ present: true, safeToEject: true, files: 7 });
    expect(again.events.find((e) => e.type === 'card.changed')!.data).toMatchObject({ files: 1, first: ['A001C004_260314_R1AB.mxf'] });
    const { body } = await restarted.api<{ cards: Card[] }>('GET', '/api/cards');
    expect(body.cards.map((c) => c.id)).toEqual([first.id]);
    const verify = await runCli(['verify', join(r1, 'Show', 'ARRI', 'A001')]);
    expect(verify.code, verify.stderr).toBe(0);
  }, 120_000);

  it('offloads cards of several cameras arriving together, each once, into its camera folder', async () => {
    const base = scratch();
    const { daemon, watch, r2 } = await ingestDaemon(base);
    const cards = [
      { folder: 'C003_RED', make: makeRedCard, camera: 'red', layoutName: 'RED', roll: 'C003' },
      { folder: 'D004_FX9', make: makeSonyCard, camera: 'sony', layoutName: 'Sony', roll: 'D004' },
      { folder: 'PLATES', make: makeDpxCard, camera: 'dpx-sequence', layoutName: 'DPX', roll: 'PLATES' },
      { folder: 'E005', make: makeBrawCard, camera: 'blackmagic', layoutName: 'Blackmagic', roll: 'E005' },
    ];
    // Every card is generated before any copy starts: generation runs ffmpeg synchronously,
    // and a copy frozen behind it for longer than the window would look like a finished card.
    const staged = cards.map((c, i) => {
      const staging = join(base, 'staging', c.folder);
      c.make(staging, { roll: c.roll, seed: 10 + i });
      return staging;
    });
    await Promise.all(cards.map((c, i) => slowCopy(staged[i]!, join(watch, c.folder), { chunkBytes: 64 * 1024, pauseMs: 20 })));
    for (const c of cards) {
      const card = await cardIn(daemon, join(watch, c.folder), ['verified', 'failed', 'conflict', 'duplicate']);
      expect(card, c.folder).toMatchObject({ state: 'verified', camera: c.camera, roll: c.roll, safeToEject: true });
      const verify = await runCli(['verify', join(r2, 'Show', c.layoutName, c.roll)]);
      expect(verify.code, verify.stderr).toBe(0);
    }
    const jobs = await daemon.api<{ jobs: Job[] }>('GET', '/api/jobs?kind=offload');
    expect(jobs.body.jobs).toHaveLength(cards.length);
  }, 120_000);
});
