import type { Digests, HashFormat } from '../hash/index.ts';
import type { Db } from './db.ts';

export type VerifyMode = 'full' | 'size' | 'none';
export type OffloadStatus = 'running' | 'completed' | 'incomplete';
/** How a destination file was checked: read back from the device, from cache (the fs refused O_DIRECT), by size, or not at all. */
export type CheckKind = 'full-direct' | 'full-cached' | 'size' | 'none';

export interface OffloadRecord {
  id: string;
  source: string;
  roll: string;
  destinations: string[];
  formats: HashFormat[];
  verifyMode: VerifyMode;
  sourceVerify: boolean;
  status: OffloadStatus;
  startedAt: string;
  finishedAt?: string;
}

export interface SourceFileRecord {
  path: string;
  size: number;
  mtimeMs: number;
  hashes: Digests;
  hashedAt: string;
}

export interface DestinationFileRecord {
  path: string;
  status: 'written' | 'verified' | 'failed';
  checkKind?: CheckKind;
  checkedAt?: string;
  errorCode?: string;
  error?: string;
  /** The MHL manifest that recorded this file, once one was written. */
  manifest?: string;
}

interface OffloadRow {
  id: string;
  source: string;
  roll: string;
  destinations: string;
  formats: string;
  verify_mode: VerifyMode;
  source_verify: number;
  status: OffloadStatus;
  started_at: string;
  finished_at: string | null;
}

function fromRow(r: OffloadRow): OffloadRecord {
  return {
    id: r.id,
    source: r.source,
    roll: r.roll,
    destinations: JSON.parse(r.destinations),
    formats: JSON.parse(r.formats),
    verifyMode: r.verify_mode,
    sourceVerify: r.source_verify === 1,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at ?? undefined,
  };
}

/** Typed queries over the offload tables. */
export class OffloadStore {
  constructor(private readonly db: Db) {}

  get(id: string): OffloadRecord | undefined {
    const row = this.db.prepare('SELECT * FROM offloads WHERE id = ?').get(id) as OffloadRow | undefined;
    return row && fromRow(row);
  }

  list(limit = 50): OffloadRecord[] {
    return (this.db.prepare('SELECT * FROM offloads ORDER BY started_at DESC LIMIT ?').all(limit) as OffloadRow[]).map(fromRow);
  }

  /** The latest offload of this source and roll to exactly these destinations, if any. */
  findLatest(source: string, roll: string, destinations: readonly string[]): OffloadRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM offloads WHERE source = ? AND roll = ? AND destinations = ? ORDER BY started_at DESC, rowid DESC LIMIT 1')
      .get(source, roll, JSON.stringify([...destinations].sort())) as OffloadRow | undefined;
    return row && fromRow(row);
  }

  create(o: Omit<OffloadRecord, 'status' | 'finishedAt'>): void {
    this.db
      .prepare(
        `INSERT INTO offloads (id, source, roll, destinations, formats, verify_mode, source_verify, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(o.id, o.source, o.roll, JSON.stringify([...o.destinations].sort()), JSON.stringify(o.formats), o.verifyMode, o.sourceVerify ? 1 : 0, o.startedAt);
  }

  markRunning(id: string): void {
    this.db.prepare(`UPDATE offloads SET status = 'running', finished_at = NULL WHERE id = ?`).run(id);
  }

  finish(id: string, status: OffloadStatus, summary: unknown): void {
    this.db
      .prepare('UPDATE offloads SET status = ?, finished_at = ?, summary = ? WHERE id = ?')
      .run(status, new Date().toISOString(), JSON.stringify(summary), id);
  }

  recordSourceFile(id: string, f: SourceFileRecord): void {
    this.db
      .prepare(
        `INSERT INTO offload_files (offload_id, path, size, mtime_ms, hashes, hashed_at, status)
         VALUES (?, ?, ?, ?, ?, ?, 'copied')
         ON CONFLICT (offload_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
           hashes = excluded.hashes, hashed_at = excluded.hashed_at, status = 'copied', error = NULL`,
      )
      .run(id, f.path, f.size, f.mtimeMs, JSON.stringify(f.hashes), f.hashedAt);
  }

  recordSourceFailure(id: string, path: string, size: number, mtimeMs: number, error: string): void {
    this.db
      .prepare(
        `INSERT INTO offload_files (offload_id, path, size, mtime_ms, status, error) VALUES (?, ?, ?, ?, 'failed', ?)
         ON CONFLICT (offload_id, path) DO UPDATE SET status = 'failed', error = excluded.error`,
      )
      .run(id, path, size, mtimeMs, error);
  }

  recordDestinationFile(id: string, destination: string, f: DestinationFileRecord): void {
    this.db
      .prepare(
        `INSERT INTO destination_files (offload_id, destination, path, status, check_kind, checked_at, error_code, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (offload_id, destination, path) DO UPDATE SET status = excluded.status, check_kind = excluded.check_kind,
           checked_at = excluded.checked_at, error_code = excluded.error_code, error = excluded.error, manifest = NULL`,
      )
      .run(id, destination, f.path, f.status, f.checkKind ?? null, f.checkedAt ?? null, f.errorCode ?? null, f.error ?? null);
  }

  sourceFiles(id: string): Map<string, SourceFileRecord> {
    const rows = this.db
      .prepare(`SELECT path, size, mtime_ms, hashes, hashed_at FROM offload_files WHERE offload_id = ? AND status = 'copied'`)
      .all(id) as { path: string; size: number; mtime_ms: number; hashes: string; hashed_at: string }[];
    return new Map(rows.map((r) => [r.path, { path: r.path, size: r.size, mtimeMs: r.mtime_ms, hashes: JSON.parse(r.hashes), hashedAt: r.hashed_at }]));
  }

  destinationFiles(id: string, destination: string): Map<string, DestinationFileRecord> {
    const rows = this.db
      .prepare('SELECT path, status, check_kind, checked_at, error_code, error, manifest FROM destination_files WHERE offload_id = ? AND destination = ?')
      .all(id, destination) as {
      path: string;
      status: DestinationFileRecord['status'];
      check_kind: CheckKind | null;
      checked_at: string | null;
      error_code: string | null;
      error: string | null;
      manifest: string | null;
    }[];
    return new Map(
      rows.map((r) => [
        r.path,
        {
          path: r.path,
          status: r.status,
          checkKind: r.check_kind ?? undefined,
          checkedAt: r.checked_at ?? undefined,
          errorCode: r.error_code ?? undefined,
          error: r.error ?? undefined,
          manifest: r.manifest ?? undefined,
        },
      ]),
    );
  }

  /** Notes that these files are now recorded in an MHL generation, so a later run does not record them again. */
  markRecorded(id: string, destination: string, paths: readonly string[], manifest: string): void {
    const stmt = this.db.prepare('UPDATE destination_files SET manifest = ? WHERE offload_id = ? AND destination = ? AND path = ?');
    this.db.transaction(() => {
      for (const p of paths) stmt.run(manifest, id, destination, p);
    })();
  }
}
