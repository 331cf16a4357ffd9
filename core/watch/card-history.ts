/**
 * Opt-in (`ingest.writeCardHistory`): after a card is verified, give the card the ascmhl
 * history its destinations got, so that the next tool that reads the card sees what was
 * checked. Manifests the card already has are never touched; new ones are added, and the
 * chain — a superset of the card's own — replaces it by rename, so a card pulled halfway
 * keeps a valid history.
 */
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { ASCMHL_FOLDER, CHAIN_FILE } from '../mhl/index.ts';
import { copyFileDurably, fsyncFolder } from '../fs/durable.ts';
import { isRushesError } from '../errors.ts';
import type { JobHandler } from '../queue/index.ts';

export interface CardHistoryPayload {
  cardId: number;
  /** A destination roll folder that holds the verified history. */
  from: string;
  /** The card. */
  to: string;
}

declare module '../queue/types.ts' {
  interface JobKinds {
    'card-history': { payload: CardHistoryPayload; result: { written: string } };
  }
}

/** The `card-history` job: queued by rule once a card is safe to eject, when the ingest config asks for it. */
export const cardHistoryHandler: JobHandler<'card-history'> = async ({ job, log }) => {
  await copyHistoryToCard(job.payload.from, job.payload.to);
  log.info('wrote the ascmhl history to the card', { card: job.payload.cardId, path: job.payload.to });
  return { written: join(job.payload.to, ASCMHL_FOLDER) };
};

export async function copyHistoryToCard(rollFolder: string, card: string): Promise<void> {
  const from = join(rollFolder, ASCMHL_FOLDER);
  const to = join(card, ASCMHL_FOLDER);
  await fsp.mkdir(to, { recursive: true });
  const names = await fsp.readdir(from);
  for (const name of names.filter((n) => n !== CHAIN_FILE && n.endsWith('.mhl')).sort()) {
    try {
      await copyFileDurably(join(from, name), join(to, name), { exclusive: true });
    } catch (e) {
      // A manifest the card already has stays as it is: manifests are never rewritten.
      if (!isRushesError(e) || e.code !== 'DEST_CONFLICT') throw e;
    }
  }
  await copyFileDurably(join(from, CHAIN_FILE), join(to, CHAIN_FILE));
  await fsyncFolder(dirname(to));
}
