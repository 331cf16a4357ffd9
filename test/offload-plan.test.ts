/**
 * The offload's plan as data: what it decides for each file on each destination from the
 * listing, an earlier run's records and what the destinations hold — without disks.
 */
import { describe, expect, it } from 'vitest';
import { RushesError } from '../core/errors.ts';
import { formatsToHash, planOffload, resumableOffload, type DestinationFacts, type Holding, type OffloadIdentity, type PlanInput } from '../core/offload/plan.ts';
import type { DestinationFileRecord, OffloadRecord, SourceFileRecord } from '../core/offload/store.ts';
import type { SourceFile, SourceTree } from '../core/offload/walk.ts';

const SOURCE = '/media/A001';
const R1 = '/raid1/Day01/A001';
const R2 = '/raid2/Day01/A001';

function sourceFile(path: string, size: number, mtimeMs = 1_700_000_000_000): SourceFile {
  const ns = BigInt(mtimeMs) * 1_000_000n;
  return { path, abs: `${SOURCE}/${path}`, size, mtimeMs, mtimeNs: ns, atimeNs: ns };
}

function tree(...files: SourceFile[]): SourceTree {
  return { files, directories: [], problems: [], totalBytes: files.reduce((n, f) => n + f.size, 0) };
}

function destination(root: string, facts: { holdings?: [string, Holding][]; records?: DestinationFileRecord[]; failure?: DestinationFacts['failure'] } = {}): DestinationFacts {
  return { root, holdings: new Map(facts.holdings ?? []), records: new Map((facts.records ?? []).map((r) => [r.path, r])), failure: facts.failure };
}

function hashed(f: SourceFile): SourceFileRecord {
  return { path: f.path, size: f.size, mtimeMs: f.mtimeMs, hashes: { xxh64: '0123456789abcdef' }, hashedAt: '2026-03-14T10:00:00.000Z' };
}

const verified = (path: string): DestinationFileRecord => ({ path, status: 'verified', checkKind: 'full-direct', checkedAt: '2026-03-14T10:00:01.000Z' });

/** The plan, its files read out into an array. */
function plan(input: Partial<PlanInput> & Pick<PlanInput, 'tree' | 'destinations'>) {
  const p = planOffload({ previous: new Map(), verifyMode: 'full', ...input });
  return { ...p, files: [...p.files] };
}

/** Each file's actions by destination, as `path → root → kind`. */
function kinds(p: ReturnType<typeof plan>): Record<string, Record<string, string>> {
  return Object.fromEntries(p.files.map((f) => [f.file.path, Object.fromEntries(f.targets.map((t) => [t.destination, t.action.kind]))]));
}

describe('offload plan: a new offload', () => {
  it('writes every file to every destination under a hidden temporary name, checked as the verify mode says', () => {
    const clip = sourceFile('Clip/A001C001.mov', 5_000);
    const p = plan({ tree: tree(clip, sourceFile('A001.xml', 300)), destinations: [destination(R1), destination(R2)], verifyMode: 'size' });
    expect(p.totals).toEqual({ files: 2, bytes: 5_300 });
    expect(p.resumedFiles).toBe(0);
    expect(p.files[0].file).toBe(clip);
    expect(p.files[0].targets).toEqual([
      { destination: R1, action: { kind: 'write', finalPath: `${R1}/Clip/A001C001.mov`, tempPath: `${R1}/Clip/.A001C001.mov.rushes-part`, checkMode: 'size' } },
      { destination: R2, action: { kind: 'write', finalPath: `${R2}/Clip/A001C001.mov`, tempPath: `${R2}/Clip/.A001C001.mov.rushes-part`, checkMode: 'size' } },
    ]);
    expect(kinds(p)['A001.xml']).toEqual({ [R1]: 'write', [R2]: 'write' });
  });

  it('keeps the listing order, and reads the same each time it is read', () => {
    const names = ['b.mov', 'a.mov', 'Sub/c.mov'];
    const lazy = planOffload({ tree: tree(...names.map((n) => sourceFile(n, 1))), previous: new Map(), destinations: [destination(R1)], verifyMode: 'full' });
    expect([...lazy.files].map((f) => f.file.path)).toEqual(names);
    expect([...lazy.files]).toEqual([...lazy.files]);
  });
});

