/**
 * `rushes report CARD_ID|OFFLOAD_ID|DEST_FOLDER [--day DATE] --format pdf|html|csv|json [--out F]`:
 * the report the production office asks for, made from the store's records.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RushesError } from '../errors.ts';
import { withEngine } from './engine.ts';
import type { Io } from './io.ts';
import { oneOf } from './options.ts';

interface ReportFlags {
  day?: string;
  format: string;
  out?: string;
  paper?: string;
  production?: string;
}

/** A card id (a number), an offload id (a UUID), or else a folder. */
function target(what: string | undefined, day: string | undefined) {
  if (day !== undefined) return { day };
  if (what === undefined) throw new RushesError('USAGE', 'name a card id, an offload id or a destination roll folder, or give --day YYYY-MM-DD');
  if (/^\d+$/.test(what)) return { cardId: Number(what) };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(what)) return { offloadId: what };
  return { folder: resolve(what) };
}

export function registerReportCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('the offload report of a card, an offload or a destination roll folder (or of a day): PDF, HTML, CSV or JSON')
    .argument('[target]', 'a card id, an offload id, or a destination roll folder')
    .option('--day <YYYY-MM-DD>', 'every card offloaded that day, with totals')
    .option('--format <f>', 'pdf (default), html, csv or json', 'pdf')
    .option('--out <file>', 'where to write it (default: a PDF into the current folder by the roll\'s name; other formats to stdout)')
    .option('--paper <size>', 'a4 (default) or letter')
    .option('--production <name>', 'the production named at the top')
    .action(async (what: string | undefined, flags: ReportFlags) => {
      const format = oneOf(flags.format, 'format', ['pdf', 'html', 'csv', 'json'] as const)!;
      const paper = oneOf(flags.paper, 'paper', ['a4', 'letter'] as const);
      const report = await withEngine(program.opts().home as string | undefined, (api) => api.reports.make(target(what, flags.day), { format, paper, production: flags.production }));
      const out = flags.out ?? (format === 'pdf' ? report.fileName : undefined);
      if (out === undefined) io.stdout.write(report.body);
      else {
        await writeFile(out, report.body);
        io.stderr.write(`wrote ${resolve(out)}\n`);
      }
      setExit(0);
    });
}
