/**
 * A report as PDF, made headless with pdfkit (no browser on the server): A4 or US Letter,
 * landscape so a clip row fits on one line; tables page with their header repeated; poster
 * frames embedded; real text (selectable, searchable) in an embedded TrueType font; title,
 * author and creation date in the document's metadata.
 */
import { existsSync, readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { formatBytes } from '../util/format.ts';
import type { CardSection, Report } from './model.ts';

export type Paper = 'a4' | 'letter';

/** Fonts tried in order: a Latin font with wide coverage, then one with CJK for clip names cameras write in Japanese or Chinese. */
const FONT_FILES = {
  regular: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf'],
  bold: ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf'],
  mono: ['/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf', '/usr/share/fonts/TTF/DejaVuSansMono.ttf'],
  wide: ['/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf', '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'],
};
const MARGIN = 32;
const POSTER = { width: 64, height: 36 };

type Doc = InstanceType<typeof PDFDocument>;
type FontRole = keyof typeof FONT_FILES;

/** Registers the fonts found on this machine; without any, pdfkit's built-in Helvetica (Latin only) stands in. */
function registerFonts(doc: Doc): Record<FontRole, string | undefined> {
  const found = {} as Record<FontRole, string | undefined>;
  for (const role of Object.keys(FONT_FILES) as FontRole[]) {
    const file = FONT_FILES[role].find((f) => existsSync(f));
    if (file) doc.registerFont(role, file);
    found[role] = file ? role : undefined;
  }
  return found;
}

interface Column {
  title: string;
  width: number;
  mono?: boolean;
}

class Writer {
  private readonly fonts: Record<FontRole, string | undefined>;
  /** Whether the Latin font draws a character; the wide font (CJK) sets the ones it does not. */
  private latinHas?: (codePoint: number) => boolean;

  constructor(readonly doc: Doc) {
    this.fonts = registerFonts(doc);
    if (this.fonts.wide && this.fonts.regular) {
      doc.font('regular');
      const latin = (doc as unknown as { _font: { font: { hasGlyphForCodePoint(c: number): boolean } } })._font.font;
      this.latinHas = (c) => c < 0x20 || latin.hasGlyphForCodePoint(c);
    }
  }

  font(role: 'regular' | 'bold' | 'mono'): Doc {
    return this.doc.font(this.fonts[role] ?? (role === 'bold' ? 'Helvetica-Bold' : role === 'mono' ? 'Courier' : 'Helvetica'));
  }

  /** The text cut where it moves between what the Latin font draws and what only the wide font does. */
  private runs(text: string): { wide: boolean; text: string }[] {
    if (!this.latinHas) return [{ wide: false, text }];
    const out: { wide: boolean; text: string }[] = [];
    for (const ch of text) {
      const wide = !this.latinHas(ch.codePointAt(0)!);
      const last = out.at(-1);
      if (last && last.wide === wide) last.text += ch;
      else out.push({ wide, text: ch });
    }
    return out;
  }

  /** Sets text at (x, y) within `width`, each run in the font that draws it, so no name prints as boxes. */
  write(text: string, x: number, y: number, o: { width: number; role?: 'regular' | 'bold' | 'mono'; size: number; color?: string; lineBreak?: boolean; height?: number }): void {
    const runs = this.runs(text);
    runs.forEach((run, i) => {
      const doc = run.wide ? this.doc.font(this.fonts.wide!) : this.font(o.role ?? 'regular');
      doc.fontSize(o.size).fillColor(o.color ?? '#000');
      const opts = { width: o.width, lineBreak: o.lineBreak, height: o.height, continued: i < runs.length - 1 };
      if (i === 0) doc.text(run.text, x, y, opts);
      else doc.text(run.text, opts);
    });
  }

  get bottom(): number {
    return this.doc.page.height - MARGIN;
  }

  text(s: string, o: { size?: number; bold?: boolean; mono?: boolean; color?: string } = {}): void {
    this.write(s, MARGIN, this.doc.y, { width: this.doc.page.width - 2 * MARGIN, role: o.bold ? 'bold' : o.mono ? 'mono' : 'regular', size: o.size ?? 9, color: o.color });
  }

  /** Rows of cells under a header repeated on every page the table runs onto. */
  table(columns: Column[], rows: { cells: string[]; image?: string }[]): void {
    const x0 = MARGIN;
    const size = 7.5;
    const pad = 2;
    const header = () => {
      let x = x0;
      const h = 12;
      const y = this.doc.y;
      this.doc.rect(x0, y, columns.reduce((n, c) => n + c.width, 0), h).fill('#e8e8e8');
      for (const c of columns) {
        this.write(c.title, x + pad, y + pad, { width: c.width - 2 * pad, role: 'bold', size, lineBreak: false, height: h });
        x += c.width;
      }
      this.doc.y = y + h;
    };
    header();
    for (const row of rows) {
      const heights = row.cells.map((cell, i) => (cell ? this.font(columns[i]!.mono ? 'mono' : 'regular').fontSize(size).heightOfString(cell, { width: columns[i]!.width - 2 * pad }) : 0));
      const h = Math.max(row.image ? POSTER.height : 0, ...heights) + 2 * pad;
      if (this.doc.y + h > this.bottom) {
        this.doc.addPage();
        this.doc.y = MARGIN;
        header();
      }
      const y = this.doc.y;
      let x = x0;
      row.cells.forEach((cell, i) => {
        const c = columns[i]!;
        if (i === 0 && row.image) this.doc.image(row.image, x + pad, y + pad, { fit: [POSTER.width, POSTER.height] });
        else if (cell) this.write(cell, x + pad, y + pad, { width: c.width - 2 * pad, role: c.mono ? 'mono' : 'regular', size });
        x += c.width;
      });
      this.doc.moveTo(x0, y + h).lineTo(x, y + h).lineWidth(0.3).strokeColor('#bbb').stroke();
      this.doc.y = y + h;
    }
    this.doc.y += 6;
  }
}

function posterOf(path: string | undefined): string | undefined {
  // pdfkit reads the file itself; only a JPEG that is there can be embedded.
  return path && existsSync(path) && readFileSync(path).subarray(0, 2).equals(Buffer.from([0xff, 0xd8])) ? path : undefined;
}

function cardPart(w: Writer, c: CardSection): void {
  if (w.doc.y > w.bottom - 120) w.doc.addPage();
  const card = c.card;
  w.text(`Roll ${card.roll}${card.camera ? ` — ${card.camera}` : ''}`, { size: 13, bold: true });
  w.text(`${card.label ? `Label ${card.label} · ` : ''}${card.files} files, ${formatBytes(card.bytes)} from ${card.source} · offload ${c.offloadId} ${c.status}, started ${c.startedAt}`);
  if (card.fingerprint) w.text(`Fingerprint ${card.fingerprint}`, { mono: true, size: 7 });
  w.doc.moveDown(0.4);
  w.table(
    [
      { title: 'Destination', width: 190 },
      { title: 'Volume', width: 70 },
      { title: 'Verified', width: 58 },
      { title: 'How', width: 110 },
      { title: 'Files', width: 45 },
      { title: 'Duration', width: 45 },
      { title: 'MB/s', width: 35 },
      { title: 'ASC MHL generation and its C4', width: 225, mono: true },
    ],
    c.destinations.map((d) => ({
      cells: [d.path, d.volume ?? '', d.verified ? 'verified' : 'NOT verified', d.how, `${d.files}${d.failedFiles ? ` (${d.failedFiles} failed)` : ''}`, `${d.durationSeconds} s`, String(d.mbPerSecond), `${d.manifest ?? '—'}${d.generation ? ` (#${d.generation})` : ''}\n${d.manifestC4 ?? ''}`],
    })),
  );
  w.table(
    [
      { title: 'Poster', width: 68 },
      { title: 'Clip', width: 112 },
      { title: 'TC in', width: 52 },
      { title: 'TC out', width: 52 },
      { title: 'Frames', width: 36 },
      { title: 'fps', width: 34 },
      { title: 'Resolution', width: 50 },
      { title: 'Codec', width: 62 },
      { title: 'ISO', width: 30 },
      { title: 'WB', width: 30 },
      { title: 'Lens', width: 70 },
      { title: 'Scene/take', width: 52 },
      { title: 'xxh64', width: 80, mono: true },
    ],
    c.clips.map((clip) => ({
      image: posterOf(clip.poster),
      cells: ['', clip.name, clip.timecodeStart ?? '', clip.timecodeEnd ?? '', String(clip.durationFrames ?? ''), String(clip.fps ?? ''), clip.resolution ?? '', clip.codec ?? '', String(clip.iso ?? ''), clip.whiteBalance ? `${clip.whiteBalance}K` : '', clip.lens ?? '', [clip.scene, clip.take].filter(Boolean).join(' / '), clip.xxh64 ?? ''],
    })),
  );
  if (c.problems.length === 0) w.text('No failures or warnings.', { color: '#060' });
  else {
    w.text('Problems', { bold: true, size: 10, color: '#a00' });
    for (const p of c.problems) w.text(`• ${p}`, { color: '#a00' });
  }
  w.doc.moveDown();
}

export function reportPdf(r: Report, paper: Paper = 'a4'): Promise<Buffer> {
  const h = r.header;
  const doc = new PDFDocument({
    size: paper === 'letter' ? 'LETTER' : 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: { Title: h.title, Author: h.author ?? h.tool, Subject: `${h.production ? `${h.production}, ` : ''}day ${h.day}`, Creator: h.tool, Producer: h.tool, CreationDate: new Date(h.createdAt) },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const w = new Writer(doc);
  w.text(h.title, { size: 16, bold: true });
  w.text([h.production && `Production: ${h.production}`, `Day ${h.day}`, h.author && `DIT ${h.author}`, h.location].filter(Boolean).join(' · '), { size: 10 });
  const t = r.totals;
  w.text(`${t.cards} card(s), ${t.files} files, ${formatBytes(t.bytes)}, ${t.clips} clips; ${t.verifiedCopies} of ${t.copies} copies verified; ${t.problems} problem(s). Made ${h.createdAt} by ${h.tool}.`);
  doc.moveDown();
  for (const c of r.cards) cardPart(w, c);
  doc.end();
  return done;
}
