/**
 * The web UI in Chromium against an engine on loopback (behind a token, so each load signs in):
 *  1. navigation to a usable Cards page with 50 cards (the page's own mark once they are drawn);
 *  2. navigation to a usable Clips grid over 10,000 clips with posters (virtualised), and a
 *     jump to the middle of the grid;
 *  3. a 10,000-file card copied into a watch folder and offloaded to two destinations while the
 *     Cards page is open: the events the engine made, the events the page applied, their rate,
 *     and how far behind the engine the page ever was; then synthetic offload events at rising
 *     rates, to find how many a second the page takes before it falls a second behind.
 * Targets: usable in under 1 s; never more than 1 s behind. Baselines in the same run: the raw
 * API answers the page waits for, and the engine's own event count and rate.
 *
 *   npm run bench -- ui [--rounds 5] [--cards 50] [--clips 10000] [--files 10000] [--kib 4]
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { Engine } from '../core/engine/engine.ts';
import type { ClipRecord } from '../core/inspect/types.ts';
import { startServer } from '../core/server/index.ts';
import { TOOL } from '../core/version.ts';
import { pseudoRandomBytes, writeFile } from '../test/helpers/card.ts';
import { browserSupport, launchChromium } from '../test/helpers/browser.ts';
import { numberArg } from './_args.ts';

const rounds = numberArg('rounds', 5);
const cardCount = numberArg('cards', 50);
const clipCount = numberArg('clips', 10_000);
const files = numberArg('files', 10_000);
const kib = numberArg('kib', 4);

const notReady = browserSupport();
if (notReady) throw new Error(notReady);

const TOKEN = 'bench-ui-token-0123456789';
const base = mkdtempSync(join(tmpdir(), 'rushes-bench-ui-'));
const [watch, raid1, raid2] = ['watch', 'raid1', 'raid2'].map((d) => join(base, d));
mkdirSync(watch);
const engine = new Engine({ home: join(base, 'home'), ingest: { watch: [watch], mountRoots: false, destinations: [raid1, raid2], stableMs: 1000, pollMs: 200 } });
const server = await startServer(engine.api, { host: '127.0.0.1', port: 0, token: TOKEN });
await engine.start();

/** The job the synthetic events of the last part are about: the first card shows them as its bars. */
const FIREHOSE_JOB = 999_999;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

// ---- the store: cards and clips as a day of shooting leaves them ------------------------

function seedCards(n: number): void {
  engine.bus.transaction(() => {
    for (let i = 0; i < n; i++) {
      const roll = `${String.fromCharCode(65 + (i % 4))}${String(i + 1).padStart(3, '0')}`;
      const card = engine.cards.create(join(base, 'media', `${roll}_CARD`), `${roll}_CARD`);
      const identity = { camera: 'arri' as const, roll, clips: 40, files: 412, bytes: 256e9, targets: [join(raid1, roll), join(raid2, roll)], identifiedAt: Date.now() };
      if (i % 25 === 24) engine.cards.update(card.id, { ...identity, state: 'failed', error: { code: 'SOURCE_UNREADABLE', message: `cannot read ${roll}_CARD/A001C003.mxf`, path: `${roll}_CARD/A001C003.mxf` } });
      else if (i % 10 === 9) engine.cards.update(card.id, { ...identity, state: 'duplicate' });
      else {
        engine.cards.update(card.id, { ...identity, state: 'offloading', ...(i === 0 ? { jobId: FIREHOSE_JOB } : {}) });
        if (i > 4) engine.cards.update(card.id, { state: 'verified' });
      }
    }
  });
}

function clipRecord(i: number): ClipRecord {
  const roll = `A${String(Math.floor(i / 100) + 1).padStart(3, '0')}`;
  const clipName = `${roll}C${String((i % 100) + 1).padStart(3, '0')}_261120_R1AB`;
  const root = join(raid1, roll);
  return {
    schemaVersion: 1,
    clipName,
    roll,
    kind: 'video',
    container: 'QuickTime',
    camera: { make: 'ARRI', model: 'ALEXA 35', isoSpeed: 800, whiteBalance: 5600, shutterAngle: 172.8 },
    lens: { model: 'Signature Prime 47mm', focalLength: 47 },
    colour: { space: 'ARRI Wide Gamut 4', gamma: 'LogC4' },
    video: { codec: 'prores', profile: '4444 XQ', width: 4608, height: 3164 },
    timecode: { start: `14:${String(i % 60).padStart(2, '0')}:07:00`, rate: 24, dropFrame: false },
    source: { path: join(root, `${clipName}.mov`), root, relativePath: `${clipName}.mov`, size: 2.4e9, files: 1 },
    raw: {},
    inspection: { status: 'ok', tools: ['ffprobe'], issues: [], inspectedAt: new Date().toISOString(), rushesVersion: TOOL.version },
  };
}

