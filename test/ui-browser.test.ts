/**
 * The web UI in a real Chromium against the real daemon (`rushes daemon` with a token, so the
 * page signs in by trading it for a session cookie), with real cards copied into watch
 * folders — driven with the keyboard alone: a card appears, its bars move and it is marked
 * safe to eject; clips are searched and one is opened and rendered; an offload started by
 * hand fails and is retried once its cause is fixed, and a queued one is cancelled; a watch
 * folder added in Settings is watched at once; a duplicate is copied anyway, a conflict
 * offloaded under another roll name, a waiting card started. Every page passes axe-core (no serious or critical violation) and is
 * screenshotted (into $RUSHES_SCREENSHOTS, e.g. docs/ui, when set).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudoRandomBytes, writeFile } from './helpers/card.ts';
import { makeArriCard, makeBrawCard, makeSonyCard } from './helpers/cameras.ts';
import { startDaemon, type DaemonProcess } from './helpers/daemon.ts';
import { axeViolations, browserSupport, focused, launchChromium, named, pageProblems, tabTo } from './helpers/browser.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { waitFor } from './helpers/wait.ts';

const notReady = browserSupport();
if (notReady && process.env.CI) throw new Error(`CI needs Chromium for the UI tests: ${notReady}`);

const scratch = scratchFolders('rushes-ui-browser-');
const TOKEN = 'ui-test-token-0123456789';
const canMount = process.getuid?.() === 0;

let base: string;
let daemon: DaemonProcess;
let browser: Browser;
let page: Page;
let problems: string[];
const cleanup: (() => unknown)[] = [];
const shots = process.env.RUSHES_SCREENSHOTS ? resolve(process.env.RUSHES_SCREENSHOTS) : undefined;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(daemon.url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as T;
}

/** A card with real clips, and enough other data that its offload takes a moment (bars have something to show). */
/** A card with `logs` files of 8 MiB beside its clips: enough that an offload lasts past a few progress events. */
function stageCard(dir: string, roll: string, make: typeof makeArriCard, seed: number, logs = 12): void {
  make(dir, { roll, clips: 2, seed });
  for (let i = 0; i < logs; i++) writeFile(dir, `LOGS/blackbox_${String(i).padStart(4, '0')}.bin`, pseudoRandomBytes(8 << 20, seed * 100 + i), new Date('2026-11-20T14:00:00Z'));
}

async function screenshot(name: string): Promise<void> {
  // A picture of the page, not of where the keyboard last was.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: join(shots ?? join(base, 'screenshots'), `${name}.png`) });
}

async function go(linkName: string, hash: string): Promise<void> {
  // From wherever the focus is: back to the top of the page, then along the navigation.
  await page.keyboard.press('Escape');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await tabTo(page, named(linkName, 'a'), { what: `the ${linkName} link` });
  await page.keyboard.press('Enter');
  await page.waitForFunction((h) => location.hash.startsWith(h), hash);
  // Every page's heading is its name in the navigation.
  await page.getByRole('heading', { level: 1, name: linkName, exact: true }).waitFor();
}

