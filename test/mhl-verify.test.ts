/**
 * Verify, create, diff and info on real files: histories exactly as the reference tool
 * (ascmhl) writes them verify here and can be extended; every exit code of the reference
 * tool's verify, with its precedence; reads from the medium with progress; actions recorded
 * by create; nested histories; diff without reading content.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  createGeneration,
  describeHistory,
  diffHistory,
  formatHistoryDescription,
  formatVerifyReport,
  loadHistory,
  verifyHistory,
  writeGeneration,
  type MhlProgress,
} from '../core/mhl/index.ts';
import { applyIgnore, walkTree, walkTreeHere, type DiskTree } from '../core/fs/walk.ts';
import { hashFileHere } from '../core/hash/medium.ts';
import { localMhlHashing } from '../core/mhl/hashing.ts';
import { sweepTree } from '../core/mhl/sweep.ts';
import { SMALL_FILE, SWEEP_FILES } from '../core/mhl/sweep-folder.ts';
import { commandHashing, pooledHashing } from '../core/runtime/hashing.ts';
import { ignoreMatcher } from '../core/fs/ignore.ts';
import { c4Of, md5, put, xxhsum64 } from './helpers/mhl.ts';
import { schemaErrors, schemasMissing } from './helpers/peer.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-mhl-');

const chainXml = (entries: [string, string][]): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">\n${entries
    .map(([name, c4], i) => `  <hashlist sequencenr="${i + 1}">\n    <path>${name}</path>\n    <c4>${c4}</c4>\n  </hashlist>\n`)
    .join('')}</ascmhldirectory>\n`;

/**
 * The reference tool's test tree (Stuff.txt, A/A1.txt) with a manifest and chain laid out
 * exactly as ascmhl writes them: its declaration and indentation, local-time offsets, hash
 * dates with microseconds, folder hashes without actions. The folder hashes are the values
 * ascmhl's own test expects for this tree.
 */
function referenceHistory(name = 'root', manifestName = '0001_root_2020-01-15_130000Z.mhl'): { root: string; manifest: string } {
  const root = join(scratch(), name);
  const lm = new Date('2020-01-15T13:00:00Z');
  put(root, 'Stuff.txt', 'stuff\n', lm);
  put(root, 'A/A1.txt', 'A1\n', lm);
  utimesSync(join(root, 'A'), lm, lm);
  const d = '2020-01-15T14:00:00+01:00';
  const hd = '2020-01-15T14:00:00.482917+01:00';
  const manifest = `<?xml version="1.0" encoding="UTF-8"?>
<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">
  <creatorinfo>
    <creationdate>${d}</creationdate>
    <hostname>myHost.local</hostname>
    <tool version="1.1">ascmhl</tool>
    <author email="jane@example.com" phone="+49 89 1234" role="DIT">Jane Doe</author>
    <location>Munich</location>
    <comment>Card A</comment>
  </creatorinfo>
  <processinfo>
    <process>in-place</process>
    <roothash>
      <content>
        <xxh64 hashdate="${hd}">ca56d22f064fdf1b</xxh64>
      </content>
      <structure>
        <xxh64 hashdate="${hd}">2ccca3899111eabb</xxh64>
      </structure>
    </roothash>
    <ignore>
      <pattern>.DS_Store</pattern>
      <pattern>ascmhl</pattern>
      <pattern>ascmhl/</pattern>
    </ignore>
  </processinfo>
  <hashes>
    <hash>
      <path size="3" lastmodificationdate="${d}">A/A1.txt</path>
      <xxh64 action="original" hashdate="${hd}">${xxhsum64(join(root, 'A/A1.txt'))}</xxh64>
    </hash>
    <directoryhash>
      <path lastmodificationdate="${d}">A</path>
      <content>
        <xxh64 hashdate="${hd}">d3904ee76bba3d2a</xxh64>
      </content>
      <structure>
        <xxh64 hashdate="${hd}">3fbe33b2924e26aa</xxh64>
      </structure>
    </directoryhash>
    <hash>
      <path size="6" lastmodificationdate="${d}">Stuff.txt</path>
      <xxh64 action="original" hashdate="${hd}">${xxhsum64(join(root, 'Stuff.txt'))}</xxh64>
    </hash>
  </hashes>
</hashlist>
`;
  put(root, `ascmhl/${manifestName}`, manifest);
  put(root, 'ascmhl/ascmhl_chain.xml', chainXml([[manifestName, c4Of(manifest)]]));
  return { root, manifest: join(root, 'ascmhl', manifestName) };
}

