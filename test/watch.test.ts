/**
 * Card detection parts, on real folders: the watcher (chokidar) reports folders that appear
 * and disappear under its roots; the stability check does not call a card still being
 * copied stable; layouts render safe paths; the config names what is wrong with it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/engine/config.ts';
import { filesNotCopied, waitForUncopiedFiles } from '../core/watch/growth.ts';
import { ingestSettings } from '../core/watch/settings.ts';
import { checkLayout, renderLayout } from '../core/watch/layout.ts';
import { scanCard } from '../core/watch/scan.ts';
import { waitUntilStable } from '../core/watch/stability.ts';
import { CardWatcher } from '../core/watch/watcher.ts';
import { makeSmallCard } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { slowCopy } from './helpers/slow-copy.ts';
import { until } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-watch-');

describe('card watcher', () => {
  it('reports folders already there, new ones, removed ones, and roots that appear later', async () => {
    const base = scratch();
    const mounts = join(base, 'media');
    const later = join(base, 'run-media');
    mkdirSync(join(mounts, 'A001'), { recursive: true });
    const seen: string[] = [];
    const watcher = new CardWatcher({ roots: [mounts, later], rootCheckMs: 100, onAppear: (p) => seen.push(`+${p}`), onDisappear: (p) => seen.push(`-${p}`) });
    await watcher.start();
    try {
      expect(seen).toEqual([`+${join(mounts, 'A001')}`]);
      mkdirSync(join(mounts, 'B001', 'CLIPS'), { recursive: true });
      writeFileSync(join(mounts, 'loose-file.txt'), 'not a card');
      await until(() => seen.length === 2);
      mkdirSync(join(later, 'C001'), { recursive: true });
      await until(() => seen.length === 3);
      rmSync(join(mounts, 'A001'), { recursive: true });
      await until(() => seen.length === 4);
      expect(seen.slice(1)).toEqual([`+${join(mounts, 'B001')}`, `+${join(later, 'C001')}`, `-${join(mounts, 'A001')}`]);
    } finally {
      await watcher.stop();
    }
  });
});

describe('stability', () => {
  it('does not call a card stable while a copy that pauses is still writing it', async () => {
    const base = scratch();
    const card = join(base, 'card');
    makeSmallCard(card);
    const target = join(base, 'watch', 'A001');
    const copying = slowCopy(card, target, { chunkBytes: 1 << 20, pauseMs: 100, stallMs: 700 });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    const stable = await waitUntilStable(target, { stableMs: 1000, pollMs: 100 });
    const landed = await copying;
    expect(Date.now()).toBeGreaterThanOrEqual(landed + 1000);
    expect(stable.files).toEqual((await scanCard(card)).files);
    expect(Date.now() - t0).toBeGreaterThan(1000);
  });

  it('waits while a new folder is empty, and stops when asked', async () => {
    const empty = join(scratch(), 'empty');
    mkdirSync(empty);
    const controller = new AbortController();
    const waiting = waitUntilStable(empty, { stableMs: 100, pollMs: 20, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('card pulled')), 400);
    await expect(waiting).rejects.toThrow('card pulled');
  });

  it('leaves out volume junk and the ascmhl history', async () => {
    const card = join(scratch(), 'card');
    makeSmallCard(card);
    const before = await scanCard(card);
    for (const junk of ['.Spotlight-V100/Store-V2/x', '.Trashes/501/y', '._A001C001_260314_R1AB.mxf', 'ascmhl/0001_card.mhl', '.DS_Store', 'System Volume Information/IndexerVolumeGuid']) {
      mkdirSync(join(card, junk, '..'), { recursive: true });
      writeFileSync(join(card, junk), 'junk');
    }
    expect((await scanCard(card)).files).toEqual(before.files);
  });
});

describe('layout and config', () => {
  const identity = { camera: 'red' as const, roll: 'B002', volumeLabel: 'B002_0412', clipCount: 3, evidence: '' };
  it('renders each field as one safe folder', () => {
    expect(renderLayout('/raid1', '{project}/{date}/{camera}/{unit}/{roll}', { project: 'Show / Two', date: new Date(2026, 10, 23, 12), identity })).toBe('/raid1/Show _ Two/2026-11-23/RED/B/B002');
    expect(renderLayout('/raid1', 'Day 1/{label}', { project: 'x', date: new Date(), identity })).toBe('/raid1/Day 1/B002_0412');
  });

  it('refuses unknown fields and paths that leave the destination', () => {
    expect(() => checkLayout('{project}/{scene}/{roll}')).toThrow(/unknown field \{scene\}; known: \{project\}/);
    expect(() => checkLayout('../{roll}')).toThrow(/relative path/);
    expect(() => checkLayout('/abs/{roll}')).toThrow(/relative path/);
  });

  it('names the config file and the bad key', () => {
    const dir = scratch();
    const file = join(dir, 'rushes.json');
    writeFileSync(file, JSON.stringify({ ingest: { destinations: [dir], stableMs: 'soon' } }));
    expect(() => loadConfig(file)).toThrow(new RegExp(`${file}.*/ingest/stableMs must be integer`));
    writeFileSync(file, JSON.stringify({ ingest: { destinations: [dir], colour: 'red' } }));
    expect(() => loadConfig(file)).toThrow(/unknown key "colour"/);
    writeFileSync(file, JSON.stringify({ ingest: { destinations: [dir], layout: '{roll}/{take}' } }));
    expect(() => loadConfig(file)).toThrow(/ingest: layout "\{roll\}\/\{take\}" uses unknown field \{take\}/);
    writeFileSync(file, JSON.stringify({ webhooks: [{ url: 'ftp://x' }] }));
    expect(() => loadConfig(file)).toThrow(/\/webhooks\/0\/url must match/);
  });
});

describe('a card after its offload', () => {
  it('names files that are new, resized or touched since they were copied, and not files that are gone', () => {
    const copied = new Map([
      ['A.mov', { size: 10, mtimeMs: 1000 }],
      ['B.mov', { size: 10, mtimeMs: 1000 }],
      ['C.mov', { size: 10, mtimeMs: 1000 }],
      ['gone.mov', { size: 10, mtimeMs: 1000 }],
    ]);
    const now = {
      root: '/card',
      bytes: 0,
      files: [
        { path: 'A.mov', size: 10, mtimeMs: 1000 },
        { path: 'B.mov', size: 11, mtimeMs: 1000 },
        { path: 'C.mov', size: 10, mtimeMs: 1000.5 },
        { path: 'D.mov', size: 1, mtimeMs: 1000 },
      ],
    };
    expect(filesNotCopied(now, copied)).toEqual(['B.mov', 'C.mov', 'D.mov']);
    expect(filesNotCopied({ ...now, files: now.files.slice(0, 1) }, copied)).toEqual([]);
  });

  it('keeps looking through a listing that fails, and stops after its time without a change', async () => {
    const copied = new Map([['A.mov', { size: 10, mtimeMs: 1000 }]]);
    const unchanged = { root: '/card', bytes: 10, files: [{ path: 'A.mov', size: 10, mtimeMs: 1000 }] };
    const grown = { ...unchanged, files: [...unchanged.files, { path: 'B.mov', size: 5, mtimeMs: 2000 }] };
    const looks = [unchanged, new Error('EIO'), unchanged, grown];
    const errors: unknown[] = [];
    const signal = new AbortController().signal;
    const scan = async () => {
      const next = looks.shift()!;
      if (next instanceof Error) throw next;
      return next;
    };
    await expect(waitForUncopiedFiles('/card', copied, { intervalMs: 5, signal, scan, onError: (e) => errors.push(e) })).resolves.toEqual(['B.mov']);
    expect(errors).toHaveLength(1);
    expect(looks).toHaveLength(0);
    await expect(waitForUncopiedFiles('/card', copied, { intervalMs: 5, forMs: 50, signal, scan: async () => unchanged })).resolves.toEqual([]);
    const aborted = new AbortController();
    const waiting = waitForUncopiedFiles('/card', copied, { intervalMs: 5, signal: aborted.signal, scan: async () => unchanged });
    aborted.abort();
    await expect(waiting).rejects.toBeDefined();
  });

  it('never counts the ascmhl history as card content, whatever the ignore list says', () => {
    const s = ingestSettings({ destinations: ['/raid'], ignore: ['*.tmp'] });
    expect(s.ignore).toEqual(expect.arrayContaining(['ascmhl/', '.DS_Store', '*.tmp']));
  });
});
