/**
 * Conformance with the reference ASC MHL implementation (ascmitc/mhl, from the peers folder),
 * both ways, through both real command lines on real files: two identical cards go through
 * the same life — a first generation, new files, a renamed file, then sealed again inside an
 * enclosing folder (a nested history) — one sealed by `rushes mhl create`, the other by
 * `ascmhl create`. At every step the reference tool checks what Rushes wrote, Rushes checks
 * what the reference tool wrote, and every manifest and chain Rushes wrote is validated
 * against the official schemas. Damage to either history gives both tools the same verdict.
 *
 * Where Rushes deliberately differs, and so these tests do not compare: `rushes verify` checks
 * folder hashes too (12; plain `ascmhl verify` never does), and only the latest recorded ones
 * (`ascmhl-debug verify -dh` holds every generation's against the disk, so after new files even
 * its own history fails it; Rushes's must fail it line for line alike); and a file lost under a
 * renamed file's old name, once recorded there again, is reported (core/mhl/records.ts).
 */
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HASH_FORMATS, type HashFormat } from '../core/hash/index.ts';
import { pseudoRandomBytes, writeFile } from './helpers/card.ts';
import { runCli, type CliResult } from './helpers/cli.ts';
import { referenceToolMissing, runReference, schemaErrors, schemasMissing } from './helpers/peer.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-ascmhl-');
const missing = referenceToolMissing() ?? schemasMissing;

/** Each format alone, then all six together. */
const FORMAT_SETS: HashFormat[][] = [...HASH_FORMATS.map((f) => [f]), [...HASH_FORMATS]];

const SHOT = new Date('2026-03-14T09:26:53Z');

/** A small card: clips, a non-ASCII name, a sidecar, an empty file and an empty folder. */
function makeCard(root: string): void {
  writeFile(root, 'Clips/A001C001_260314_R1AB.mov', pseudoRandomBytes(40_000, 1), SHOT);
  writeFile(root, 'Clips/A001C002_260314_R1AB.mov', pseudoRandomBytes(30_000, 2), SHOT);
  writeFile(root, 'Clips/A001C003_Szene_Über.mov', pseudoRandomBytes(20_000, 3), SHOT);
  writeFile(root, 'Sidecars/A001C001.xml', '<clip/>\n', SHOT);
  writeFile(root, 'EMPTY.txt', '', SHOT);
  mkdirSync(join(root, 'Empty Folder'));
}

/** Every file in every ascmhl folder under root. */
function historyFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.split('/').at(-2) === 'ascmhl')
    .map((p) => join(root, p));
}

const output = (r: CliResult): string => `exit ${r.code}\n${r.stdout}${r.stderr}`;
const errorLines = (r: CliResult): string[] => (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('ERROR'));

function expectValid(root: string): void {
  for (const file of historyFiles(root)) expect(schemaErrors(file), file).toBeUndefined();
}

/** One step in the life of a card: what changes on disk, then which folder is sealed again. */
interface Step {
  name: string;
  change?: (day: string) => void;
  /** Relative to the day folder: the card, or '' for the day folder itself (the card's history becomes nested). */
  folder: string;
  detectRenaming?: boolean;
}

const STEPS: Step[] = [
  { name: 'first generation', change: (day) => makeCard(join(day, 'A001')), folder: 'A001' },
  {
    name: 'second generation after new files',
    change: (day) => {
      writeFile(join(day, 'A001'), 'Clips/A001C004_260314_R1AB.mov', pseudoRandomBytes(25_000, 4), SHOT);
      writeFile(join(day, 'A001'), 'Sidecars/A001C004.xml', '<clip n="4"/>\n', SHOT);
    },
    folder: 'A001',
  },
  {
    name: 'a renamed file',
    change: (day) => renameSync(join(day, 'A001/Clips/A001C002_260314_R1AB.mov'), join(day, 'A001/Clips/A001C002_260314_R1AB_take2.mov')),
    folder: 'A001',
    detectRenaming: true,
  },
  { name: 'the card, with its history, sealed again inside its folder', change: (day) => writeFile(day, 'Report.txt', 'day report\n', SHOT), folder: '' },
];