async function sealed(name = 'A001'): Promise<string> {
  const root = join(scratch(), name);
  put(root, 'Clips/A001C001.mov', Buffer.alloc(200_000, 1));
  put(root, 'Clips/A001C002.mov', Buffer.alloc(300_000, 2));
  put(root, 'Sidecar.txt', 'sidecar\n');
  const r = await createGeneration(root, { formats: ['xxh64'] });
  expect(r.exitCode).toBe(0);
  return root;
}

describe('histories written by the reference tool', () => {
  it('verify, with the folder hashes it computed', async () => {
    const { root } = referenceHistory();
    const r = await verifyHistory(root);
    expect(r).toMatchObject({ exitCode: 0, filesVerified: 2, missing: [], newFiles: [], altered: [], directoryMismatches: [], problems: [] });
    expect(['direct', 'cached']).toContain(r.readMode);
    const h = await loadHistory(root);
    expect(h.generations[0].creator).toMatchObject({ hostName: 'myHost.local', tool: { name: 'ascmhl', version: '1.1' }, location: 'Munich', comment: 'Card A' });
    expect(h.generations[0].creator.creationDate).toEqual(new Date('2020-01-15T13:00:00Z'));
  });

  it('verify with the older file naming (no Z) too', async () => {
    const { root } = referenceHistory('old', '0001_old_2020-01-15_130000.mhl');
    expect((await verifyHistory(root)).exitCode).toBe(0);
  });

  it.skipIf(schemasMissing !== undefined)(`its extension by create validates against the official schemas${schemasMissing ? ` (skipped: ${schemasMissing})` : ''}`, async () => {
    const { root } = referenceHistory();
    const r = await createGeneration(root, { formats: ['xxh64', 'md5'] });
    expect(r.verified).toEqual(['A/A1.txt', 'Stuff.txt']);
    expect(schemaErrors(r.written.manifestPath)).toBeUndefined();
    expect(schemaErrors(r.written.chainPath)).toBeUndefined();
  });

  it('can be extended: create verifies against it and appends generation 2 to its chain', async () => {
    const { root, manifest } = referenceHistory();
    const chainBefore = readFileSync(join(root, 'ascmhl/ascmhl_chain.xml'), 'utf8');
    const r = await createGeneration(root, { formats: ['xxh64', 'md5'], creator: { creationDate: new Date('2020-01-16T09:15:00Z') } });
    expect(r.exitCode).toBe(0);
    expect(r.verified).toEqual(['A/A1.txt', 'Stuff.txt']);
    expect(r.written.manifestPath).toBe(join(root, 'ascmhl/0002_root_2020-01-16_091500Z.mhl'));
    const text = readFileSync(r.written.manifestPath, 'utf8');
    expect(text).toContain(`<xxh64 action="verified" hashdate=`);
    expect(text).toMatch(new RegExp(`<md5 action="verified" hashdate="[^"]+">${md5('stuff\n')}</md5>`));
    expect(text).toContain('<xxh64 hashdate="2020-01-16T09:15:00+00:00">ca56d22f064fdf1b</xxh64>'); // same root hash as ascmhl
    const chain = readFileSync(r.written.chainPath, 'utf8');
    expect(chain.startsWith(chainBefore.replace('</ascmhldirectory>\n', ''))).toBe(true); // its entry kept as it was
    expect(readFileSync(manifest, 'utf8')).toContain('Jane Doe'); // and its manifest untouched
    expect((await verifyHistory(root)).exitCode).toBe(0);
  });

  it('written without folder hashes, with an empty <hashes> for an empty folder, verify', async () => {
    const root = join(scratch(), 'empty');
    mkdirSync(root);
    const m = `<?xml version="1.0" encoding="UTF-8"?>
<hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0">
  <creatorinfo>
    <creationdate>2020-01-15T13:00:00+00:00</creationdate>
    <hostname>myHost.local</hostname>
    <tool version="1.1">ascmhl</tool>
  </creatorinfo>
  <processinfo>
    <process>in-place</process>
    <roothash>
      <content/>
      <structure/>
    </roothash>
    <ignore>
      <pattern>.DS_Store</pattern>
      <pattern>ascmhl</pattern>
      <pattern>ascmhl/</pattern>
    </ignore>
  </processinfo>
  <hashes>
  </hashes>
</hashlist>
`;
    put(root, 'ascmhl/0001_empty_2020-01-15_130000Z.mhl', m);
    put(root, 'ascmhl/ascmhl_chain.xml', chainXml([['0001_empty_2020-01-15_130000Z.mhl', c4Of(m)]]));
    expect((await verifyHistory(root)).exitCode).toBe(0);
  });

  it('recording a file only in a format Rushes cannot compute (sha256) fail as unverifiable, not silently pass', async () => {
    const { root, manifest } = referenceHistory();
    const text = readFileSync(manifest, 'utf8').replace(/<xxh64 action="original" hashdate="([^"]+)">94c399c2a9a21f9a<\/xxh64>/, `<sha256 action="original" hashdate="$1">${'0'.repeat(64)}</sha256>`);
    writeFileSync(manifest, text);
    writeFileSync(join(root, 'ascmhl/ascmhl_chain.xml'), chainXml([['0001_root_2020-01-15_130000Z.mhl', c4Of(text)]]));
    const r = await verifyHistory(root);
    expect(r.exitCode).toBe(11);
    expect(r.unverifiable).toEqual([{ path: 'Stuff.txt', message: expect.stringContaining('sha256') }]);
  });
});

