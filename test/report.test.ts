/**
 * Offload reports, made from real offloads and checked with the tools a production office
 * would trust: pdftotext finds the clip names, hashes and failures; pdfinfo reads the page
 * count, size and metadata; qpdf --check finds no errors; pdftoppm renders a page. The HTML is
 * one self-contained file; CSV and JSON carry every clip. With `reports` in its config, the
 * daemon's engine writes one beside each destination roll folder after inspection.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import type { Report } from '../core/report/model.ts';
import { writeFile } from './helpers/card.ts';
import { runCli } from './helpers/cli.ts';
import { writeArriMov } from './helpers/clips.ts';
import { c4Of, xxhsum64 } from './helpers/mhl.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { tmpfsMounter } from './helpers/volumes.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-report-');
const mountTmpfs = tmpfsMounter();
const isRoot = process.getuid?.() === 0;
const tools = ['pdftotext', 'pdfinfo', 'pdftoppm', 'qpdf'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (tools.length && process.env.CI) throw new Error(`CI needs ${tools.join(', ')} (Debian: poppler-utils, qpdf)`);
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const text = (pdf: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
const info = (pdf: string) => Object.fromEntries(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));

/** A card of real clips: two ARRI ProRes clips and one a camera named in Japanese. */
function makeCard(root: string): string[] {
  const names = ['A001C001_261123_R1AB.mov', 'A001C002_261123_R1AB.mov', '日本語_テイク.mov'];
  for (const n of names) writeArriMov(join(root, n), { seconds: 1 });
  return names;
}

