/**
 * `npm run bench -- offload [--layout disk,set] [--card clips,small] [--gib N] [--clips N]
 *   [--small N] [--small-kib N] [--runs N] [--rushes-args "…"]`
 *
 * The offload against what a careful DIT would do by hand and against the floors of the
 * hardware, in one run: every contender from a cold page cache (run as root), contenders
 * interleaved round by round, medians reported. For each layout (bench/offload/layouts.ts:
 * one shared disk; or the card on the disk and each destination on its own fast device) and
 * each card (bench/offload/cards.ts: a few large clips; many small files), apart, so
 * streaming speed and per-file overhead both show. Contenders: bench/offload/contenders.ts.
 *
 * Targets (issue 17): one shared disk, at most 0.75× the safe script; set layout, at most
 * 1.15× the cold read of the card; small files, at most 1.5× the safe script on the same
 * disk; peak RSS under 300 MB. The last line is one JSON object with every figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PHASES, type PhaseTimes } from '../core/offload/phases.ts';
import { canDropCaches } from './_cold.ts';
import { listArg, numberArg } from './_args.ts';
import { CARDS, makeClipsCard, makeSmallCard, type Card } from './offload/cards.ts';
import { coldRead, copyFloors, rushesOffload, safeScript } from './offload/contenders.ts';
import { LAYOUTS, makeLayout, setLayoutSupport, type Layout } from './offload/layouts.ts';

const layouts = listArg('layout', LAYOUTS, LAYOUTS);
const cards = listArg('card', CARDS, CARDS);
const GIB = numberArg('gib', 1);
const CLIPS = numberArg('clips', 4);
const SMALL = numberArg('small', 10_000);
const SMALL_KIB = numberArg('small-kib', 32);
const RUNS = numberArg('runs', 3);
const argAt = process.argv.indexOf('--rushes-args');
const RUSHES_ARGS = argAt > 0 ? process.argv[argAt + 1].split(' ').filter(Boolean) : [];

const RSS_LIMIT_MB = 300;
/** What each ratio must stay under, and what it is measured against. */
const TARGETS = {
  disk: { clips: { against: 'safe', max: 0.75 }, small: { against: 'safe', max: 1.5 } },
  // The small-file target is the disk's: per-file work cannot hide behind the card's read.
  set: { clips: { against: 'coldRead', max: 1.15 }, small: { against: 'safe', max: 1.5 } },
} as const;

type Contender = 'coldRead' | 'copySync' | 'copyOnceSync' | 'readCopies' | 'safe' | 'rushes';
const CONTENDERS: Contender[] = ['coldRead', 'copySync', 'copyOnceSync', 'readCopies', 'safe', 'rushes'];
const LABELS: Record<Contender, string> = {
  coldRead: 'floor: cold read of the card',
  copySync: 'floor: cp -r ×2 + sync',
  copyOnceSync: 'floor: one read, tar | tee to both + sync',
  readCopies: 'floor: cold read of both copies',
  safe: 'safe script: cp ×2, sync, drop, xxhsum ×3',
  rushes: 'rushes offload (xxh64, fsync, O_DIRECT)',
};