describe('verifyHistory exit codes (as ascmhl verify)', () => {
  it('0, reading every file from the medium with progress', async () => {
    const root = await sealed();
    const events: MhlProgress[] = [];
    const r = await verifyHistory(root, { onProgress: (e) => events.push(e) });
    expect(r).toMatchObject({ exitCode: 0, filesOnDisk: 3, filesVerified: 3, bytesRead: 500_008 });
    // First a 'scan' event (the files are listed, and read, while the history loads: totals not known yet), last the whole of it.
    expect(events[0]).toMatchObject({ phase: 'scan', filesDone: 0 });
    expect(events.at(-1)).toMatchObject({ phase: 'hash', filesDone: 3, filesTotal: 3, bytesDone: 500_008, etaSeconds: 0 });
  });

  it('11 for changed content of the same size, and for a changed size', async () => {
    const root = await sealed();
    const f = join(root, 'Clips/A001C001.mov');
    const b = readFileSync(f);
    b[100_000] ^= 1;
    writeFileSync(f, b);
    truncateSync(join(root, 'Sidecar.txt'), 3);
    const r = await verifyHistory(root);
    expect(r.exitCode).toBe(11);
    expect(r.altered.map((a) => [a.path, a.reason])).toEqual([
      ['Clips/A001C001.mov', 'hash'],
      ['Sidecar.txt', 'size'],
      ['Sidecar.txt', 'hash'],
    ]);
    expect(r.filesVerified).toBe(1);
    const text = formatVerifyReport(r);
    expect(text).toContain(`ERROR: hash mismatch for Clips/A001C001.mov old xxh64: ${r.altered[0].expected}, new xxh64: ${r.altered[0].actual}`);
    expect(text.at(-1)).toMatch(/^exit 11: 2 file\(s\) failed verification \(1 of 3 file\(s\) verified, (direct|cached) reads\)$/);
  });

  it('21 for new files, 10 for missing ones, and 11 over 21 over 10', async () => {
    const root = await sealed();
    put(root, 'Clips/A001C003.mov', 'new');
    put(root, 'Clips/.DS_Store', 'ignored by the recorded patterns');
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 21, newFiles: ['Clips/A001C003.mov'] });
    rmSync(join(root, 'Sidecar.txt'));
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 21, missing: ['Sidecar.txt'] });
    rmSync(join(root, 'Clips/A001C003.mov'));
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 10, missing: ['Sidecar.txt'], newFiles: [] });
    put(root, 'Clips/A001C003.mov', 'new');
    writeFileSync(join(root, 'Clips/A001C002.mov'), Buffer.alloc(300_000, 9));
    expect((await verifyHistory(root)).exitCode).toBe(11);
  });

  it('10 for a missing folder with its files', async () => {
    const root = await sealed();
    rmSync(join(root, 'Clips'), { recursive: true });
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 10, missing: ['Clips', 'Clips/A001C001.mov', 'Clips/A001C002.mov'] });
  });

  it('12 when only the folder layout changed (an empty folder appeared)', async () => {
    const root = await sealed();
    mkdirSync(join(root, 'Clips', 'Empty'));
    const r = await verifyHistory(root);
    expect(r.exitCode).toBe(12);
    expect(new Set(r.directoryMismatches.map((m) => `${m.path}:${m.part}`))).toEqual(new Set([':content', ':structure', 'Clips:content', 'Clips:structure']));
  });

  it('does not hold folder hashes against files that a later generation added without new folder hashes', async () => {
    const root = await sealed();
    put(root, 'Clips/A001C003.mov', 'added later');
    const r = await writeGeneration(root, {
      process: 'transfer',
      creator: { creationDate: new Date(), hostName: 'h', tool: { name: 't', version: '1' } },
      files: [{ path: 'Clips/A001C003.mov', size: 11, lastModified: new Date(), hashes: [{ format: 'xxh64', digest: xxhsum64(join(root, 'Clips/A001C003.mov')), action: 'original', hashDate: new Date() }] }],
      directories: [],
      ignore: [],
      directoryHashes: false,
    });
    expect(r.generation).toBe(2);
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 0, filesVerified: 4, directoryMismatches: [] });
    // A nested history sealed on its own later supersedes the enclosing folder hashes the same way.
    const top = join(scratch(), 'top');
    put(top, 'A/AA/AA1.txt', 'AA1\n');
    put(top, 'B.txt', 'B\n');
    await createGeneration(join(top, 'A/AA'), { formats: ['xxh64'], creator: { creationDate: new Date('2020-01-16T09:00:00Z') } });
    await createGeneration(top, { formats: ['xxh64'], creator: { creationDate: new Date('2020-01-16T09:15:00Z') } });
    put(top, 'A/AA/AA2.txt', 'AA2\n');
    await createGeneration(join(top, 'A/AA'), { formats: ['xxh64'], creator: { creationDate: new Date('2020-01-16T09:30:00Z') } });
    expect(await verifyHistory(top)).toMatchObject({ exitCode: 0, filesVerified: 3, directoryMismatches: [] });
  });

  it('30 without a history', async () => {
    const root = join(scratch(), 'none');
    put(root, 'a.mov', 'a');
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 30, filesVerified: 0 });
  });

  it('31 for an altered manifest, 32 for a missing chain, 33 for a missing manifest, each naming the file', async () => {
    const root = await sealed();
    const r2 = await createGeneration(root, { formats: ['xxh64'] });
    const m1 = (await loadHistory(root)).generations[0].filePath;
    writeFileSync(m1, readFileSync(m1, 'utf8').replace('Sidecar.txt', 'Sidecar.TXT'));
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 31, problems: [{ kind: 'manifest-altered', path: m1 }] });
    rmSync(m1);
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 33, problems: [{ kind: 'manifest-missing', path: m1 }] });
    rmSync(r2.written.chainPath);
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 32, problems: [{ kind: 'chain-missing', path: r2.written.chainPath }] });
  });

  it('matches names that differ only in Unicode normalisation (NFC recorded, NFD on disk); the structure hash still tells', async () => {
    const root = join(scratch(), 'nfc');
    put(root, 'Szene_Über.mov'.normalize('NFC'), 'x');
    expect((await createGeneration(root, { formats: ['xxh64'] })).exitCode).toBe(0);
    renameSync(join(root, 'Szene_Über.mov'.normalize('NFC')), join(root, 'Szene_Über.mov'.normalize('NFD')));
    const r = await verifyHistory(root);
    expect(r).toMatchObject({ filesVerified: 1, newFiles: [], missing: [], altered: [] });
    // The name's bytes did change, and the structure hash is over the bytes: 12, not 21 + 10.
    expect(r.exitCode).toBe(12);
    expect(r.directoryMismatches.map((m) => `${m.path}:${m.part}`)).toEqual([':structure']);
  });
});