/** What `ascmhl-debug verify -dh` says is wrong (it exits 0 on some mismatches: the lines are what counts). */
async function folderHashVerdict(root: string): Promise<string[]> {
  const r = await runReference('ascmhl-debug', ['verify', '-dh', root]);
  return [...errorLines(r), `exit ${r.code}`];
}

/** Rushes seals the card step by step; after each, the reference tool verifies it. Returns each step's -dh verdict. */
async function sealedByRushes(day: string, formats: HashFormat[]): Promise<string[][]> {
  const verdicts: string[][] = [];
  for (const step of STEPS) {
    step.change?.(day);
    const root = join(day, step.folder);
    const r = await runCli(['mhl', 'create', root, '--hash', formats.join(','), ...(step.detectRenaming ? ['--detect-renaming'] : [])]);
    expect(r.code, `${step.name}: rushes mhl create\n${output(r)}`).toBe(0);
    expectValid(root);
    const [files, folders] = await Promise.all([runReference('ascmhl-debug', ['verify', root]), folderHashVerdict(root)]);
    expect(files.code, `${step.name}: ascmhl-debug verify of Rushes's history\n${output(files)}`).toBe(0);
    expect(errorLines(files), step.name).toEqual([]);
    verdicts.push(folders);
  }
  return verdicts;
}

/** The reference tool seals the same card the same way; after each step, Rushes verifies it. Returns each step's -dh verdict. */
async function sealedByReference(day: string, formats: HashFormat[]): Promise<string[][]> {
  const verdicts: string[][] = [];
  for (const step of STEPS) {
    step.change?.(day);
    const root = join(day, step.folder);
    const p = await runReference('ascmhl', ['create', ...formats.flatMap((f) => ['-h', f]), ...(step.detectRenaming ? ['--detect_renaming'] : []), root]);
    expect(p.code, `${step.name}: ascmhl create\n${output(p)}`).toBe(0);
    const [ours, folders] = await Promise.all([runCli(['verify', root]), folderHashVerdict(root)]);
    expect(ours.code, `${step.name}: rushes verify of the reference tool's history\n${output(ours)}`).toBe(0);
    verdicts.push(folders);
  }
  return verdicts;
}

/** Both results, or the first failure once both have ended (so no process outlives the test). */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [x, y] = await Promise.allSettled([a, b]);
  if (x.status === 'rejected') throw x.reason;
  if (y.status === 'rejected') throw y.reason;
  return [x.value, y.value];
}