describe.skipIf(notReady)('the web UI in Chromium, by keyboard', () => {
  beforeAll(async () => {
    base = scratch();
    for (const d of ['watch', 'watch2', 'raid1', 'raid2', 'staging']) mkdirSync(join(base, d));
    // Generated before anything watches: ffmpeg runs synchronously.
    // The card whose bars must be seen mid-copy: 256 MiB, which a quiet machine copies and reads back in about a second.
    stageCard(join(base, 'staging', 'A001R1AB'), 'A001', makeArriCard, 1, 32);
    stageCard(join(base, 'staging', 'B001'), 'B001', makeSonyCard, 2);
    makeArriCard(join(base, 'staging', 'MANUAL'), { roll: 'M001', clips: 1, seed: 3 });
    const config = {
      maxAttempts: 1,
      backoff: { baseMs: 50, maxMs: 200 },
      ingest: { watch: [join(base, 'watch')], mountRoots: false, destinations: [join(base, 'raid1'), join(base, 'raid2')], layout: '{camera}/{roll}', stableMs: 800, pollMs: 100 },
    };
    writeFileSync(join(base, 'rushes.json'), JSON.stringify(config));
    daemon = await startDaemon(join(base, 'home'), ['--config', join(base, 'rushes.json'), '--token', TOKEN]);
    cleanup.push(() => {
      daemon.child.kill('SIGTERM');
      return daemon.exited;
    });
    if (shots) mkdirSync(shots, { recursive: true });
    else mkdirSync(join(base, 'screenshots'));
    browser = await launchChromium();
    cleanup.push(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Generous: the whole suite shares two cores with this browser.
    page.setDefaultTimeout(60_000);
    problems = pageProblems(page);
    // The token travels in the fragment, is traded for a session cookie, and leaves the address bar.
    await page.goto(`${daemon.url}/#token=${TOKEN}`);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    expect(page.url()).toBe(`${daemon.url}/#/cards`);
  });

  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('Cards: a card copied into a watch folder appears, its bars move, and it is marked safe to eject', async () => {
    await page.getByText('No cards yet').waitFor();
    // Every value a bar takes, as the page draws it.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { barValues: number[] }).barValues = seen;
      new MutationObserver(() => document.querySelectorAll('[role=progressbar]').forEach((b) => seen.push(Number(b.getAttribute('aria-valuenow'))))).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    });
    cpSync(join(base, 'staging', 'A001R1AB'), join(base, 'watch', 'A001R1AB'), { recursive: true, preserveTimestamps: true });
    const card = page.getByRole('article', { name: 'A001' });
    await card.waitFor({ timeout: 30_000 });
    // Mid-copy: a bar partly filled (the observer sees every value the page draws).
    await page.waitForFunction(() => (window as unknown as { barValues: number[] }).barValues.some((v) => v > 0 && v < 100), undefined, { polling: 'raf', timeout: 60_000 });
    await screenshot('cards-offloading');
    await card.getByText('Safe to eject — every destination was read back and matched').waitFor({ timeout: 90_000 });
    const values = await page.evaluate(() => (window as unknown as { barValues: number[] }).barValues);
    expect(values.some((v) => v > 0 && v < 100), `bar values seen: ${[...new Set(values)].join(', ')}`).toBe(true);
    await expect.poll(() => card.getByRole('progressbar').evaluateAll((bars) => bars.map((b) => b.getAttribute('aria-valuenow')))).toEqual(['100', '100']);
    expect(await card.getByText('verified from the medium').count()).toBe(2);
    expect(await card.textContent()).toContain('ARRI');

    // Eject, by keyboard: a folder in a watch folder has nothing to unmount, and the page says so.
    await tabTo(page, named('Eject A001', 'button'), { what: 'the Eject button' });
    await page.keyboard.press('Enter');
    await card.getByText(/is a folder, not a mounted volume/).waitFor();
  });

  it('Clips: searched with the query language and opened from the grid, by keyboard; a proxy render is queued', async () => {
    await waitFor('the clips inspected with their posters', async () => {
      const r = await api<{ total: number; clips: { thumbnail?: string }[] }>('GET', '/api/clips?q=roll:A001');
      return r.total === 3 && r.clips.filter((c) => c.thumbnail).length === 2 ? true : undefined;
    }, 90_000);
    await go('Clips', '#/clips');
    await page.getByRole('searchbox', { name: 'Search clips' }).waitFor();
    await page.keyboard.press('/');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'Search clips' });
    await page.keyboard.type('iso:lots');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'iso: wants a number' }).waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('roll:A001');
    await page.keyboard.press('Enter');
    await page.getByText('3 clips match roll:A001').waitFor();
    expect(page.url()).toContain('#/clips?q=roll%3AA001');
    await page.locator('.clip-cell img').first().waitFor();

    // One tab stop into the grid, then the arrows.
    const first = await tabTo(page, (f) => f.classes.includes('clip-cell'), { what: 'the clip grid' });
    expect(first.index).toBe('0');
    await page.keyboard.press('ArrowRight');
    expect((await focused(page))?.index).toBe('1');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^#\/clips\/\d+$/.test(location.hash));
    const heading = page.getByRole('heading', { level: 1 });
    await expect.poll(() => heading.textContent()).toMatch(/^A001C002_261120_R1AB$/);
    await page.getByRole('img', { name: /Poster frame of A001C002/ }).waitFor();
    for (const section of ['Timecode', 'Picture and sound', 'Source']) await page.getByRole('region', { name: section }).waitFor();
    // The raw tool output is folded away until asked for.
    const raw = page.locator('details.raw');
    expect(await raw.getAttribute('open')).toBeNull();
    await tabTo(page, named('Raw vendor metadata'), { what: 'the raw metadata' });
    await page.keyboard.press('Enter');
    await expect.poll(() => raw.getAttribute('open')).not.toBeNull();
    expect(await raw.locator('pre').textContent()).toContain('ffprobe');
    await page.keyboard.press('Enter');

    await tabTo(page, named('Render a proxy', 'button'), { what: 'the proxy form' });
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: /Queued as job \d+/ }).first().waitFor();
    // A plate: frames 0 to 11 with 8 handles, as DPX (chosen by typing in the list).
    await tabTo(page, named('Format', 'select'));
    await page.keyboard.type('D');
    expect(await page.getByRole('combobox', { name: 'Format' }).inputValue()).toBe('dpx');
    await tabTo(page, named('Render a plate', 'button'));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').filter({ hasText: /Queued as job \d+/ }).count()).toBe(2);

    // The list view.
    await page.goto(`${daemon.url}/#/clips?view=list`);
    await page.getByText('3 clips').waitFor();
    await expect.poll(() => page.locator('.clip-list a.clip-cell').count()).toBeGreaterThanOrEqual(3);
    // One clip a row, the width of the list.
    expect((await page.locator('.clip-list a.clip-cell').first().boundingBox())!.width).toBeGreaterThan(1000);
  });

  it('Jobs: an offload started by hand (source picked in the folder browser) fails naming the cause, is retried once the cause is fixed; a queued one is cancelled', async () => {
    const blocker = join(base, 'blocked');
    writeFileSync(blocker, 'a file where a folder should be');
    await go('New offload', '#/offload');
    // The folder browser, by keyboard: type where to look, walk into a folder, use it.
    await tabTo(page, named('Browse for Source (card or folder)', 'button'));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Source (card or folder)' });
    await dialog.waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'Folder' });
    await page.keyboard.type(join(base, 'staging'));
    await page.keyboard.press('Enter');
    await tabTo(page, named('MANUAL/', 'button'));
    await page.keyboard.press('Enter');
    await dialog.getByText(`${join(base, 'staging', 'MANUAL')} ·`).waitFor();
    await tabTo(page, named('Use this folder', 'button'));
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Source (card or folder)' }).inputValue()).toBe(join(base, 'staging', 'MANUAL'));
    await page.getByText(/in 4 files/).waitFor();
    await tabTo(page, named('Destination 1', 'input'));
    await page.keyboard.type(join(blocker, 'Day01'));
    if (canMount) {
      // A destination too small for the card is named before anything starts.
      const tiny = join(base, 'tiny');
      mkdirSync(tiny);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny]);
      cleanup.push(() => spawnSync('umount', [tiny]));
      await tabTo(page, named('Add a destination', 'button'));
      await page.keyboard.press('Enter');
      await tabTo(page, named('Destination 2', 'input'), { reverse: true });
      await page.keyboard.type(tiny);
      await page.getByRole('alert').filter({ hasText: `Not enough space:${tiny} has` }).waitFor();
      await screenshot('new-offload');
      await tabTo(page, named('Remove destination 2', 'button'));
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Not enough space' }).count()).toBe(0);
    } else await screenshot('new-offload');
    // md5 beside xxh64, read back in full (the default).
    await tabTo(page, named('md5', 'input'));
    await page.keyboard.press('Space');
    await tabTo(page, named('Start offload', 'button'));
    await page.keyboard.press('Enter');
    const queued = await page.getByRole('status').filter({ hasText: /Queued as job \d+/ }).textContent();
    const jobId = Number(/job (\d+)/.exec(queued!)![1]);

    expect((await api<{ job: { payload: { hashes: string[]; verify: string } } }>('GET', `/api/jobs/${jobId}`)).job.payload).toMatchObject({ hashes: ['xxh64', 'md5'], verify: 'full' });

    await go('Jobs', '#/jobs');
    const rowOf = (id: number) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: String(id), exact: true }) });
    const row = rowOf(jobId);
    await row.getByText('dead', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain(blocker);

    rmSync(blocker);
    mkdirSync(blocker);
    await tabTo(page, named(`Retry job ${jobId}`, 'button'), { what: 'the Retry button' });
    await page.keyboard.press('Enter');
    await row.getByText('succeeded', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await row.textContent()).not.toContain('Retry');

    // One writer per destination volume: a second offload waits in the queue behind the first, and is cancelled there.
    const body = (to: string) => ({ source: join(base, 'staging', 'A001R1AB'), destinations: [join(base, to)] });
    const first = (await api<{ job: { id: number } }>('POST', '/api/offloads', body('raid3'))).job.id;
    const second = (await api<{ job: { id: number } }>('POST', '/api/offloads', body('raid4'))).job.id;
    await rowOf(second).waitFor();
    await tabTo(page, named(`Cancel job ${second}`, 'button'), { what: 'the Cancel button' });
    await page.keyboard.press('Enter');
    await rowOf(second).getByText('cancelled', { exact: true }).waitFor();
    await rowOf(first).getByText('succeeded', { exact: true }).waitFor({ timeout: 90_000 });
    expect(await rowOf(second).getByRole('button', { name: `Retry job ${second}` }).count()).toBe(1);
  });

  it('Settings: a wrong value is named before saving; a watch folder added is watched at once', async () => {
    await go('Settings', '#/settings');
    await page.getByText('Watch folder 1').waitFor();
    await tabTo(page, named('Add a watch folder', 'button'));
    await page.keyboard.press('Enter');
    await tabTo(page, named('Watch folder 2', 'input'), { reverse: true });
    await page.keyboard.type(join(base, 'watch2'));
    await tabTo(page, named(/^Stable \(ms\)/, 'input'));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('-5');
    await tabTo(page, named('Save settings', 'button'));
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Stable (ms) must be at least 0' }).waitFor();
    // The list of problems leads to the field.
    await page.getByRole('link', { name: /Stable \(ms\)/ }).focus();
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ tag: 'input', name: expect.stringMatching(/^Stable \(ms\)/) });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('800');
    await tabTo(page, named('Save settings', 'button'));
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Applied now: Ingest' }).waitFor();

    cpSync(join(base, 'staging', 'B001'), join(base, 'watch2', 'B001'), { recursive: true, preserveTimestamps: true });
    await go('Cards', '#/cards');
    const card = page.getByRole('article', { name: 'B001' });
    await card.getByText('Safe to eject — every destination was read back and matched').waitFor({ timeout: 90_000 });
    expect(await card.textContent()).toContain('Sony');
  });

  it('Cards: a duplicate is copied anyway, a conflict offloaded under another roll name, a waiting card started — by keyboard', async () => {
    const inserted = join(base, 'watch', 'A001R1AB');
    const newest = (name: string) => page.getByRole('article', { name }).first();
    await go('Cards', '#/cards');
    // The same card again: a duplicate.
    rmSync(inserted, { recursive: true });
    await newest('A001').getByText('removed', { exact: true }).waitFor();
    cpSync(join(base, 'staging', 'A001R1AB'), inserted, { recursive: true, preserveTimestamps: true });
    await newest('A001').getByText('Duplicate', { exact: true }).waitFor();
    await tabTo(page, named('Copy anyway', 'button'));
    await page.keyboard.press('Enter');
    await newest('A001').getByText('Safe to eject — every destination was read back and matched').waitFor({ timeout: 90_000 });

    // Another card under the same name and roll: a conflict, offloaded as A001_B.
    rmSync(inserted, { recursive: true });
    await newest('A001').getByText('removed', { exact: true }).waitFor();
    makeArriCard(join(base, 'staging', 'other', 'A001R1AB'), { roll: 'A001', clips: 2, seed: 9 });
    cpSync(join(base, 'staging', 'other', 'A001R1AB'), inserted, { recursive: true, preserveTimestamps: true });
    await newest('A001').getByText('Conflict', { exact: true }).waitFor();
    expect(await page.getByRole('textbox', { name: 'New roll name' }).inputValue()).toBe('A001_B');
    await tabTo(page, named('Offload as A001_B', 'button'));
    await page.keyboard.press('Enter');
    await newest('A001_B').getByText('Safe to eject — every destination was read back and matched').waitFor({ timeout: 90_000 });
    expect(await newest('A001_B').textContent()).toContain(join(base, 'raid1', 'ARRI', 'A001_B'));

    // Auto start off (a live setting): the next card waits to be started.
    await go('Settings', '#/settings');
    await tabTo(page, named('Auto start', 'select'));
    await page.keyboard.type('n');
    expect(await page.getByRole('combobox', { name: 'Auto start' }).inputValue()).toBe('false');
    await tabTo(page, named('Save settings', 'button'));
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Applied now: Ingest' }).waitFor();
    makeBrawCard(join(base, 'watch', 'C001'), { roll: 'C001', clips: 2, seed: 11 });
    await go('Cards', '#/cards');
    await newest('C001').getByText('Waiting to start', { exact: true }).waitFor();
    await tabTo(page, named('Start offload', 'button'));
    await page.keyboard.press('Enter');
    await newest('C001').getByText('Safe to eject — every destination was read back and matched').waitFor({ timeout: 90_000 });
    expect(await newest('C001').textContent()).toContain('Blackmagic');
  });

  it('every page passes axe-core with no serious or critical violation, and the policy refused nothing', async () => {
    const clip = (await api<{ clips: { id: number }[] }>('GET', '/api/clips?q=roll:A001')).clips[0]!;
    // Each page with what shows it is drawn.
    const pages: [string, string, string][] = [
      ['cards', '#/cards', 'article'],
      ['new-offload', '#/offload', 'form'],
      ['jobs', '#/jobs', 'table.jobs'],
      ['clips-grid', '#/clips', '.clip-cell img'],
      ['clips-list', '#/clips?view=list', '.clip-cell'],
      ['clip-detail', `#/clips/${clip.id}`, 'details.raw'],
      ['settings', '#/settings', 'form.settings'],
    ];
    for (const [name, hash, drawn] of pages) {
      await page.goto(`${daemon.url}/${hash}`);
      await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
      await page.locator(drawn).first().waitFor();
      expect(await axeViolations(page), name).toEqual([]);
      await screenshot(name);
    }
    // The folder browser, open over the New offload page.
    await page.goto(`${daemon.url}/#/offload`);
    await page.getByRole('button', { name: 'Browse for Source (card or folder)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Source (card or folder)' });
    await dialog.getByRole('button', { name: /^Watch folder/ }).first().click();
    await dialog.getByRole('button', { name: 'A001R1AB/' }).waitFor();
    expect(await axeViolations(page), 'folder browser').toEqual([]);
    await screenshot('folder-browser');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