describe('createGeneration', () => {
  it('records original, then verified; a changed file is recorded as failed and ends with 11', async () => {
    const root = await sealed();
    const g1 = (await loadHistory(root)).generations[0];
    expect(g1.process).toBe('in-place');
    expect(g1.files.flatMap((f) => f.hashes.map((h) => h.action))).toEqual(['original', 'original', 'original']);

    const f = join(root, 'Sidecar.txt');
    writeFileSync(f, 'SIDECAR\n');
    put(root, 'Notes.txt', 'new');
    const r = await createGeneration(root, { formats: ['xxh64'] });
    expect(r.exitCode).toBe(11);
    expect(r.failed.map((x) => x.path)).toEqual(['Sidecar.txt']);
    expect(r.original).toEqual(['Notes.txt']);
    const g2 = (await loadHistory(root)).generations[1];
    const action = (p: string) => g2.files.find((x) => x.path === p)!.hashes.map((h) => h.action);
    expect([action('Sidecar.txt'), action('Notes.txt'), action('Clips/A001C001.mov')]).toEqual([['failed'], ['original'], ['verified']]);
  });

  it('ends with 10 when recorded files are missing, and still writes the generation', async () => {
    const root = await sealed();
    rmSync(join(root, 'Sidecar.txt'));
    const r = await createGeneration(root, { formats: ['xxh64'] });
    expect(r).toMatchObject({ exitCode: 10, missing: ['Sidecar.txt'] });
    expect(r.written.generation).toBe(2);
  });

  it('adds a new format as verified by checking a recorded one, and keeps ignore patterns for later runs', async () => {
    const root = await sealed();
    put(root, 'render.tmp', 'scratch');
    const r = await createGeneration(root, { formats: ['md5'], ignore: ['*.tmp'] });
    expect(r).toMatchObject({ exitCode: 0, verified: ['Clips/A001C001.mov', 'Clips/A001C002.mov', 'Sidecar.txt'] });
    const g2 = (await loadHistory(root)).generations[1];
    expect(g2.files[0].hashes.map((h) => `${h.format}:${h.action}`).sort()).toEqual(['md5:verified', 'xxh64:verified']);
    expect(g2.ignore).toEqual(['.DS_Store', 'ascmhl', 'ascmhl/', '*.tmp']);
    expect((await verifyHistory(root)).exitCode).toBe(0); // render.tmp stays ignored
  });

  it('with detectRenames, records a moved file with <previousPath>; its old path is no longer missing until a new file takes that name', async () => {
    const root = await sealed();
    renameSync(join(root, 'Clips/A001C001.mov'), join(root, 'A001C001_moved.mov'));
    put(root, 'Copy.mov', Buffer.alloc(200_000, 1)); // the same content again: a copy, not a second rename
    // md5 was never recorded: the new files are also hashed in xxh64 to compare, but recorded in md5 only.
    const r = await createGeneration(root, { formats: ['md5'], detectRenames: true });
    expect(r).toMatchObject({ exitCode: 0, missing: [], original: ['Copy.mov'], renamed: [{ from: 'Clips/A001C001.mov', to: 'A001C001_moved.mov' }] });
    const g2 = (await loadHistory(root)).generations[1];
    const entry = (p: string) => g2.files.find((f) => f.path === p)!;
    expect(entry('A001C001_moved.mov')).toMatchObject({ previousPath: 'Clips/A001C001.mov', hashes: [{ format: 'md5', action: 'original' }] });
    expect(entry('Copy.mov')).toMatchObject({ previousPath: undefined, hashes: [{ format: 'md5', action: 'original' }] });
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 0, missing: [] });
    expect(await diffHistory(root)).toMatchObject({ exitCode: 0, missing: [] });

    // A new file under the old name is held against what that path held before (as ascmhl does: 11);
    // once recorded again, the path is expected again, so losing it does not go unnoticed.
    put(root, 'Clips/A001C001.mov', 'a new file under the old name');
    expect(await createGeneration(root, { formats: ['xxh64'] })).toMatchObject({ exitCode: 11, failed: [{ path: 'Clips/A001C001.mov' }] });
    rmSync(join(root, 'Clips/A001C001.mov'));
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 10, missing: ['Clips/A001C001.mov'] });
  });

  it('handles nested histories as ascmhl does: nested files go to the nested history, referenced from the top', async () => {
    const root = join(scratch(), 'root');
    put(root, 'Stuff.txt', 'stuff\n');
    put(root, 'A/A1.txt', 'A1\n');
    put(root, 'B/B1.txt', 'B1\n');
    put(root, 'A/A2.txt', 'A2\n');
    put(root, 'C/C1.txt', 'A2\n');
    put(root, 'A/AA/AA1.txt', 'AA1\n');
    mkdirSync(join(root, 'emptyFolderA'));
    const date = new Date('2020-01-16T09:15:00Z');
    const opts = { formats: ['xxh64' as const], creator: { creationDate: date } };
    expect((await createGeneration(join(root, 'A/AA'), opts)).written.manifestPath).toBe(join(root, 'A/AA/ascmhl/0001_AA_2020-01-16_091500Z.mhl'));
    await createGeneration(join(root, 'B'), opts);
    const top = await createGeneration(root, opts);
    expect(top.exitCode).toBe(0);
    expect(top.written.manifestPath).toBe(join(root, 'ascmhl/0001_root_2020-01-16_091500Z.mhl'));
    const text = readFileSync(top.written.manifestPath, 'utf8');
    expect(text).toContain('<path>A/AA/ascmhl/0002_AA_2020-01-16_091500Z.mhl</path>');
    expect(text).toContain('<path>B/ascmhl/0002_B_2020-01-16_091500Z.mhl</path>');
    expect(text).not.toContain('AA1.txt');
    expect(text).toContain('C1.txt');

    put(root, 'A/AA/AA2.txt', 'AA2\n');
    const again = await createGeneration(root, opts);
    expect(again.written.generation).toBe(2);
    expect(again.written.nested.map((n) => n.manifestPath.slice(root.length + 1))).toContain('A/AA/ascmhl/0003_AA_2020-01-16_091500Z.mhl');
    expect(readFileSync(again.written.manifestPath, 'utf8')).not.toContain('AA2.txt');
    expect((await verifyHistory(root)).exitCode).toBe(0);

    // A change inside a nested history fails the top-level verify.
    writeFileSync(join(root, 'A/AA/AA1.txt'), 'AAx\n');
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 11, altered: [{ path: 'A/AA/AA1.txt', reason: 'hash' }] });
    // And so does an edited nested manifest (31), found through the nested chain.
    const nestedManifest = join(root, 'A/AA/ascmhl/0001_AA_2020-01-16_091500Z.mhl');
    writeFileSync(nestedManifest, readFileSync(nestedManifest, 'utf8') + ' ');
    expect(await verifyHistory(root)).toMatchObject({ exitCode: 31, problems: [{ path: nestedManifest }] });
  });
});