describe.skipIf(missing !== undefined)(`the reference ASC MHL tool${missing ? ` (skipped: ${missing})` : ''}`, () => {
  for (const formats of FORMAT_SETS) {
    it(`${formats.join('+')}: each tool accepts the other's history through a first generation, new files, a renamed file and nesting`, async () => {
      const base = scratch();
      // Not "ascmhl": the reference tool matches its ignore pattern "ascmhl" against absolute paths.
      const ours = join(base, 'by-rushes', 'Day01');
      const theirs = join(base, 'by-reference', 'Day01');
      const [ourVerdicts, theirVerdicts] = await both(sealedByRushes(ours, formats), sealedByReference(theirs, formats));

      // -dh holds every generation's folder hashes against the disk, so after a change even the
      // reference tool's own history fails it for older generations: Rushes's must fail it alike, values included.
      expect(ourVerdicts[0], 'first generation: every folder hash holds').toEqual(['exit 0']);
      STEPS.forEach((step, i) => expect(ourVerdicts[i], `${step.name}: ascmhl-debug verify -dh, Rushes's history against its own`).toEqual(theirVerdicts[i]));

      const third = readdirSync(join(ours, 'A001/ascmhl')).find((n) => n.startsWith('0003_'))!;
      expect(readFileSync(join(ours, 'A001/ascmhl', third), 'utf8')).toContain('<previousPath>Clips/A001C002_260314_R1AB.mov</previousPath>');

      // ascmhl info reads Rushes's nested histories as it reads its own: same generations, same nesting.
      const [ourInfo, theirInfo] = await Promise.all([runReference('ascmhl', ['info', ours]), runReference('ascmhl', ['info', theirs])]);
      expect(ourInfo.code, output(ourInfo)).toBe(0);
      const shape = (r: CliResult, root: string): string => r.stdout.replaceAll(root, 'ROOT').replace(/\(\d{4}-[^)]+\)/g, '(DATE)');
      expect(shape(ourInfo, ours)).toEqual(shape(theirInfo, theirs));
      expect(shape(ourInfo, ours)).toContain('Child History at ROOT/A001:\n  Generation 1 (DATE)\n  Generation 2 (DATE)\n  Generation 3 (DATE)\n  Generation 4 (DATE)');
    });
  }

  it('a flipped byte, a missing file, a new file, a renamed file, an altered manifest: both tools agree, whoever wrote the history', async () => {
    const base = scratch();
    const sealed = { Rushes: join(base, 'by-rushes', 'A001'), 'the reference tool': join(base, 'by-reference', 'A001') };
    for (const root of Object.values(sealed)) makeCard(root);
    const [r, p] = await Promise.all([
      runCli(['mhl', 'create', sealed.Rushes, '--hash', HASH_FORMATS.join(',')]),
      runReference('ascmhl', ['create', ...HASH_FORMATS.flatMap((f) => ['-h', f]), sealed['the reference tool']]),
    ]);
    expect([r.code, p.code]).toEqual([0, 0]);

    const clip = 'Clips/A001C001_260314_R1AB.mov';
    const damages: [string, number, (root: string) => void][] = [
      [
        'a flipped byte',
        11,
        (root) => {
          const bytes = readFileSync(join(root, clip));
          bytes[12_345] ^= 0x10;
          writeFileSync(join(root, clip), bytes);
        },
      ],
      ['a missing file', 10, (root) => rmSync(join(root, clip))],
      ['a new file', 21, (root) => writeFile(root, 'Clips/A001C009_260314_R1AB.mov', 'new')],
      ['a renamed file, not recorded', 21, (root) => renameSync(join(root, clip), join(root, 'Clips/renamed.mov'))],
      ['an altered manifest', 31, (root) => appendFileSync(historyFiles(root).find((f) => f.endsWith('.mhl'))!, '<!-- edited -->\n')],
    ];
    for (const [damage, code, apply] of damages) {
      const verdicts = await Promise.all(
        Object.entries(sealed).map(async ([writer, root]) => {
          const copy = join(base, `${writer}, ${damage}`, 'A001');
          cpSync(root, copy, { recursive: true, preserveTimestamps: true });
          apply(copy);
          const [ours, theirs] = await Promise.all([runCli(['verify', copy]), runReference('ascmhl-debug', ['verify', copy])]);
          return `${damage}, history by ${writer}: rushes verify ${ours.code}, ascmhl-debug verify ${theirs.code}`;
        }),
      );
      expect(verdicts).toEqual(Object.keys(sealed).map((writer) => `${damage}, history by ${writer}: rushes verify ${code}, ascmhl-debug verify ${code}`));
    }
  });

  it('an offload in every format of a card that ascmhl sealed, with a reel sealed on its own inside, carries its history on in a form ascmhl verifies', async () => {
    const base = scratch();
    const card = join(base, 'card', 'A001');
    makeCard(card);
    writeFile(card, 'A002R2EC/A002C001.mov', pseudoRandomBytes(10_000, 9), SHOT);
    expect((await runReference('ascmhl', ['create', '-h', 'xxh64', join(card, 'A002R2EC')])).code).toBe(0);
    expect((await runReference('ascmhl', ['create', '-h', 'md5', card])).code).toBe(0);

    const r = await runCli(['offload', card, '--to', join(base, 'dst'), '--hash', HASH_FORMATS.join(',')], { RUSHES_HOME: join(base, 'home') });
    expect(r.code, output(r)).toBe(0);
    const dest = join(base, 'dst', 'A001');
    // The card's: its generation, the transfer's, a chain; the reel's: its own, the card's, the transfer's, a chain.
    expect(historyFiles(dest)).toHaveLength(3 + 4);
    expectValid(dest);
    const [files, folders, info] = await Promise.all([
      runReference('ascmhl-debug', ['verify', dest]),
      runReference('ascmhl-debug', ['verify', '-dh', dest]),
      runReference('ascmhl', ['info', dest]),
    ]);
    for (const check of [files, folders, info]) expect(check.code, output(check)).toBe(0);
    expect([...errorLines(files), ...errorLines(folders)]).toEqual([]);
    expect(info.stdout).toContain(`Child History at ${join(dest, 'A002R2EC')}:\n  Generation 1`);
  });
});
