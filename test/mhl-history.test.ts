/**
 * Writing generations and loading histories on real files: naming and numbering, the chain
 * (kept, extended, checked), atomic publication, nested histories with references, the
 * folders an offload carries over, and refusal to extend a history whose chain is broken.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RushesError } from '../core/errors.ts';
import { HASH_FORMATS, type HashFormat } from '../core/hash/index.ts';
import { hashFile } from '../core/runtime/hashing.ts';
import {
  DEFAULT_IGNORE,
  allProblems,
  classifyHashes,
  expectationFor,
  indexHistory,
  listHistoryFolders,
  loadHistory,
  writeGeneration,
  type MhlFileEntry,
  type NewGeneration,
} from '../core/mhl/index.ts';
import { c4Of, put, xxhsum64 } from './helpers/mhl.ts';
import { schemaErrors, schemasMissing } from './helpers/peer.ts';
import { scratchFolders } from './helpers/scratch.ts';

const scratch = scratchFolders('rushes-mhl-');

const T1 = new Date('2026-03-14T09:26:53Z');
const T2 = new Date('2026-03-15T10:00:00Z');

/** Entries for every file under root (hashed by our reader), as the offload hands them over. */
async function entriesFor(root: string, paths: string[], date: Date, formats: readonly HashFormat[] = ['xxh64', 'md5']): Promise<MhlFileEntry[]> {
  return Promise.all(
    paths.map(async (path) => {
      const r = await hashFile(join(root, path), [...formats]);
      return {
        path,
        size: r.bytes,
        lastModified: new Date(Math.floor(statSync(join(root, path)).mtimeMs / 1000) * 1000),
        hashes: formats.map((format) => ({ format, digest: r.digests[format]!, action: 'original' as const, hashDate: date })),
      };
    }),
  );
}

function generation(files: MhlFileEntry[], directories: string[], date: Date, extra: Partial<NewGeneration> = {}): NewGeneration {
  return {
    process: 'transfer',
    creator: { creationDate: date, hostName: 'cart-01', tool: { name: 'rushes', version: '0.1.0' }, author: { name: 'Dana', role: 'DIT' } },
    files,
    directories,
    ignore: [...DEFAULT_IGNORE],
    ...extra,
  };
}

function card(root: string): string[] {
  const files = ['Clips/A001C001.mov', 'Clips/A001C002.mov', 'Clips/Über_日本語.mov', 'Sidecar.txt', 'EMPTY.txt'];
  files.forEach((f, i) => put(root, f, f === 'EMPTY.txt' ? '' : `content ${i} of ${f}\n`.repeat(100 + i), T1));
  mkdirSync(join(root, 'Empty Folder'), { recursive: true });
  return files;
}

