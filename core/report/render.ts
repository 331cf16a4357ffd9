/** A report in the format asked for, with what a file or an HTTP answer needs to carry it. */
import { reportCsv } from './csv.ts';
import { reportHtml } from './html.ts';
import type { Report } from './model.ts';
import type { Paper } from './pdf.ts';

export const REPORT_FORMATS = ['pdf', 'html', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderedReport {
  body: Buffer;
  contentType: string;
  /** A file name for it: the roll (or the day) and the format. */
  fileName: string;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function reportFileName(r: Report, format: ReportFormat): string {
  const what = r.cards.length === 1 ? `${r.cards[0]!.card.roll}_${r.header.day}` : `day_${r.header.day}`;
  return `${what.replace(/[^\w.-]+/g, '_')}_report.${format}`;
}

export async function renderReport(r: Report, format: ReportFormat, paper: Paper = 'a4'): Promise<RenderedReport> {
  const body =
    // PDFKit is loaded when a PDF is asked for, not with every command that could make one.
    format === 'pdf' ? await (await import('./pdf.ts')).reportPdf(r, paper) : format === 'html' ? Buffer.from(await reportHtml(r)) : format === 'csv' ? Buffer.from(reportCsv(r)) : Buffer.from(JSON.stringify(r, null, 2) + '\n');
  return { body, contentType: CONTENT_TYPES[format], fileName: reportFileName(r, format) };
}