describe('diffHistory (no content read)', () => {
  it('lists new and missing files with 21 / 10, a changed size with 11, and a changed mtime without failing', async () => {
    const root = await sealed();
    expect(await diffHistory(root)).toMatchObject({ exitCode: 0, newFiles: [], missing: [] });
    const later = new Date('2030-01-01T00:00:00Z');
    utimesSync(join(root, 'Sidecar.txt'), later, later);
    expect(await diffHistory(root)).toMatchObject({ exitCode: 0, modifiedChanged: [{ path: 'Sidecar.txt', actual: later }] });
    put(root, 'x.mov', 'x');
    expect(await diffHistory(root)).toMatchObject({ exitCode: 21, newFiles: ['x.mov'] });
    rmSync(join(root, 'x.mov'));
    rmSync(join(root, 'Clips/A001C002.mov'));
    expect(await diffHistory(root)).toMatchObject({ exitCode: 10, missing: ['Clips/A001C002.mov'] });
    truncateSync(join(root, 'Clips/A001C001.mov'), 10);
    expect(await diffHistory(root)).toMatchObject({ exitCode: 11, sizeChanged: [{ path: 'Clips/A001C001.mov', expected: 200_000, actual: 10 }] });
    expect((await diffHistory(scratch())).exitCode).toBe(30);
  });
});