function seedClips(n: number): void {
  const poster = join(base, 'poster.jpg');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=480x270', '-frames:v', '1', poster]);
  engine.bus.transaction(() => {
    for (let i = 0; i < n; i++) engine.clips.setThumbnail(engine.clips.upsert(clipRecord(i)), poster);
  });
}

let t = performance.now();
seedCards(cardCount);
seedClips(clipCount);
console.log(`seeded ${cardCount} cards and ${clipCount} clips in ${Math.round(performance.now() - t)} ms`);

// ---- 1 and 2: navigation to a usable page ------------------------------------------------

const browser: Browser = await launchChromium();

async function apiMs(path: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  await res.arrayBuffer();
  return performance.now() - t0;
}

/** A fresh context (no cache), signed in as the desktop window signs in (the token traded for a session cookie). */
async function signedInContext() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const res = await context.request.post(`${server.url}/api/session`, { headers: { authorization: `Bearer ${TOKEN}` }, data: {} });
  if (res.status() !== 201) throw new Error(`no session: ${res.status()}`);
  return context;
}

/** From navigation to the page's own mark that it drew what the API gave it. */
async function timeToUsable(hash: string, mark: string, check: string): Promise<{ markMs: number; wallMs: number }> {
  const context = await signedInContext();
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(`${server.url}/${hash}`, { waitUntil: 'commit' });
  await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark, { polling: 'raf' });
  const wallMs = performance.now() - t0;
  const markMs = await page.evaluate((m) => performance.getEntriesByName(m)[0]!.startTime, mark);
  await page.locator(check).first().waitFor();
  await context.close();
  return { markMs, wallMs };
}

const cardsRuns: { markMs: number; wallMs: number }[] = [];
const clipsRuns: { markMs: number; wallMs: number }[] = [];
const apiCards: number[] = [];
const apiClips: number[] = [];
for (let r = 0; r < rounds; r++) {
  apiCards.push(await apiMs('/api/cards?limit=500'));
  apiClips.push(await apiMs('/api/clips?limit=200'));
  cardsRuns.push(await timeToUsable('#/cards', 'rushes:cards-usable', `article >> nth=${cardCount - 1}`));
  clipsRuns.push(await timeToUsable('#/clips', 'rushes:clips-usable', '.clip-cell img'));
  console.log(`round ${r + 1}: Cards usable ${Math.round(cardsRuns.at(-1)!.markMs)} ms, Clips grid usable ${Math.round(clipsRuns.at(-1)!.markMs)} ms after navigation`);
}

