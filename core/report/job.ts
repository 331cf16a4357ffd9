/**
 * The automatic report: with `reports` in the config, a rule queues a `report` job once an
 * offload's clips are inspected (core/workflow/standard-rules.ts); it writes the report
 * beside each destination roll folder (not inside it: a file there that no ASC MHL
 * generation lists would fail the next verify) or into a folder of its own.
 */
import { dirname, join } from 'node:path';
import { writeFileDurably } from '../fs/durable.ts';
import type { JobHandler } from '../queue/index.ts';
import { gatherReport, type ReportSources } from './gather.ts';
import type { Paper } from './pdf.ts';
import { renderReport, type ReportFormat } from './render.ts';

export interface ReportConfig {
  pdf?: boolean;
  html?: boolean;
  csv?: boolean;
  json?: boolean;
  /** `destination` (default): beside each destination roll folder; else a folder for every report. */
  into?: string;
  paper?: Paper;
  production?: string;
}

export interface ReportPayload {
  offloadId: string;
  formats: ReportFormat[];
  into: string;
  paper?: Paper;
  production?: string;
}

declare module '../queue/types.ts' {
  interface JobKinds {
    report: { payload: ReportPayload; result: { written: string[] } };
  }
}

/** Below renders: a report comes once the pictures it shows are made. */
export const REPORT_PRIORITY = -3;

/** The formats a config asks for (PDF when it names none). */
export function reportFormats(c: ReportConfig): ReportFormat[] {
  const asked = (['pdf', 'html', 'csv', 'json'] as const).filter((f) => c[f]);
  return asked.length ? asked : ['pdf'];
}

export function reportHandler(sources: ReportSources & { prepare(offloadId: string): Promise<void> }): JobHandler<'report'> {
  return async ({ job, log }) => {
    const p = job.payload;
    const report = await gatherReport(sources, { offloadId: p.offloadId }, { production: p.production });
    const folders = p.into === 'destination' ? report.cards[0]!.destinations.map((d) => dirname(d.path)) : [p.into];
    const written: string[] = [];
    for (const format of p.formats) {
      const r = await renderReport(report, format, p.paper);
      for (const folder of folders) {
        const path = join(folder, r.fileName);
        await writeFileDurably(path, r.body);
        written.push(path);
      }
    }
    log.info('report written', { offloadId: p.offloadId, files: written });
    return { written };
  };
}