describe.skipIf(tools.length > 0)(`offload reports${tools.length ? ` (skipped: no ${tools.join(', ')})` : ''}`, () => {
  it('a clean offload: the PDF names every clip with its hash, both destinations verified with their ASC MHL generation, in valid PDF with metadata; HTML, CSV and JSON carry the same', async () => {
    const base = scratch();
    const card = join(base, 'A001');
    const names = makeCard(card);
    const home = join(base, 'home');
    const off = await runCli(['--home', home, 'offload', card, '--to', join(base, 'r1'), '--to', join(base, 'r2'), '--author', 'Dana Ito', '--location', 'Stage 4']);
    expect(off.code).toBe(0);
    const pdf = join(base, 'A001.pdf');
    const r = await runCli(['--home', home, 'report', join(base, 'r1', 'A001'), '--out', pdf, '--production', 'Night Shift']);
    expect(r.stderr).toContain(`wrote ${pdf}`);
    expect(r.code).toBe(0);

    const t = text(pdf);
    for (const n of names) {
      expect(t).toContain(n.replace(/\.mov$/, ''));
      expect(t).toContain(xxhsum64(join(card, n)));
    }
    const manifest = readdirSync(join(base, 'r1', 'A001', 'ascmhl')).find((f) => f.endsWith('.mhl'))!;
    // The C4 ID wraps inside its table cell.
    expect(t.replace(/\s+/g, '')).toContain(c4Of(readFileSync(join(base, 'r1', 'A001', 'ascmhl', manifest))));
    expect(t).toMatch(/Night Shift/);
    expect(t).toMatch(/DIT Dana Ito/);
    expect(t).toMatch(/Stage 4/);
    expect(t.match(/read back from the device/g)).toHaveLength(2);
    expect(t).toMatch(/2 of 2 copies verified; 0 problem/);
    expect(t).toMatch(/No failures or warnings/);
    expect(t).toMatch(/14:03:07:00/);

    const i = info(pdf);
    expect(i).toMatchObject({ Title: 'Offload report — roll A001', Author: 'Dana Ito', Pages: '1' });
    expect(i.CreationDate).toMatch(/\d{4}/);
    expect(i['Page size']).toMatch(/^841\.89 x 595\.28 pts \(A4\)/);
    expect(spawnSync('qpdf', ['--check', pdf], { encoding: 'utf8' }).status).toBe(0);
    execFileSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', pdf, join(base, 'page')]);
    expect(readFileSync(join(base, 'page-1.png')).subarray(1, 4).toString()).toBe('PNG');
    if (process.env.RUSHES_SAVE_EXAMPLES) {
      mkdirSync(fileURLToPath(new URL('../docs/reports/', import.meta.url)), { recursive: true });
      execFileSync('pdftoppm', ['-r', '80', '-png', '-singlefile', '-f', '1', '-l', '1', pdf, fileURLToPath(new URL('../docs/reports/offload-report-page1', import.meta.url))]);
    }

    const letter = await runCli(['--home', home, 'report', join(base, 'r2', 'A001'), '--paper', 'letter', '--out', join(base, 'letter.pdf')]);
    expect(letter.code).toBe(0);
    expect(info(join(base, 'letter.pdf'))['Page size']).toMatch(/^792 x 612 pts \(letter\)/);

    const html = (await runCli(['--home', home, 'report', join(base, 'r1', 'A001'), '--format', 'html'])).stdout;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<img alt="" src="data:image\/jpeg;base64,/g)).toHaveLength(3);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain('日本語_テイク');
    const csv = (await runCli(['--home', home, 'report', join(base, 'r1', 'A001'), '--format', 'csv'])).stdout.trim().split('\r\n');
    expect(csv[0]).toMatch(/^roll,camera,offload,status,clip,/);
    expect(csv.slice(1).map((l) => l.split(',')[4]).sort()).toEqual(names.map((n) => n.replace(/\.mov$/, '')).sort());
    const json = JSON.parse((await runCli(['--home', home, 'report', join(base, 'r1', 'A001'), '--format', 'json'])).stdout) as Report;
    expect(json.cards[0]!.clips.map((c) => c.xxh64).sort()).toEqual(names.map((n) => xxhsum64(join(card, n))).sort());
  }, 180_000);

  it.skipIf(!isRoot)('a failed destination is reported NOT verified with the failure in plain words; a bad target is named', async () => {
    const base = scratch();
    const card = join(base, 'B002');
    makeCard(card);
    writeFile(card, 'B002C009_261123_R1AB.mov', Buffer.alloc(3_000_000, 7));
    mountTmpfs(join(base, 'small'), 'size=1500k');
    const home = join(base, 'home');
    const off = await runCli(['--home', home, 'offload', card, '--to', join(base, 'raid'), '--to', join(base, 'small')]);
    expect(off.code).toBe(3);
    const pdf = join(base, 'B002.pdf');
    expect((await runCli(['--home', home, 'report', join(base, 'raid', 'B002'), '--out', pdf])).code).toBe(0);
    const t = text(pdf);
    expect(t).toMatch(/NOT verified/);
    expect(t).toMatch(/1 of 2 copies verified/);
    expect(t).toMatch(/DEST_FULL: destination is full writing .*small\/B002/);
    expect(spawnSync('qpdf', ['--check', pdf]).status).toBe(0);

    const none = await runCli(['--home', home, 'report', join(base, 'elsewhere')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/NOT_FOUND: no finished offload into .*elsewhere/);
    const day = await runCli(['--home', home, 'report', '--day', '30-11-2026']);
    expect(day.stderr).toMatch(/a day is YYYY-MM-DD/);
  }, 180_000);

  it('a 300-clip card pages its clip table, the header on every page; a day report sums every card of the day', async () => {
    const base = scratch();
    const card = join(base, 'C003');
    writeArriMov(join(base, 'one.mov'), { seconds: 0.05 });
    mkdirSync(card, { recursive: true });
    for (let i = 1; i <= 300; i++) copyFileSync(join(base, 'one.mov'), join(card, `C003C${String(i).padStart(3, '0')}_261124_R2CD.mov`));
    const home = join(base, 'home');
    expect((await runCli(['--home', home, 'offload', card, '--to', join(base, 'raid')])).code).toBe(0);
    const small = join(base, 'D004');
    makeCard(small);
    expect((await runCli(['--home', home, 'offload', small, '--to', join(base, 'raid')])).code).toBe(0);

    const pdf = join(base, 'C003.pdf');
    expect((await runCli(['--home', home, 'report', join(base, 'raid', 'C003'), '--out', pdf])).code).toBe(0);
    const pages = Number(info(pdf).Pages);
    expect(pages).toBeGreaterThan(5);
    for (let p = 2; p <= pages; p++) {
      const page = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), pdf, '-'], { encoding: 'utf8' });
      expect(page).toMatch(/Poster\s+Clip\s+TC in/);
    }
    const t = text(pdf);
    expect(t).toContain('C003C001_261124_R2CD');
    expect(t).toContain('C003C300_261124_R2CD');
    expect(spawnSync('qpdf', ['--check', pdf]).status).toBe(0);

    const dayPdf = join(base, 'day.pdf');
    const today = new Date().toISOString().slice(0, 10);
    expect((await runCli(['--home', home, 'report', '--day', today, '--out', dayPdf])).code).toBe(0);
    const dayText = text(dayPdf);
    expect(dayText).toMatch(new RegExp(`Day report ${today}`));
    expect(dayText).toMatch(/2 card\(s\), 303 files/);
    expect(dayText).toMatch(/Roll C003[\s\S]*Roll D004/);
  }, 300_000);

  it('the daemon writes the report beside each roll folder once the clips are inspected, and the roll still verifies', async () => {
    const base = scratch();
    const card = join(base, 'E005');
    makeCard(card);
    const engine = new Engine({ home: join(base, 'home'), reports: { pdf: true, html: true, production: 'Night Shift' } });
    cleanup.push(() => engine.stop(2000));
    await engine.start();
    await engine.api.offloads.submit({ source: card, destinations: [join(base, 'r1'), join(base, 'r2')] });
    const job = await waitFor('the report job', () => engine.queue.list({ kind: 'report' }).find((j) => j.state === 'succeeded' || j.state === 'dead'), 120_000);
    expect(job.state).toBe('succeeded');
    const day = new Date().toISOString().slice(0, 10);
    for (const r of ['r1', 'r2']) {
      expect(existsSync(join(base, r, `E005_${day}_report.pdf`))).toBe(true);
      expect(existsSync(join(base, r, `E005_${day}_report.html`))).toBe(true);
      expect((await runCli(['verify', join(base, r, 'E005')])).code).toBe(0);
    }
    expect(text(join(base, 'r1', `E005_${day}_report.pdf`))).toContain('日本語_テイク');

    // The same report over the API, as the UI downloads it.
    const { startServer } = await import('../core/server/index.ts');
    const server = await startServer(engine.api, { host: '127.0.0.1', port: 0 });
    cleanup.push(() => server.close());
    const res = await fetch(`${server.url}/api/reports?folder=${encodeURIComponent(join(base, 'r1', 'E005'))}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="E005_${day}_report.csv"`);
    expect((await res.text()).trim().split('\r\n')).toHaveLength(4);
    expect((await fetch(`${server.url}/api/reports?folder=relative/E005`)).status).toBe(400);
  }, 180_000);
});
