import { parseHashFormats } from '../hash/index.ts';
import type { OffloadEvent } from '../offload/events.ts';
import { resolve } from 'node:path';
import { withEngine } from './engine.ts';
import type { VerifyMode } from '../offload/store.ts';
import { RushesError } from '../errors.ts';
import { EXIT } from './exit-codes.ts';
import { summaryText, TerminalProgress } from './progress.ts';
import { cancelOnSignals, type Io } from './io.ts';
import { wholeNumber } from './options.ts';

export interface OffloadFlags {
  to: string[];
  hash: string;
  verify: string;
  sourceVerify?: boolean;
  roll?: string;
  json?: boolean;
  home?: string;
  author?: string;
  location?: string;
  comment?: string;
  concurrency?: string;
  wait?: boolean;
}

function parseVerifyMode(v: string): VerifyMode {
  if (v === 'full' || v === 'size' || v === 'none') return v;
  throw new RushesError('USAGE', `--verify must be full, size or none (got "${v}")`);
}

export async function offloadCommand(source: string, flags: OffloadFlags, io: Io): Promise<number> {
  const formats = parseHashFormats(flags.hash);
  const verify = parseVerifyMode(flags.verify);
  const concurrency = wholeNumber(flags.concurrency, 'concurrency', 1, 256);
  const terminal = !flags.json && io.stdout.isTTY ? new TerminalProgress(io.stdout) : undefined;
  terminal?.setVerifies(verify === 'full');
  // The workers take a while to load: they start now, while the engine opens and the card is surveyed.
  (await import('../runtime/pool.ts')).warmPool();
  const onEvent = (e: OffloadEvent) => {
    if (flags.json) io.stdout.write(JSON.stringify(e) + '\n');
    else if (terminal) terminal.handle(e);
    else if (e.type === 'file.failed') io.stderr.write(`${e.failure.code}: ${e.failure.message}\n`);
    else if (e.type === 'offload.waiting') io.stderr.write(`waiting: ${e.message}\n`);
  };
  const { signal, dispose } = cancelOnSignals(io);
  try {
    return await withEngine(flags.home, async (api) => {
      const summary = await api.offloads.run(
        {
          source: resolve(source),
          destinations: flags.to.map((d) => resolve(d)),
          roll: flags.roll,
          hashes: formats,
          verify,
          sourceVerify: !!flags.sourceVerify,
          author: flags.author,
          location: flags.location,
          comment: flags.comment,
          concurrency,
          waitForLock: !!flags.wait,
        },
        { signal, onEvent },
      );
      if (!flags.json) io.stdout.write(summaryText(summary) + '\n');
      return summary.status === 'completed' ? EXIT.OK : summary.status === 'cancelled' ? EXIT.CANCELLED : EXIT.INCOMPLETE;
    });
  } finally {
    dispose();
  }
}