describe('offload plan: what a destination already holds', () => {
  const clip = sourceFile('A001C001.mov', 5_000);

  it('a file of the same name and size is read back in full whatever the verify mode, never written over', () => {
    for (const verifyMode of ['full', 'size', 'none'] as const) {
      const p = plan({ tree: tree(clip), destinations: [destination(R1, { holdings: [[clip.path, { kind: 'file', size: 5_000 }]] })], verifyMode });
      expect(p.files[0].targets[0].action).toEqual({ kind: 'existing', finalPath: `${R1}/A001C001.mov`, checkMode: 'full' });
    }
  });

  it('a file of another size is a conflict, left untouched', () => {
    const p = plan({ tree: tree(clip), destinations: [destination(R1, { holdings: [[clip.path, { kind: 'file', size: 4_999 }]] }), destination(R2)] });
    expect(p.files[0].targets[0].action).toEqual({
      kind: 'failed',
      failure: {
        path: `${R1}/A001C001.mov`,
        destination: R1,
        code: 'DEST_CONFLICT',
        message: `a different file already exists at ${R1}/A001C001.mov (4999 bytes, source has 5000); it was left untouched`,
      },
    });
    // The other destination is not held back by it.
    expect(p.files[0].targets[1].action.kind).toBe('write');
  });

  it('a folder (or anything not a file) in the way is a conflict, even of the same size', () => {
    const p = plan({ tree: tree(sourceFile('X', 4096)), destinations: [destination(R1, { holdings: [['X', { kind: 'other', size: 4096 }]] })] });
    const action = p.files[0].targets[0].action;
    expect(action.kind === 'failed' && action.failure).toMatchObject({ code: 'DEST_CONFLICT', message: `a different entry already exists at ${R1}/X (4096 bytes, source has 4096); it was left untouched` });
  });

  it('a path that could not be looked at fails with the survey\'s cause, on that destination', () => {
    const error = new RushesError('DEST_READONLY', `destination is not writable: ${R1}/A001C001.mov (EACCES)`, { path: `${R1}/A001C001.mov` });
    const p = plan({ tree: tree(clip), destinations: [destination(R1, { holdings: [[clip.path, { kind: 'unreadable', error }]] })] });
    expect(p.files[0].targets[0].action).toEqual({ kind: 'failed', failure: { path: `${R1}/A001C001.mov`, destination: R1, code: 'DEST_READONLY', message: error.message } });
  });

  it('plans nothing on a destination that cannot be used at all', () => {
    const failure = { path: R1, destination: R1, code: 'DEST_READONLY', message: `destination is not writable: ${R1} (EROFS)` };
    const p = plan({ tree: tree(clip), destinations: [destination(R1, { failure }), destination(R2)] });
    expect(p.files[0].targets.map((t) => t.destination)).toEqual([R2]);
  });
});