describe('describeHistory (mhl info)', () => {
  it('summarises generations, outcomes and nested histories', async () => {
    const { root } = referenceHistory();
    await createGeneration(root, { formats: ['xxh64'], creator: { creationDate: new Date('2020-01-16T09:15:00Z'), hostName: 'cart-01' } });
    const d = describeHistory(await loadHistory(root));
    expect(d.files).toBe(2);
    expect(d.generations.map((g) => [g.number, g.hostName, g.process, g.actions.original, g.actions.verified])).toEqual([
      [1, 'myHost.local', 'in-place', 2, 0],
      [2, 'cart-01', 'in-place', 0, 2],
    ]);
    const text = formatHistoryDescription(d).join('\n');
    expect(text).toContain('Generation 1 (2020-01-15T13:00:00.000Z) in-place: myHost.local, ascmhl 1.1, Jane Doe [DIT]');
    expect(text).toContain('root xxh64: ca56d22f064fdf1b (content), 2ccca3899111eabb (structure)');
  });
});

describe('the scan, folder by folder with small files hashed as listed', () => {
  const fixture = (): string => {
    const root = join(scratch(), 'ignored');
    for (const p of ['a.mov', 'b.tmp', 'Proxies/p.mov', 'Clips/c.mov', 'Clips/.DS_Store', 'Clips/cache/x.bin', 'Deep/Proxies/q.mov', 'Deep/keep.mov', 'Deep/a/z.mov', 'Deep/b.mov']) put(root, p, p);
    put(root, 'Clips/big.mov', Buffer.alloc(SMALL_FILE + 1, 7));
    mkdirSync(join(root, 'Empty'));
    symlinkSync(join(root, 'nowhere'), join(root, 'broken.mov'));
    symlinkSync(join(root, 'nowhere'), join(root, 'Proxies/broken.mov'));
    symlinkSync(join(root, 'nowhere'), join(root, 'cache'));
    symlinkSync(join(root, 'Deep'), join(root, 'Deep/a/loop'));
    return root;
  };
  const patterns = ['*.tmp', '.DS_Store', 'Proxies/', 'cache/', 'Clips/cache'];
  // Access times are left out: the first walk's listing of a folder may update its own.
  const withoutAtimes = (t: DiskTree) => ({ ...t, files: t.files.map(({ atimeNs: _a, ...f }) => f), directories: t.directories.map(({ atimeNs: _a, ...d }) => d) });
  const plan = { known: { 'c.mov': ['md5' as const] }, knownDirect: true, others: ['xxh64' as const], othersDirect: false };

  const settings = { patterns, ignore: ignoreMatcher(patterns), planFor: () => plan };

  for (const [where, hashing] of [['in this thread', localMhlHashing], ['in this thread with blocking calls, as a command', commandHashing], ['in the worker pool', pooledHashing]] as const) {
    it(`lists what the tree walk lists, in its order, errors and loops included, and hashes small files as planned (${where})`, async () => {
      const root = fixture();
      // As an MHL scan lists: whole seconds are all a manifest keeps, so no nanoseconds.
      const walked = await walkTree(root, ignoreMatcher(patterns), { exactTimes: false });
      const swept = await sweepTree(root, settings, hashing);
      expect(swept.tree.files.every((f) => f.mtimeNs === undefined && Number.isFinite(f.mtimeMs))).toBe(true);
      expect(walked.errors.map((e) => e.path)).toEqual(['broken.mov', 'cache', 'Deep/a/loop']);
      expect(withoutAtimes(swept.tree)).toEqual(withoutAtimes(walked));
      // Every small file hashed, as the plan says for its name; the large one left to stream on its own.
      expect([...swept.hashed.keys()].sort()).toEqual(walked.files.filter((f) => f.size < SMALL_FILE).map((f) => f.path).sort());
      for (const [path, read] of swept.hashed) {
        const known = path === 'Clips/c.mov';
        expect(read.direct, path).toBe(known);
        expect(read.outcome, path).toEqual(await hashFileHere(join(root, path), [known ? 'md5' : 'xxh64'], { direct: known }));
      }
    });
  }

  it('hashes a folder of more files than one task takes (a flat frame sequence) in full, the rest in batches, with progress to the end', async () => {
    const root = join(scratch(), 'flat');
    const count = SWEEP_FILES + 37;
    for (let i = 0; i < count; i++) put(root, `Seq/f_${String(i).padStart(5, '0')}.dpx`, `frame ${i}`);
    const events: MhlProgress[] = [];
    const created = await createGeneration(root, { formats: ['xxh64'], hashing: pooledHashing, onProgress: (e) => events.push(e) });
    expect(created.original).toHaveLength(count);
    expect(events.at(-1)).toMatchObject({ phase: 'hash', filesDone: count, filesTotal: count });
    const verified = await verifyHistory(root, { hashing: pooledHashing });
    expect(verified).toMatchObject({ exitCode: 0, filesVerified: count });
    const entry = readFileSync(created.written.manifestPath, 'utf8').match(/<path[^>]*>Seq\/f_00540.dpx<\/path>\s*<xxh64[^>]*>([0-9a-f]+)</);
    expect(entry?.[1]).toBe(xxhsum64(join(root, 'Seq/f_00540.dpx')));
  });

  it('a walk with blocking calls (a worker, a command) lets its event loop turn as it lists, and stops there when cancelled', async () => {
    const root = join(scratch(), 'turns');
    for (let i = 0; i < 40; i++) put(root, `F${String(i).padStart(2, '0')}/x.dpx`, `${i}`);
    let turned = false;
    setImmediate(() => (turned = true));
    expect((await walkTreeHere(root, ignoreMatcher([]))).files).toHaveLength(40);
    expect(turned).toBe(true); // a Ctrl-C is heard during a scan in a command's own thread, not only after it

    const controller = new AbortController();
    await sleep(25); // the next walk turns the loop at its first folder
    setImmediate(() => controller.abort(new DOMException('stop', 'AbortError')));
    await expect(walkTreeHere(root, ignoreMatcher([]), { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('tells a name that is not UTF-8 (an error naming its bytes) from a name with a real U+FFFD (a file), with blocking calls and without', async () => {
    const root = join(scratch(), 'names');
    put(root, 'Clips/ok\uFFFD.mov', 'replacement character, valid UTF-8');
    put(root, 'Clips/plain.mov', 'plain');
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'Clips', 'bad_')), Buffer.from([0xff, 0xfe]), Buffer.from('.mov')]), 'x');
    put(root, 'Other/only.mov', 'a folder with no such name');
    for (const tree of [await walkTree(root, ignoreMatcher([])), await walkTreeHere(root, ignoreMatcher([]))]) {
      expect(tree.files.map((f) => f.path)).toEqual(['Clips/ok\uFFFD.mov', 'Clips/plain.mov', 'Other/only.mov']);
      expect(tree.errors).toEqual([expect.objectContaining({ code: 'BAD_FILENAME', path: 'Clips/bad_\uFFFD\uFFFD.mov', message: expect.stringContaining('name bytes 6261645ffffe2e6d6f76') })]);
    }
  });

  it('reports a scan that hashes files as it finds them as counts, at most every 100 ms, not once per file, then the whole', async () => {
    const root = join(scratch(), 'many');
    let bytes = 0;
    for (let i = 0; i < 900; i++) {
      put(root, `R${i % 3}/f_${String(i).padStart(4, '0')}.dpx`, `frame ${i}`);
      bytes += `frame ${i}`.length;
    }
    const events: MhlProgress[] = [];
    await createGeneration(root, { formats: ['xxh64'], hashing: commandHashing, onProgress: (e) => events.push(e) });
    // Each file found was its own last-file report: a terminal was redrawn 10,000 times for 10,000 frames.
    expect(events.length).toBeLessThan(30);
    // While the totals still grow they are no total: no end is estimated, and what is done never runs past them.
    for (const e of events.filter((x) => x.phase === 'scan')) expect(e.etaSeconds === null && e.bytesDone <= e.bytesTotal && e.filesDone <= e.filesTotal, JSON.stringify(e)).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: 'hash', filesDone: 900, filesTotal: 900, bytesDone: bytes, bytesTotal: bytes, etaSeconds: 0 });
  });

  it('lists what a walk with the patterns lists, errors included, when the patterns are applied only afterwards', async () => {
    const root = fixture();
    const everything = await walkTree(root, ignoreMatcher([]));
    const walked = await walkTree(root, ignoreMatcher(patterns));
    expect(everything.files.length).toBeGreaterThan(walked.files.length);
    expect(withoutAtimes(applyIgnore(everything, ignoreMatcher(patterns)))).toEqual(withoutAtimes(walked));
  });
});