describe('writeGeneration', () => {
  it('writes ascmhl/0001_<folder>_<UTC time>Z.mhl and a chain holding its C4 ID', async () => {
    const root = join(scratch(), 'A001');
    const files = card(root);
    const w = await writeGeneration(root, generation(await entriesFor(root, files, T1), ['Clips', 'Empty Folder'], T1));

    expect(w.generation).toBe(1);
    expect(w.manifestPath).toBe(join(root, 'ascmhl', '0001_A001_2026-03-14_092653Z.mhl'));
    expect(w.chainPath).toBe(join(root, 'ascmhl', 'ascmhl_chain.xml'));
    expect(readdirSync(join(root, 'ascmhl')).sort()).toEqual(['0001_A001_2026-03-14_092653Z.mhl', 'ascmhl_chain.xml']); // no temporary files left
    expect(readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([]);
    const bytes = readFileSync(w.manifestPath);
    expect(w.c4).toBe(c4Of(bytes));
    expect(readFileSync(w.chainPath, 'utf8')).toContain(`<hashlist sequencenr="1">\n    <path>0001_A001_2026-03-14_092653Z.mhl</path>\n    <c4>${c4Of(bytes)}</c4>`);

    const text = bytes.toString('utf8');
    expect(text).toContain('<process>transfer</process>');
    expect(text).toContain('<author role="DIT">Dana</author>');
    expect(text).toMatch(/<path lastmodificationdate="[^"]+">Empty Folder<\/path>/); // empty folders get entries
    expect(text).toContain('<path size="0" lastmodificationdate="2026-03-14T09:26:53+00:00">EMPTY.txt</path>');
    expect(text).toContain(`<xxh64 action="original" hashdate="2026-03-14T09:26:53+00:00">${xxhsum64(join(root, 'Sidecar.txt'))}</xxh64>`);
    expect(text).toContain('      <pattern>.DS_Store</pattern>\n      <pattern>ascmhl</pattern>\n      <pattern>ascmhl/</pattern>');

    const h = await loadHistory(root);
    expect(h.generations).toHaveLength(1);
    const g = h.generations[0];
    expect(g.files.map((f) => f.path).sort()).toEqual([...files].sort());
    expect(g.files.find((f) => f.path === 'Clips/Über_日本語.mov')!.path).toBe('Clips/Über_日本語.mov'); // non-ASCII round trip
    expect(g.directories.map((d) => d.path).sort()).toEqual(['Clips', 'Empty Folder']);
    expect(g.rootHashes.map((r) => r.format)).toEqual(['md5', 'xxh64']); // every format all files carry, in the schema's order
    expect(g.creator.author).toEqual({ name: 'Dana', role: 'DIT', email: undefined, phone: undefined });
  });

  it('continues the numbering and keeps the existing chain entries byte for byte', async () => {
    const root = join(scratch(), 'Roll');
    const files = card(root);
    const first = await writeGeneration(root, generation(await entriesFor(root, files, T1), ['Clips', 'Empty Folder'], T1));
    const chain1 = readFileSync(first.chainPath, 'utf8');
    const second = await writeGeneration(root, generation(await entriesFor(root, files, T2), ['Clips', 'Empty Folder'], T2));
    expect(second.generation).toBe(2);
    expect(second.manifestPath.endsWith('0002_Roll_2026-03-15_100000Z.mhl')).toBe(true);
    const chain2 = readFileSync(second.chainPath, 'utf8');
    expect(chain2.startsWith(chain1.replace('</ascmhldirectory>\n', ''))).toBe(true);
    expect(chain2).toContain(`<hashlist sequencenr="2">\n    <path>0002_Roll_2026-03-15_100000Z.mhl</path>\n    <c4>${c4Of(readFileSync(second.manifestPath))}</c4>`);
    const h = await loadHistory(root);
    expect(h.generations.map((g) => g.number)).toEqual([1, 2]);
    expect(h.chain!.map((c) => c.sequence)).toEqual([1, 2]);
  });

  it('numbers after a manifest the chain does not list (a crash between the two writes) and reports it', async () => {
    const root = join(scratch(), 'Roll');
    const files = card(root);
    await writeGeneration(root, generation(await entriesFor(root, files, T1), [], T1));
    // Simulate: generation 2's manifest was published, then the machine died before the chain was.
    const orphan = join(root, 'ascmhl', '0002_Roll_2026-03-14_100000Z.mhl');
    writeFileSync(orphan, readFileSync(join(root, 'ascmhl', '0001_Roll_2026-03-14_092653Z.mhl')));
    const w = await writeGeneration(root, generation(await entriesFor(root, files, T2), [], T2));
    expect(w.generation).toBe(3);
    const h = await loadHistory(root);
    expect(h.problems.map((p) => [p.kind, p.path])).toEqual([['manifest-unchained', orphan]]);
  });

  it('records no folder or root hashes when told the generation covers only part of the tree', async () => {
    const root = join(scratch(), 'Part');
    const files = card(root);
    const w = await writeGeneration(root, generation(await entriesFor(root, files.slice(0, 2), T1), [], T1, { directoryHashes: false }));
    const text = readFileSync(w.manifestPath, 'utf8');
    expect(text).not.toMatch(/<roothash>|<directoryhash>/);
  });

  it('always keeps the ascmhl folder ignored and never records files inside it', async () => {
    const root = join(scratch(), 'Ign');
    put(root, 'a.mov', 'a');
    put(root, 'ascmhl/notes.txt', 'not ours');
    const entries = await entriesFor(root, ['a.mov', 'ascmhl/notes.txt'], T1);
    const w = await writeGeneration(root, generation(entries, ['ascmhl'], T1, { ignore: ['*.tmp'] }));
    const g = (await loadHistory(root)).generations[0];
    expect(g.ignore).toEqual(['*.tmp', 'ascmhl', 'ascmhl/']);
    expect(g.files.map((f) => f.path)).toEqual(['a.mov']);
    expect(readFileSync(w.manifestPath, 'utf8')).not.toContain('notes.txt');
  });

  it('refuses invalid entries as programming errors and writes nothing', async () => {
    const root = join(scratch(), 'Bad');
    put(root, 'a.mov', 'a');
    const [entry] = await entriesFor(root, ['a.mov'], T1);
    await expect(writeGeneration(root, generation([{ ...entry, hashes: [{ ...entry.hashes[0], digest: 'xyz' }] }], [], T1))).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(writeGeneration(root, generation([{ ...entry, path: '../a.mov' }], [], T1))).rejects.toBeInstanceOf(RushesError);
    await expect(writeGeneration(root, generation([entry, entry], [], T1))).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(writeGeneration(root, generation([{ ...entry, path: 'a\u0007.mov' }], [], T1))).rejects.toMatchObject({ code: 'BAD_FILENAME' });
    expect(existsSync(join(root, 'ascmhl'))).toBe(false);
    expect(readdirSync(root)).toEqual(['a.mov']);
  });

  it('refuses to extend a history whose manifest no longer matches its chain, naming the manifest', async () => {
    const root = join(scratch(), 'Tampered');
    const files = card(root);
    const first = await writeGeneration(root, generation(await entriesFor(root, files, T1), [], T1));
    writeFileSync(first.manifestPath, readFileSync(first.manifestPath, 'utf8').replace('Sidecar.txt', 'Sidecar.TXT'));
    const err = await writeGeneration(root, generation(await entriesFor(root, files, T2), [], T2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RushesError);
    expect(err).toMatchObject({ code: 'MHL_VERIFY', path: first.manifestPath });
    expect((err as Error).message).toMatch(/altered.*exit code 31/);
    expect(readdirSync(join(root, 'ascmhl')).sort()).toEqual([first.manifestPath.split('/').pop(), 'ascmhl_chain.xml'].sort());
  });
});

describe('nested histories', () => {
  /** Two cards sealed on their own, then their parent folder: the reference tool's Reels scenario. */
  async function reels(): Promise<{ root: string; files: string[] }> {
    const root = join(scratch(), 'Reels');
    const a = card(join(root, 'A002R2EC'));
    const b = card(join(root, 'A003R2EC'));
    await writeGeneration(join(root, 'A002R2EC'), generation(await entriesFor(join(root, 'A002R2EC'), a, T1), ['Clips', 'Empty Folder'], T1));
    await writeGeneration(join(root, 'A003R2EC'), generation(await entriesFor(join(root, 'A003R2EC'), b, T1), ['Clips', 'Empty Folder'], T1));
    put(root, 'Summary.txt', 'summary\n', T2);
    return { root, files: [...a.map((f) => `A002R2EC/${f}`), ...b.map((f) => `A003R2EC/${f}`), 'Summary.txt'] };
  }

  it('loads nested histories and lists every history folder for an offload to carry over', async () => {
    const { root } = await reels();
    const h = await loadHistory(root);
    expect(h.generations).toHaveLength(0);
    expect(h.children.map((c) => c.relativePath)).toEqual(['A002R2EC', 'A003R2EC']);
    expect(await listHistoryFolders(root)).toEqual(['A002R2EC/ascmhl', 'A003R2EC/ascmhl']);
  });

  it('splits a generation between the histories: nested files go to the nested history, referenced by C4 ID', async () => {
    const { root, files } = await reels();
    const w = await writeGeneration(root, generation(await entriesFor(root, files, T2), ['A002R2EC', 'A002R2EC/Clips', 'A002R2EC/Empty Folder', 'A003R2EC', 'A003R2EC/Clips', 'A003R2EC/Empty Folder'], T2));
    expect(w.generation).toBe(1);
    expect(w.nested.map((n) => [n.root, n.generation])).toEqual([
      [join(root, 'A002R2EC'), 2],
      [join(root, 'A003R2EC'), 2],
    ]);
    const top = readFileSync(w.manifestPath, 'utf8');
    expect(top).toContain('<path size="8" lastmodificationdate="2026-03-15T10:00:00+00:00">Summary.txt</path>');
    expect(top).not.toContain('A001C001.mov'); // recorded by the nested histories
    expect(top).toMatch(/<directoryhash>\n {6}<path lastmodificationdate="[^"]+">A002R2EC<\/path>/);
    for (const n of w.nested) {
      const name = n.manifestPath.slice(root.length + 1);
      expect(top).toContain(`<hashlistreference>\n      <path>${name}</path>\n      <c4>${c4Of(readFileSync(n.manifestPath))}</c4>`);
    }
    expect(await listHistoryFolders(root)).toEqual(['ascmhl', 'A002R2EC/ascmhl', 'A003R2EC/ascmhl']);

    const h = await loadHistory(root);
    expect(allProblems(h)).toEqual([]);
    const child = h.children[0];
    expect(child.generations.map((g) => g.number)).toEqual([1, 2]);
    // The nested root's hash in its own manifest equals the folder entry one level up.
    const parentEntry = h.generations[0].directories.find((d) => d.path === 'A002R2EC')!;
    expect(child.generations[1].rootHashes).toEqual(parentEntry.hashes);
  });

  it.skipIf(schemasMissing !== undefined)(`every manifest and chain written validates against the official schemas${schemasMissing ? ` (skipped: ${schemasMissing})` : ''}`, async () => {
    const { root, files } = await reels();
    // The cards' first generations (xxh64, md5), then one over all of it in every format, split between three histories.
    const w = await writeGeneration(root, generation(await entriesFor(root, files, T2, HASH_FORMATS), [], T2));
    const histories = [join(root, 'A002R2EC'), join(root, 'A003R2EC'), root];
    const written = histories.flatMap((h) => readdirSync(join(h, 'ascmhl')).map((name) => join(h, 'ascmhl', name)));
    expect(written).toHaveLength(3 + 3 + 2); // two manifests and a chain per card, one and a chain above
    expect(w.nested).toHaveLength(2);
    for (const file of written) expect(schemaErrors(file), file).toBeUndefined();
  });

  it('reports a nested manifest whose C4 ID differs from the enclosing reference', async () => {
    const { root, files } = await reels();
    const w = await writeGeneration(root, generation(await entriesFor(root, files, T2), [], T2));
    const nested = w.nested[0];
    // Rewrite the nested manifest and its chain consistently: only the enclosing reference can tell.
    const changed = readFileSync(nested.manifestPath, 'utf8').replace('<hostname>cart-01</hostname>', '<hostname>elsewhere</hostname>');
    writeFileSync(nested.manifestPath, changed);
    writeFileSync(nested.chainPath, readFileSync(nested.chainPath, 'utf8').replace(nested.c4, c4Of(changed)));
    const h = await loadHistory(root);
    expect(allProblems(h).map((p) => p.kind)).toEqual(['reference-mismatch']);
  });
});

describe('loadHistory', () => {
  it('throws MHL_VERIFY naming the file for a missing chain (32) and a missing manifest (33)', async () => {
    const root = join(scratch(), 'R');
    const files = card(root);
    const w = await writeGeneration(root, generation(await entriesFor(root, files, T1), [], T1));
    rmSync(w.chainPath);
    await expect(loadHistory(root)).rejects.toMatchObject({ code: 'MHL_VERIFY', path: w.chainPath, message: expect.stringMatching(/no chain file.*32/) });
    const root2 = join(scratch(), 'R2');
    card(root2);
    const w2 = await writeGeneration(root2, generation(await entriesFor(root2, files, T1), [], T1));
    await writeGeneration(root2, generation(await entriesFor(root2, files, T2), [], T2));
    rmSync(w2.manifestPath);
    await expect(loadHistory(root2)).rejects.toMatchObject({ code: 'MHL_VERIFY', path: w2.manifestPath, message: expect.stringMatching(/missing.*33/) });
  });

  it('throws MHL_INVALID naming the file for a malformed manifest even when the chain matches it', async () => {
    const root = join(scratch(), 'M');
    put(root, 'a.mov', 'a');
    const broken = '<?xml version="1.0"?><hashlist version="2.0" xmlns="urn:ASC:MHL:v2.0"><creatorinfo>';
    put(root, 'ascmhl/0001_M_2026-01-01_000000Z.mhl', broken);
    put(root, 'ascmhl/ascmhl_chain.xml', `<?xml version="1.0" encoding="UTF-8"?>\n<ascmhldirectory xmlns="urn:ASC:MHL:DIRECTORY:v2.0">\n  <hashlist sequencenr="1">\n    <path>0001_M_2026-01-01_000000Z.mhl</path>\n    <c4>${c4Of(broken)}</c4>\n  </hashlist>\n</ascmhldirectory>\n`);
    const file = join(root, 'ascmhl/0001_M_2026-01-01_000000Z.mhl');
    await expect(loadHistory(root)).rejects.toMatchObject({ code: 'MHL_INVALID', path: file, message: expect.stringContaining(file) });
  });

  it('treats an empty ascmhl folder as no history rather than a broken one', async () => {
    const root = join(scratch(), 'E');
    put(root, 'a.mov', 'a');
    mkdirSync(join(root, 'ascmhl'));
    const h = await loadHistory(root);
    expect(h.generations).toEqual([]);
    expect(h.problems).toEqual([]);
  });
});

describe('classifyHashes (actions for a new generation)', () => {
  it('original for unknown files, verified/failed against the record, new formats verified only beside a verified one', async () => {
    const root = join(scratch(), 'C');
    const files = card(root);
    await writeGeneration(root, generation(await entriesFor(root, files, T1, ['xxh64']), [], T1));
    const index = indexHistory(await loadHistory(root));
    const exp = expectationFor(index, 'Sidecar.txt');
    const good = (await hashFile(join(root, 'Sidecar.txt'), ['xxh64', 'md5'])).digests;
    expect(classifyHashes(undefined, good, T2).hashes.map((h) => h.action)).toEqual(['original', 'original']);
    const ok = classifyHashes(exp, good, T2);
    expect([ok.outcome, ok.hashes.map((h) => `${h.format}:${h.action}`)]).toEqual(['verified', ['xxh64:verified', 'md5:verified']]);
    const bad = classifyHashes(exp, { xxh64: '0000000000000000', md5: good.md5 }, T2);
    expect([bad.outcome, bad.hashes.map((h) => `${h.format}:${h.action}`)]).toEqual(['failed', ['xxh64:failed']]);
    const blind = classifyHashes(exp, { md5: good.md5 }, T2);
    expect(blind.outcome).toBe('unverifiable');
  });
});
