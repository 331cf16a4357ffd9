import type { Digests, HashFormat } from '../hash/index.ts';
import type Database from 'better-sqlite3';
import type { Db } from '../store/db.ts';
import type { OffloadSummary } from './events.ts';
import type { PhaseClock } from './phases.ts';

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

const BATCH_ROWS = 256;
const BATCH_MS = 250;

/**
 * Typed queries over the offload tables.
 *
 * Per-file results are written behind, in one transaction per batch: a commit per row
 * costs more than copying a small file. Losing the last batch to a crash is safe, because
 * the records only save work on resume — a file whose record is missing but which is in
 * place under its final name is read back and compared again, never trusted blindly.
 */
export class OffloadStore {
  private readonly statements = new Map<string, Database.Statement>();
  private pending: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** `clock`, when given, is told how long the store's writes take (phase `store`). */
  constructor(
    private readonly db: Db,
    private readonly clock?: PhaseClock,
  ) {}

  private later(write: () => void): void {
    this.pending.push(write);
    if (this.pending.length >= BATCH_ROWS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), BATCH_MS).unref();
  }

  /** Writes every pending record now. Reads call it first, so they always see every write. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const write = this.db.transaction(() => batch.forEach((w) => w()));
    if (this.clock) this.clock.timeSync('store', write);
    else write();
  }

  /** Prepared once per store: an offload of 10,000 files records 30,000 rows. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  get(id: string): OffloadRecord | undefined {
    const row = this.stmt('SELECT * FROM offloads WHERE id = ?').get(id) as OffloadRow | undefined;
    return row && fromRow(row);
  }

  list(limit = 50): OffloadRecord[] {
    return (this.stmt('SELECT * FROM offloads ORDER BY started_at DESC LIMIT ?').all(limit) as OffloadRow[]).map(fromRow);
  }

  /** The summary of an offload's last finished run (what its report is made from). */
  summaryOf(id: string): OffloadSummary | undefined {
    const row = this.stmt('SELECT summary FROM offloads WHERE id = ?').get(id) as { summary: string | null } | undefined;
    return row?.summary ? (JSON.parse(row.summary) as OffloadSummary) : undefined;
  }

  /** Finished offloads that started on a day (YYYY-MM-DD, in UTC as the records keep time), oldest first. */
  startedOn(day: string): OffloadRecord[] {
    return (this.stmt(`SELECT * FROM offloads WHERE substr(started_at, 1, 10) = ? AND summary IS NOT NULL ORDER BY started_at, rowid`).all(day) as OffloadRow[]).map(fromRow);
  }

  /** Finished offloads with this destination roll folder, newest first. */
  into(folder: string): OffloadRecord[] {
    return (
      this.stmt(`SELECT o.* FROM offloads o, json_each(o.destinations) d WHERE d.value = ? AND o.summary IS NOT NULL ORDER BY o.started_at DESC, o.rowid DESC`).all(folder) as OffloadRow[]
    ).map(fromRow);
  }

  /** The latest offload of this source and roll to exactly these destinations, if any. */
  findLatest(source: string, roll: string, destinations: readonly string[]): OffloadRecord | undefined {
    const row = this
      .stmt('SELECT * FROM offloads WHERE source = ? AND roll = ? AND destinations = ? ORDER BY started_at DESC, rowid DESC LIMIT 1')
      .get(source, roll, JSON.stringify([...destinations].sort())) as OffloadRow | undefined;
    return row && fromRow(row);
  }

  create(o: Omit<OffloadRecord, 'status' | 'finishedAt'>): void {
    this
      .stmt(
        `INSERT INTO offloads (id, source, roll, destinations, formats, verify_mode, source_verify, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(o.id, o.source, o.roll, JSON.stringify([...o.destinations].sort()), JSON.stringify(o.formats), o.verifyMode, o.sourceVerify ? 1 : 0, o.startedAt);
  }

  markRunning(id: string): void {
    this.stmt(`UPDATE offloads SET status = 'running', finished_at = NULL WHERE id = ?`).run(id);
  }

  finish(id: string, status: OffloadStatus, summary: unknown): void {
    this.flush();
    this
      .stmt('UPDATE offloads SET status = ?, finished_at = ?, summary = ? WHERE id = ?')
      .run(status, new Date().toISOString(), JSON.stringify(summary), id);
  }

  recordSourceFile(id: string, f: SourceFileRecord): void {
    const sql = `INSERT INTO offload_files (offload_id, path, size, mtime_ms, hashes, hashed_at, status)
       VALUES (?, ?, ?, ?, ?, ?, 'copied')
       ON CONFLICT (offload_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
         hashes = excluded.hashes, hashed_at = excluded.hashed_at, status = 'copied', error = NULL`;
    this.later(() => this.stmt(sql).run(id, f.path, f.size, f.mtimeMs, JSON.stringify(f.hashes), f.hashedAt));
  }

  recordSourceFailure(id: string, path: string, size: number, mtimeMs: number, error: string): void {
    const sql = `INSERT INTO offload_files (offload_id, path, size, mtime_ms, status, error) VALUES (?, ?, ?, ?, 'failed', ?)
       ON CONFLICT (offload_id, path) DO UPDATE SET status = 'failed', error = excluded.error`;
    this.later(() => this.stmt(sql).run(id, path, size, mtimeMs, error));
  }

  recordDestinationFile(id: string, destination: string, f: DestinationFileRecord): void {
    const sql = `INSERT INTO destination_files (offload_id, destination, path, status, check_kind, checked_at, error_code, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (offload_id, destination, path) DO UPDATE SET status = excluded.status, check_kind = excluded.check_kind,
         checked_at = excluded.checked_at, error_code = excluded.error_code, error = excluded.error, manifest = NULL`;
    this.later(() =>
      this.stmt(sql).run(id, destination, f.path, f.status, f.checkKind ?? null, f.checkedAt ?? null, f.errorCode ?? null, f.error ?? null),
    );
  }

  sourceFiles(id: string): Map<string, SourceFileRecord> {
    this.flush();
    const rows = this
      .stmt(`SELECT path, size, mtime_ms, hashes, hashed_at FROM offload_files WHERE offload_id = ? AND status = 'copied'`)
      .all(id) as { path: string; size: number; mtime_ms: number; hashes: string; hashed_at: string }[];
    return new Map(rows.map((r) => [r.path, { path: r.path, size: r.size, mtimeMs: r.mtime_ms, hashes: JSON.parse(r.hashes), hashedAt: r.hashed_at }]));
  }

  /** The hashes the offload computed of these files (relative paths), by path; files it did not copy are left out. */
  hashesOf(id: string, paths: readonly string[]): Record<string, Digests> {
    this.flush();
    const rows = this
      .stmt(`SELECT path, hashes FROM offload_files WHERE offload_id = ? AND status = 'copied' AND path IN (SELECT value FROM json_each(?))`)
      .all(id, JSON.stringify(paths)) as { path: string; hashes: string }[];
    return Object.fromEntries(rows.map((r) => [r.path, JSON.parse(r.hashes) as Digests]));
  }

  destinationFiles(id: string, destination: string): Map<string, DestinationFileRecord> {
    this.flush();
    const rows = this
      .stmt('SELECT path, status, check_kind, checked_at, error_code, error, manifest FROM destination_files WHERE offload_id = ? AND destination = ?')
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
    this.flush();
    const stmt = this.stmt('UPDATE destination_files SET manifest = ? WHERE offload_id = ? AND destination = ? AND path = ?');
    this.db.transaction(() => {
      for (const p of paths) stmt.run(manifest, id, destination, p);
    })();
  }
}
