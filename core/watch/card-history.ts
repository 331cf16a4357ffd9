/**
 * Opt-in (`ingest.writeCardHistory`): after a card is verified, give the card the ascmhl
 * history its destinations got, so that the next tool that reads the card sees what was
 * checked. Manifests the card already has are never touched; new ones are added, and the
 * chain — a superset of the card's own — replaces it by rename, so a card pulled halfway
 * keeps a valid history.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ASCMHL_FOLDER, CHAIN_FILE } from '../mhl/index.ts';
import { errno } from '../errors.ts';

export async function copyHistoryToCard(rollFolder: string, card: string): Promise<void> {
  const from = join(rollFolder, ASCMHL_FOLDER);
  const to = join(card, ASCMHL_FOLDER);
  await fsp.mkdir(to, { recursive: true });
  const names = await fsp.readdir(from);
  for (const name of names.filter((n) => n !== CHAIN_FILE).sort()) {
    try {
      await fsp.copyFile(join(from, name), join(to, name), fsp.constants.COPYFILE_EXCL);
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw e;
    }
  }
  const tmp = join(to, `.${CHAIN_FILE}.rushes.tmp`);
  await fsp.copyFile(join(from, CHAIN_FILE), tmp);
  const fh = await fsp.open(tmp, 'r+');
  await fh.sync();
  await fh.close();
  await fsp.rename(tmp, join(to, CHAIN_FILE));
}
