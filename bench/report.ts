/**
 * `npm run bench -- report [--clips 1000] [--rounds 3]`
 *
 * The report of a `--clips`-clip card, every clip inspected with its poster frame, as PDF
 * (and HTML), through the engine's API — against the least any PDF of it costs: pdfkit
 * alone placing the same poster frames and one line of text per clip, in the same run.
 * Target: the PDF in under 5 s for 1,000 clips.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { Engine } from '../core/engine/engine.ts';
import { inspectWith } from '../core/inspect/function.ts';
import { findClips } from '../core/inspect/tree.ts';
import { OffloadStore } from '../core/offload/store.ts';
import type { OffloadSummary } from '../core/offload/events.ts';
import { threadExecutor } from '../core/runtime/executor.ts';
import { writeArriMov } from '../test/helpers/clips.ts';
import { numberArg } from './_args.ts';

const CLIPS = numberArg('clips', 1000);
const ROUNDS = numberArg('rounds', 3);
const work = mkdtempSync(join(tmpdir(), 'rushes-bench-report-'));
const home = join(work, 'home');
const engine = new Engine({ home });

// One real clip inspected, its record and poster frame standing in for every clip of the card.
const clipFile = join(work, 'card', 'A001C0001_261123_R1AB.mov');
writeArriMov(clipFile, { seconds: 1 });
const set = await findClips(clipFile);
const record = await inspectWith(threadExecutor, { root: set.root, unit: set.units[0]! }, { recordLoss: false });
const poster = join(work, 'poster.jpg');
const { execFileSync } = await import('node:child_process');
execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clipFile, '-frames:v', '1', '-vf', 'scale=320:-2', poster]);

const offloadId = '0b1e5c7a-1000-4000-8000-000000000001';
const offloads = new OffloadStore(engine.db);
offloads.create({ id: offloadId, source: join(work, 'card'), roll: 'A001', destinations: [join(work, 'raid', 'A001')], formats: ['xxh64'], verifyMode: 'full', sourceVerify: false, startedAt: new Date().toISOString() });
const summary: OffloadSummary = {
  offloadId,
  source: join(work, 'card'),
  roll: 'A001',
  status: 'completed',
  files: CLIPS,
  bytes: CLIPS * 50_000_000,
  resumedFiles: 0,
  durationMs: 600_000,
  rate: 0,
  destinations: [{ destination: join(work, 'raid', 'A001'), complete: true, verifiedFiles: CLIPS, failedFiles: 0, checkKinds: ['full-direct'] }],
  failures: [],
};
offloads.finish(offloadId, 'completed', summary);
mkdirSync(join(work, 'posters'));
for (let i = 1; i <= CLIPS; i++) {
  const name = `A001C${String(i).padStart(4, '0')}_261123_R1AB`;
  const id = engine.clips.upsert({ ...record, clipName: name, source: { ...record.source, path: join(work, 'card', `${name}.mov`), relativePath: `${name}.mov`, offloadId, hashes: { [`${name}.mov`]: { xxh64: i.toString(16).padStart(16, '0') } } } });
  const p = join(work, 'posters', `${i}.jpg`);
  copyFileSync(poster, p);
  engine.clips.setThumbnail(id, p);
}

async function baseline(): Promise<number> {
  const t0 = performance.now();
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 32 });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => doc.on('end', r));
  let y = 32;
  for (let i = 1; i <= CLIPS; i++) {
    if (y + 40 > doc.page.height - 32) {
      doc.addPage();
      y = 32;
    }
    doc.image(join(work, 'posters', `${i}.jpg`), 32, y, { fit: [64, 36] });
    doc.fontSize(7.5).text(`A001C${String(i).padStart(4, '0')}_261123_R1AB 14:03:07:00 14:03:07:23 24 23.976 320x180`, 100, y);
    y += 40;
  }
  doc.end();
  await done;
  return (performance.now() - t0) / 1000;
}

async function timed(format: 'pdf' | 'html'): Promise<{ s: number; bytes: number }> {
  const t0 = performance.now();
  const r = await engine.api.reports.make({ offloadId }, { format });
  return { s: (performance.now() - t0) / 1000, bytes: r.body.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base: number[] = [];
const pdf: number[] = [];
const html: number[] = [];
let pdfBytes = 0;
for (let r = 0; r < ROUNDS; r++) {
  base.push(await baseline());
  const p = await timed('pdf');
  pdf.push(p.s);
  pdfBytes = p.bytes;
  html.push((await timed('html')).s);
}
await engine.stop(0);
rmSync(work, { recursive: true, force: true });

const b = median(base);
const p = median(pdf);
const h = median(html);
console.log(`report of a ${CLIPS}-clip card, median of ${ROUNDS} round(s)`);
console.log(`  pdfkit alone (posters + one line each)   ${b.toFixed(2)} s`);
console.log(`  rushes report, PDF (${(pdfBytes / 1e6).toFixed(1)} MB)         ${p.toFixed(2)} s   ratio ${(p / b).toFixed(2)}   (target < 5 s)`);
console.log(`  rushes report, HTML                      ${h.toFixed(2)} s`);
console.log(JSON.stringify({ bench: 'report', clips: CLIPS, rounds: ROUNDS, baselineS: Number(b.toFixed(3)), pdfS: Number(p.toFixed(3)), htmlS: Number(h.toFixed(3)), ratio: Number((p / b).toFixed(3)), pdfBytes }));
