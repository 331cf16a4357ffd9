/**
 * `rushes verify DIR` and `rushes mhl create|info|diff DIR`, through the engine's MHL functions
 * (small files hashed in this thread, large ones in the worker pool; what was verified or
 * written in the store's event log). Exit codes are the reference tool's (see
 * exit-codes.ts), so scripts read both the same.
 */
import type { Command } from 'commander';
import type { MhlProgress } from '../mhl/index.ts';
import { loadMhl, withMhl } from './engine.ts';
import { formatBytes, formatDuration, formatRate } from '../util/format.ts';
import { cancelOnSignals, type Io } from './io.ts';
import { bar } from './progress.ts';

/** One live line on a terminal; nothing elsewhere. Returns a function that clears it. */
function mhlProgress(io: Io, json: boolean): { onProgress?: (p: MhlProgress) => void; done: () => void } {
  if (json || !io.stdout.isTTY) return { done: () => undefined };
  let drawn = false;
  return {
    onProgress: (p) => {
      if (p.phase === 'scan') {
        // The totals are what was found so far: counts, no bar (none while the history loads and the folder is listed).
        io.stdout.write(p.filesDone === 0 ? '\r\x1b[Kscanning…' : `\r\x1b[Kscanning  ${p.filesDone} files  ${formatBytes(p.bytesDone)}  ${formatRate(p.rate)}`);
        drawn = true;
        return;
      }
      const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1;
      io.stdout.write(
        `\r\x1b[K${bar(fraction)} ${(fraction * 100).toFixed(0).padStart(3)}%  ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${p.filesDone}/${p.filesTotal} files  ${formatRate(p.rate)}  ETA ${formatDuration(p.etaSeconds)}`,
      );
      drawn = true;
    },
    done: () => drawn && io.stdout.write('\r\x1b[K'),
  };
}

function print(io: Io, json: boolean, value: unknown, lines: () => string[]): void {
  io.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : lines().join('\n') + '\n');
}

export function registerMhlCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const home = () => program.opts().home as string | undefined;
  program
    .command('verify')
    .description('check a folder against its ASC MHL history: every file read back from the device')
    .argument('<dir>', 'a folder with an ascmhl history')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      void loadMhl();
      const { signal, dispose } = cancelOnSignals(io);
      const progress = mhlProgress(io, !!flags.json);
      try {
        const report = await withMhl(home(), (mhl) => mhl.verify(dir, { onProgress: progress.onProgress, signal }));
        progress.done();
        const { formatVerifyReport } = await import('../mhl/index.ts');
        print(io, !!flags.json, report, () => formatVerifyReport(report));
        setExit(report.exitCode);
      } finally {
        dispose();
      }
    });

  const mhl = program.command('mhl').description('create, inspect and compare ASC MHL histories');

  mhl
    .command('create')
    .description('seal a folder in place: hash every file and write a new generation (checking files the history knows)')
    .argument('<dir>', 'the folder to seal')
    .option('--hash <formats>', 'hash formats, comma-separated', 'xxh64')
    .option('--author <name>', 'author recorded in the MHL')
    .option('--location <text>', 'location recorded in the MHL')
    .option('--comment <text>', 'comment recorded in the MHL')
    .option('--detect-renaming', 'record a missing file found again under another name (same size and hash) as renamed')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, flags: { hash: string; author?: string; location?: string; comment?: string; detectRenaming?: boolean; json?: boolean }) => {
      void loadMhl();
      const formats = (await import('../hash/index.ts')).parseHashFormats(flags.hash);
      const { signal, dispose } = cancelOnSignals(io);
      const progress = mhlProgress(io, !!flags.json);
      try {
        const result = await withMhl(home(), (mhl) =>
          mhl.create(dir, {
            formats,
            creator: { author: flags.author ? { name: flags.author } : undefined, location: flags.location, comment: flags.comment },
            detectRenames: !!flags.detectRenaming,
            onProgress: progress.onProgress,
            signal,
          }),
        );
        progress.done();
        const { formatCreateResult } = await import('../mhl/index.ts');
        print(io, !!flags.json, result, () => formatCreateResult(result));
        setExit(result.exitCode);
      } finally {
        dispose();
      }
    });

  mhl
    .command('info')
    .description('list the generations of a history (and its nested histories)')
    .argument('<dir>', 'a folder with an ascmhl history')
    .option('--json', 'print as JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const { history, description } = await withMhl(home(), (mhl) => mhl.info(dir));
      const { formatHistoryDescription, MHL_EXIT } = await import('../mhl/index.ts');
      print(io, !!flags.json, description, () => formatHistoryDescription(description));
      setExit(history.generations.length === 0 && history.children.length === 0 ? MHL_EXIT.NO_HISTORY : MHL_EXIT.OK);
    });

  mhl
    .command('diff')
    .description('list what changed on disk since the last generation (names, sizes, dates; no hashing)')
    .argument('<dir>', 'a folder with an ascmhl history')
    .option('--json', 'print as JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const report = await withMhl(home(), (mhl) => mhl.diff(dir));
      const { formatDiffReport } = await import('../mhl/index.ts');
      print(io, !!flags.json, report, () => formatDiffReport(report));
      setExit(report.exitCode);
    });
}
