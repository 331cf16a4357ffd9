/**
 * The survey the offload plan decides from, on real folders: what a destination holds at
 * each path the card would copy to, with every answer a stat of that very path would give;
 * and what happens when the destination changes after it was surveyed.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { offload } from '../core/offload/run.ts';
import { surveyDestination } from '../core/offload/survey.ts';
import type { SourceFile } from '../core/offload/walk.ts';
import { openStore } from '../core/store/db.ts';
import { pseudoRandomBytes, writeFile } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders();

function listed(...paths: string[]): SourceFile[] {
  return paths.map((path) => ({ path, abs: `/card/${path}`, size: 10, mtimeMs: 0, mtimeNs: 0n, atimeNs: 0n }));
}

describe('offload survey', () => {
  it('finds nothing in a new roll folder, or below a folder that is not there', async () => {
    const root = scratch();
    expect(await surveyDestination(root, listed('a.mov', 'Clip/b.mov', 'Clip/Deep/c.mov'))).toEqual(new Map());
  });

  it('names what is there: a file and its size (through a link too), anything else in the way', async () => {
    const root = scratch();
    writeFile(root, 'Clip/b.mov', 'twelve bytes');
    writeFile(root, 'real.mov', '1234');
    symlinkSync(join(root, 'real.mov'), join(root, 'linked.mov'));
    mkdirSync(join(root, 'Clip', 'folder.mov'));
    const held = await surveyDestination(root, listed('Clip/b.mov', 'Clip/missing.mov', 'linked.mov', 'Clip/folder.mov'));
    expect(held.get('Clip/b.mov')).toEqual({ kind: 'file', size: 12 });
    expect(held.get('linked.mov')).toEqual({ kind: 'file', size: 4 });
    expect(held.get('Clip/folder.mov')).toMatchObject({ kind: 'other' });
    expect(held.has('Clip/missing.mov')).toBe(false);
  });

  it('a file where the card has a folder makes every file below it unreadable, named by its own path', async () => {
    const root = scratch();
    writeFile(root, 'Clip', 'not a folder');
    const held = await surveyDestination(root, listed('Clip/b.mov'));
    const h = held.get('Clip/b.mov');
    expect(h?.kind === 'unreadable' && h.error).toMatchObject({ code: 'DEST_IO', path: join(root, 'Clip/b.mov') });
  });
});

describe('a destination that changes after the survey', () => {
  it('a name taken while the copy ran is never overwritten: the file there is left untouched and named', async () => {
    const base = scratch();
    const card = join(base, 'H017');
    writeFile(card, 'H017C001.mov', pseudoRandomBytes(100_000, 1));
    writeFile(card, 'H017C002.mov', pseudoRandomBytes(100_000, 2));
    const roll = join(base, 'dst', 'H017');
    const db = openStore(join(base, 'home'));
    const summary = await offload({
      source: card,
      destinations: [join(base, 'dst')],
      db,
      concurrency: 1,
      onEvent: (e) => {
        // Another program writes into the roll folder once the offload has looked at it.
        if (e.type === 'offload.started') writeFile(roll, 'H017C002.mov', 'not the clip');
      },
    });
    db.close();
    expect(summary.status).toBe('incomplete');
    expect(readFileSync(join(roll, 'H017C002.mov'), 'utf8')).toBe('not the clip');
    expect(summary.failures.map((f) => [f.code, f.path])).toEqual([['DEST_CONFLICT', join(roll, 'H017C002.mov')]]);
    expect(summary.destinations[0].verifiedFiles).toBe(1);
    expect(existsSync(join(roll, 'H017C001.mov'))).toBe(true);
  });
});