describe('offload plan: resuming an interrupted run', () => {
  const done = sourceFile('A001C001.mov', 5_000);
  const half = sourceFile('A001C002.mov', 7_000);
  const held = (...fs: SourceFile[]): [string, Holding][] => fs.map((f) => [f.path, { kind: 'file', size: f.size }]);

  it('leaves a file verified earlier and still in place alone, and counts it as resumed', () => {
    const p = plan({
      tree: tree(done, half),
      previous: new Map([[done.path, hashed(done)], [half.path, hashed(half)]]),
      destinations: [destination(R1, { holdings: held(done), records: [verified(done.path)] }), destination(R2, { holdings: held(done, half), records: [verified(done.path), verified(half.path)] })],
    });
    expect(kinds(p)).toEqual({ [done.path]: { [R1]: 'done', [R2]: 'done' }, [half.path]: { [R1]: 'write', [R2]: 'done' } });
    expect(p.resumedFiles).toBe(1);
  });

  it('a check by size or none counts as done too (the run said what it checked)', () => {
    const p = plan({
      tree: tree(done),
      previous: new Map([[done.path, hashed(done)]]),
      destinations: [destination(R1, { holdings: held(done), records: [{ path: done.path, status: 'written', checkKind: 'size' }] })],
      verifyMode: 'size',
    });
    expect(kinds(p)).toEqual({ [done.path]: { [R1]: 'done' } });
  });

  it('a source file that changed since the earlier run is not trusted: what is there is read back', () => {
    const touched = sourceFile(done.path, done.size, done.mtimeMs + 2_000);
    const p = plan({ tree: tree(touched), previous: new Map([[done.path, hashed(done)]]), destinations: [destination(R1, { holdings: held(done), records: [verified(done.path)] })] });
    expect(kinds(p)).toEqual({ [done.path]: { [R1]: 'existing' } });
    expect(p.resumedFiles).toBe(0);
  });

  it('a file recorded as failed, or verified but since removed, is done again; one resized since is a conflict', () => {
    const p = plan({
      tree: tree(done, half),
      previous: new Map([[done.path, hashed(done)], [half.path, hashed(half)]]),
      destinations: [
        destination(R1, { holdings: [[done.path, { kind: 'file', size: 1 }]], records: [verified(done.path), { path: half.path, status: 'failed', errorCode: 'VERIFY_MISMATCH' }] }),
        destination(R2, { holdings: held(half), records: [verified(done.path), { path: half.path, status: 'failed', errorCode: 'VERIFY_MISMATCH' }] }),
      ],
    });
    expect(kinds(p)).toEqual({ [done.path]: { [R1]: 'failed', [R2]: 'write' }, [half.path]: { [R1]: 'write', [R2]: 'existing' } });
  });

  it('a destination out of the running does not stop a file from counting as resumed', () => {
    const failure = { path: R2, destination: R2, code: 'DEST_LOCKED', message: 'lock' };
    const p = plan({ tree: tree(done), previous: new Map([[done.path, hashed(done)]]), destinations: [destination(R1, { holdings: held(done), records: [verified(done.path)] }), destination(R2, { failure })] });
    expect(p.resumedFiles).toBe(1);
  });
});

describe('offload plan: which earlier offload a run resumes', () => {
  const wanted: OffloadIdentity = { source: SOURCE, roll: 'A001', roots: [R2, R1], formats: ['xxh64', 'md5'], verifyMode: 'full' };
  const earlier: OffloadRecord = {
    id: 'o1',
    source: SOURCE,
    roll: 'A001',
    destinations: [R1, R2],
    formats: ['xxh64', 'md5'],
    verifyMode: 'full',
    sourceVerify: false,
    status: 'incomplete',
    startedAt: '2026-03-14T10:00:00.000Z',
  };

  it('resumes one that stopped (interrupted or incomplete) with the same source, roll, destinations, formats and verify mode', () => {
    expect(resumableOffload(earlier, wanted)).toBe(earlier);
    const killed: OffloadRecord = { ...earlier, status: 'running' };
    expect(resumableOffload(killed, wanted)).toBe(killed);
  });

  it('starts afresh after a completed one, with none, or when anything that decides what was proven differs', () => {
    expect(resumableOffload(undefined, wanted)).toBeUndefined();
    expect(resumableOffload({ ...earlier, status: 'completed' }, wanted)).toBeUndefined();
    expect(resumableOffload({ ...earlier, verifyMode: 'size' }, wanted)).toBeUndefined();
    expect(resumableOffload({ ...earlier, formats: ['xxh64'] }, wanted)).toBeUndefined();
    expect(resumableOffload({ ...earlier, formats: ['md5', 'xxh64'] }, wanted)).toBeUndefined();
    expect(resumableOffload({ ...earlier, roll: 'A002' }, wanted)).toBeUndefined();
    expect(resumableOffload({ ...earlier, source: '/media/B001' }, wanted)).toBeUndefined();
    expect(resumableOffload({ ...earlier, destinations: [R1] }, wanted)).toBeUndefined();
  });
});

describe('offload plan: formats', () => {
  it('hashes the requested formats first, then those the card\'s history recorded, each once', () => {
    expect(formatsToHash(['xxh64'])).toEqual(['xxh64']);
    expect(formatsToHash(['xxh64', 'md5'], ['md5', 'sha1'])).toEqual(['xxh64', 'md5', 'sha1']);
  });
});