// A jump to the middle of the grid: the page there is fetched and drawn.
const jumpMs = await (async () => {
  const context = await signedInContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/#/clips`);
  await page.locator('.clip-cell img').first().waitFor();
  const t0 = performance.now();
  await page.locator('.clip-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  // Drawn: a clip (a link, not a placeholder) from the middle of the list.
  await page.waitForFunction((from) => [...document.querySelectorAll<HTMLElement>('a.clip-cell')].some((a) => Number(a.dataset.index) >= from), Math.floor(clipCount * 0.4), { polling: 'raf' });
  const ms = performance.now() - t0;
  await context.close();
  return ms;
})();

// ---- 3: the page during a 10,000-file offload ---------------------------------------------

const staging = join(base, 'staging', 'A900R1AB');
t = performance.now();
for (let i = 0; i < files; i++) writeFile(staging, `CLIPS/${String(Math.floor(i / 1000)).padStart(2, '0')}/A900C${String(i + 1).padStart(5, '0')}.ari`, pseudoRandomBytes(kib * 1024, i + 1), new Date('2026-11-20T14:00:00Z'));
console.log(`made a ${files}-file card in ${Math.round(performance.now() - t)} ms`);

const context = await signedInContext();
const page = await context.newPage();
await page.goto(`${server.url}/#/cards`);
await page.waitForFunction(() => document.querySelector('footer.status')?.getAttribute('data-connection') === 'live');
const footer = async () =>
  page.locator('footer.status').evaluate((f) => ({ events: Number(f.getAttribute('data-events')), maxLagMs: Number(f.getAttribute('data-max-lag-ms')), peakPerSecond: Number(f.getAttribute('data-peak-per-second')) }));
const before = await footer();

let engineEvents = 0;
let offloadEvents = 0;
let offloadStart = 0;
let offloadEnd = 0;
let finished!: () => void;
const done = new Promise<void>((resolve) => (finished = resolve));
const unsubscribe = engine.api.events.subscribe((e) => {
  engineEvents++;
  if (offloadStart && !offloadEnd) offloadEvents++;
  if (e.topic === 'card' && e.type === 'card.offload-started') offloadStart = performance.now();
  if (e.topic === 'card' && (e.type === 'card.safe-to-eject' || e.type === 'card.failed') && !offloadEnd) {
    offloadEnd = performance.now();
    finished();
  }
});
await promisify(execFile)('cp', ['-a', staging, join(watch, 'A900R1AB')]);
await done;
await page.getByRole('article', { name: 'A900' }).getByText('Safe to eject', { exact: true }).waitFor();
// The page has applied every event the engine made (inspection goes on meanwhile: counted on both sides until the footer is read).
const expected = engineEvents;
await page.waitForFunction((n) => Number(document.querySelector('footer.status')?.getAttribute('data-events')) >= n, before.events + expected, { timeout: 10_000 }).catch(() => undefined);
const after = await footer();
unsubscribe();

// How many events a second the page takes before it falls a second behind: synthetic offload
// progress and file events, for the first card, at rising rates for two seconds each.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let sustained = 0;
let firehoseMaxLagMs = 0;
for (const rate of [1000, 2500, 5000, 10_000, 20_000]) {
  const start = await footer();
  let sent = 0;
  const perTick = rate / 100;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    for (let k = 0; k < perTick; k++, sent++) {
      if (k % 10 === 0) {
        const done = Math.min(1, (performance.now() - t0) / 2000);
        const destinations = [raid1, raid2].map((d) => ({ destination: join(d, 'A001'), filesTotal: 412, bytesTotal: 256e9, filesDone: Math.floor(412 * done), bytesDone: 256e9 * done, verifiedBytes: 128e9 * done, rate: 400e6, etaSeconds: 600 * (1 - done), failed: false }));
        engine.bus.announceLive<'job'>({ topic: 'job', jobId: FIREHOSE_JOB, kind: 'offload', type: 'progress', data: { offloadId: 'firehose', destinations } });
        // (Omit<> over the offload events' union keeps only their common fields, hence the cast.)
      } else engine.bus.announceLive<'offload'>({ topic: 'offload', jobId: FIREHOSE_JOB, type: 'file.completed', offloadId: 'firehose', path: `A001C${sent}.mxf`, size: 1 } as never);
    }
    await sleep(10);
  }
  await page.waitForFunction((n) => Number(document.querySelector('footer.status')?.getAttribute('data-events')) >= n, start.events + sent, { timeout: 30_000 }).catch(() => undefined);
  const end = await footer();
  const achieved = Math.round(sent / ((performance.now() - t0) / 1000));
  console.log(`firehose ${rate}/s: sent ${sent} (${achieved}/s), page applied ${end.events - start.events}, at most ${end.maxLagMs} ms behind`);
  firehoseMaxLagMs = end.maxLagMs;
  if (end.events - start.events < sent || end.maxLagMs > 1000) break;
  sustained = achieved;
}
await context.close();
await browser.close();
await server.close();
await engine.stop(5000);
rmSync(base, { recursive: true, force: true });

const offloadS = (offloadEnd - offloadStart) / 1000;
const pageEvents = after.events - before.events;
const result = {
  bench: 'ui',
  rounds,
  cards: cardCount,
  clips: clipCount,
  cardsUsableMedianMs: Math.round(median(cardsRuns.map((r) => r.markMs))),
  cardsUsableMaxMs: Math.round(Math.max(...cardsRuns.map((r) => r.markMs))),
  clipsUsableMedianMs: Math.round(median(clipsRuns.map((r) => r.markMs))),
  clipsUsableMaxMs: Math.round(Math.max(...clipsRuns.map((r) => r.markMs))),
  clipsJumpToMiddleMs: Math.round(jumpMs),
  apiCardsMedianMs: round1(median(apiCards)),
  apiClipsPageMedianMs: round1(median(apiClips)),
  offloadFiles: files,
  offloadS: round1(offloadS),
  engineEvents: expected,
  pageEvents,
  offloadEventsPerS: Math.round(offloadEvents / offloadS),
  pagePeakEventsPerS: after.peakPerSecond,
  pageMaxLagMs: after.maxLagMs,
  sustainedEventsPerS: sustained,
  firehoseMaxLagMs,
};
console.log('');
console.log(`Cards page with ${cardCount} cards usable      ${result.cardsUsableMedianMs} ms median, ${result.cardsUsableMaxMs} ms worst (target < 1000; baseline GET /api/cards ${result.apiCardsMedianMs} ms)`);
console.log(`Clips grid over ${clipCount} clips usable  ${result.clipsUsableMedianMs} ms median, ${result.clipsUsableMaxMs} ms worst (target < 1000; baseline one page of /api/clips ${result.apiClipsPageMedianMs} ms)`);
console.log(`jump to the middle of the grid drawn     ${result.clipsJumpToMiddleMs} ms`);
console.log(`${files}-file offload                     ${result.offloadS} s, ${result.offloadEventsPerS} events/s: the engine made ${expected} events, the page applied ${pageEvents} (peak ${result.pagePeakEventsPerS}/s), at most ${result.pageMaxLagMs} ms behind (target ≤ 1000)`);
console.log(`synthetic events the page takes within 1 s  ${sustained}/s (worst lag ${firehoseMaxLagMs} ms)`);
console.log(JSON.stringify(result));