describe('listing while the history loads', () => {
  it('checks a file against a format only an older generation recorded, and catches a change to it', async () => {
    const root = join(scratch(), 'older-format');
    put(root, 'Old/clip.mov', Buffer.alloc(100_000, 3));
    await createGeneration(root, { formats: ['md5'] });
    put(root, 'New/clip.mov', Buffer.alloc(100_000, 4));
    // Generation 2 records only the new file (a partial seal): the latest manifest names xxh64, never md5.
    await writeGeneration(root, { process: 'in-place', creator: { creationDate: new Date(), hostName: 'h', tool: { name: 't', version: '1' } }, files: [{ path: 'New/clip.mov', size: 100_000, lastModified: new Date(0), hashes: [{ format: 'xxh64', digest: xxhsum64(join(root, 'New/clip.mov')), action: 'original', hashDate: new Date() }] }], directories: [], ignore: [], directoryHashes: false });
    for (const hashing of [localMhlHashing, pooledHashing]) {
      expect(await verifyHistory(root, { hashing })).toMatchObject({ exitCode: 0, filesVerified: 2 });
    }
    const f = join(root, 'Old/clip.mov');
    const b = readFileSync(f);
    b[50_000] ^= 1;
    writeFileSync(f, b);
    const r = await verifyHistory(root, { hashing: pooledHashing });
    expect(r.exitCode).toBe(11);
    expect(r.altered).toEqual([expect.objectContaining({ path: 'Old/clip.mov', format: 'md5' })]);
  });

  it('applies the history\'s patterns and the caller\'s to a listing made before they were known', async () => {
    const root = await sealed();
    put(root, 'Extra/scratch.bin', 'scratch');
    for (const hashing of [localMhlHashing, pooledHashing]) {
      expect(await verifyHistory(root, { hashing, ignore: ['Extra/'] })).toMatchObject({ exitCode: 0, newFiles: [] });
      expect(await verifyHistory(root, { hashing })).toMatchObject({ exitCode: 21, newFiles: ['Extra/scratch.bin'] });
    }
  });


});