interface Case {
  layout: Layout;
  card: Card;
  samples: Record<Contender, number[]>;
  rss: number[];
  phases: PhaseTimes[];
  outside: number[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (x: number) => +x.toFixed(3);

async function round(c: Case, home: string): Promise<void> {
  const { card, layout } = c;
  c.samples.coldRead.push(coldRead(card.path));
  const floors = copyFloors(card.path, layout.destinations);
  c.samples.copySync.push(floors.copySync);
  c.samples.copyOnceSync.push(floors.copyOnceSync);
  c.samples.readCopies.push(floors.readCopies);
  c.samples.safe.push(safeScript(card.path, layout.destinations));
  const r = await rushesOffload(card.path, layout.destinations, home, RUSHES_ARGS);
  c.samples.rushes.push(r.seconds);
  c.rss.push(r.peakRssMb);
  if (r.phases) c.phases.push(r.phases);
  c.outside.push(r.outsideSeconds);
}

function report(c: Case): Record<string, unknown> {
  const m = Object.fromEntries(CONTENDERS.map((k) => [k, median(c.samples[k])])) as Record<Contender, number>;
  const target = TARGETS[c.layout.name][c.card.name];
  const ratio = m.rushes / m[target.against];
  const peakRssMb = Math.max(...c.rss);
  const phases = { ...Object.fromEntries(PHASES.map((p) => [p, r3(median(c.phases.map((x) => x[p])))])), outside: r3(median(c.outside)) };
  console.log(`\n${c.layout.name} layout, ${c.card.describe} (${(c.card.bytes / 1e9).toFixed(2)} GB), median of ${c.samples.rushes.length}`);
  console.log(`${'contender'.padEnd(44)} ${'seconds'.padStart(8)} ${'MB/s'.padStart(7)}   all runs (s)`);
  for (const k of CONTENDERS) {
    const mbps = c.card.bytes / 1e6 / m[k];
    console.log(`${LABELS[k].padEnd(44)} ${m[k].toFixed(2).padStart(8)} ${mbps.toFixed(0).padStart(7)}   ${c.samples[k].map((x) => x.toFixed(2)).join(' ')}`);
  }
  console.log(`phases (s with work in flight, overlapping): ${Object.entries(phases).map(([p, s]) => `${p} ${s}`).join(', ')} (outside: process start-up and shut-down)`);
  // What no offload can beat: the copies made durable (the faster of the two ways to make
  // them) with the read-back entirely hidden behind them, and (when one device must do
  // both in turn) with the read-back after them.
  const copyFloor = Math.min(m.copySync, m.copyOnceSync);
  const floorRatio = Math.max(m.coldRead, copyFloor) / m[target.against];
  const serialFloorRatio = (copyFloor + m.readCopies) / m[target.against];
  console.log(`floors / ${target.against}: cp+sync ${floorRatio.toFixed(2)}, cp+sync then read back ${serialFloorRatio.toFixed(2)}`);
  console.log(
    `rushes / ${target.against}: ${ratio.toFixed(2)} (target ≤ ${target.max}: ${ratio <= target.max ? 'met' : 'NOT met'}); ` +
      `rushes / safe ${(m.rushes / m.safe).toFixed(2)}, / cold read ${(m.rushes / m.coldRead).toFixed(2)}, / cp+sync ${(m.rushes / m.copySync).toFixed(2)}, / copy floor ${(m.rushes / copyFloor).toFixed(2)}; ` +
      `peak RSS ${peakRssMb.toFixed(0)} MB (limit ${RSS_LIMIT_MB})`,
  );
  return {
    layout: c.layout.name,
    card: c.card.name,
    bytes: c.card.bytes,
    files: c.card.files,
    coldReadSeconds: r3(m.coldRead),
    copySyncSeconds: r3(m.copySync),
    copyOnceSyncSeconds: r3(m.copyOnceSync),
    readCopiesSeconds: r3(m.readCopies),
    safeSeconds: r3(m.safe),
    rushesSeconds: r3(m.rushes),
    rushesRuns: c.samples.rushes.map(r3),
    ratio: r3(ratio),
    ratioAgainst: target.against,
    target: target.max,
    met: ratio <= target.max,
    floorRatio: r3(floorRatio),
    serialFloorRatio: r3(serialFloorRatio),
    ratioToSafe: r3(m.rushes / m.safe),
    ratioToColdRead: r3(m.rushes / m.coldRead),
    ratioToCopySync: r3(m.rushes / m.copySync),
    ratioToCopyFloor: r3(m.rushes / copyFloor),
    peakRssMb: +peakRssMb.toFixed(1),
    phases,
  };
}

const root = mkdtempSync(join(tmpdir(), 'rushes-bench-offload-'));
const made: Layout[] = [];
try {
  const why = layouts.includes('set') ? setLayoutSupport() : undefined;
  if (why) throw new Error(why);
  const cardList: Card[] = [];
  if (cards.includes('clips')) cardList.push(makeClipsCard(root, Math.round(GIB * 2 ** 30), CLIPS));
  if (cards.includes('small')) cardList.push(makeSmallCard(root, SMALL, SMALL_KIB * 1024));
  const biggest = Math.max(...cardList.map((c) => c.bytes));
  for (const name of layouts) made.push(makeLayout(name, root, biggest));
  const cases: Case[] = made.flatMap((layout) =>
    cardList.map((card) => ({ layout, card, samples: Object.fromEntries(CONTENDERS.map((k) => [k, []])) as unknown as Case['samples'], rss: [], phases: [], outside: [] })),
  );
  console.log(`cards: ${cardList.map((c) => c.describe).join('; ')}; layouts: ${layouts.join(', ')}; ${RUNS} interleaved rounds in ${root}`);
  // The disk's speed varies run to run by 2× and more: every contender of every case runs
  // once per round, and the medians are reported.
  for (let run = 0; run < RUNS; run++) {
    for (const c of cases) await round(c, join(root, 'home'));
    console.log(`round ${run + 1}/${RUNS} done`);
  }
  const results = cases.map(report);
  console.log(`\ncaches dropped before each contender: ${canDropCaches ? 'yes' : 'no (not root): figures favour whoever runs second'}`);
  console.log(JSON.stringify({ bench: 'offload', runs: RUNS, coldCaches: canDropCaches, rushesArgs: RUSHES_ARGS.join(' ') || undefined, cases: results }));
} finally {
  made.forEach((l) => l.remove());
  rmSync(root, { recursive: true, force: true });
}
