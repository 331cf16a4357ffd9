/**
 * The sync tables (migration 7): each multipart upload under way with every part the store
 * acknowledged, written as each is acknowledged so that a run after kill -9 knows the upload
 * id; and each object the store confirmed. A part row only saves work: the next run lists
 * the parts on the store and compares them with the bytes read, so a lost row costs a
 * local re-read, never a wrong object.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../store/db.ts';

export interface UploadRecord {
  id: number;
  endpoint: string;
  bucket: string;
  key: string;
  uploadId: string;
  path: string;
  size: number;
  mtimeMs: number;
  partSize: number;
  checksum: string | null;
  xxh64: string | null;
  state: 'open' | 'completed' | 'aborted';
  createdAt: number;
  updatedAt: number;
}

export interface PartRecord {
  partNumber: number;
  size: number;
  /** Hex MD5 of the bytes read for the part. */
  md5: string;
  /** The ETag the store acknowledged the part with (normalised). */
  etag: string;
  /** Base64 flexible checksum. */
  checksum: string | null;
}

/** A `sync_objects` row: the record's fields, the time in SQL's spelling. */
type SyncedObjectRow = Omit<SyncedObject, 'syncedAt'> & { synced_at: number };
const syncedObjectOf = ({ synced_at, ...row }: SyncedObjectRow): SyncedObject => ({ ...row, syncedAt: synced_at });

export interface SyncedObject {
  endpoint: string;
  bucket: string;
  key: string;
  path: string;
  size: number;
  etag: string;
  checksum: string | null;
  xxh64: string | null;
  syncedAt: number;
}

export interface ObjectPlace {
  endpoint: string;
  bucket: string;
  key: string;
}

interface UploadRow {
  id: number;
  endpoint: string;
  bucket: string;
  key: string;
  upload_id: string;
  path: string;
  size: number;
  mtime_ms: number;
  part_size: number;
  checksum: string | null;
  xxh64: string | null;
  state: UploadRecord['state'];
  created_at: number;
  updated_at: number;
}

const fromUploadRow = (r: UploadRow): UploadRecord => ({
  id: r.id,
  endpoint: r.endpoint,
  bucket: r.bucket,
  key: r.key,
  uploadId: r.upload_id,
  path: r.path,
  size: r.size,
  mtimeMs: r.mtime_ms,
  partSize: r.part_size,
  checksum: r.checksum,
  xxh64: r.xxh64,
  state: r.state,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** What an upload needs of its records: SyncStore in the SQLite store, or MemorySyncRecords where there is none. */
export type SyncRecords = Pick<SyncStore, 'openUpload' | 'openUploads' | 'startUpload' | 'parts' | 'partDone' | 'endUpload' | 'objectSynced' | 'syncedObject' | 'forgetObject'>;

export class SyncStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {}

  /** A prepared statement, prepared once: a small file's upload writes a row, and preparing costs more than the write. */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  /** The open multipart upload of an object, if a run started one. */
  openUpload(at: ObjectPlace): UploadRecord | undefined {
    const row = this.sql(`SELECT * FROM sync_uploads WHERE endpoint = ? AND bucket = ? AND key = ? AND state = 'open'`)
      .get(at.endpoint, at.bucket, at.key) as UploadRow | undefined;
    return row && fromUploadRow(row);
  }

  /** Open uploads not touched since `before` (ms since the epoch), oldest first; all open ones without it. */
  openUploads(before: number = Number.MAX_SAFE_INTEGER, where?: { endpoint: string; bucket: string }): UploadRecord[] {
    const rows = (
      where
        ? this.sql(`SELECT * FROM sync_uploads WHERE state = 'open' AND updated_at < ? AND endpoint = ? AND bucket = ? ORDER BY updated_at`)
            .all(before, where.endpoint, where.bucket)
        : this.sql(`SELECT * FROM sync_uploads WHERE state = 'open' AND updated_at < ? ORDER BY updated_at`).all(before)
    ) as UploadRow[];
    return rows.map(fromUploadRow);
  }

  startUpload(u: Omit<UploadRecord, 'id' | 'state' | 'createdAt' | 'updatedAt'>): UploadRecord {
    const now = Date.now();
    const info = this.sql(
        `INSERT INTO sync_uploads (endpoint, bucket, key, upload_id, path, size, mtime_ms, part_size, checksum, xxh64, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
      )
      .run(u.endpoint, u.bucket, u.key, u.uploadId, u.path, u.size, u.mtimeMs, u.partSize, u.checksum, u.xxh64, now, now);
    return { ...u, id: Number(info.lastInsertRowid), state: 'open', createdAt: now, updatedAt: now };
  }

  parts(upload: number): PartRecord[] {
    return (
      this.sql(`SELECT part_number, size, md5, etag, checksum FROM sync_parts WHERE upload_id = ? ORDER BY part_number`).all(upload) as {
        part_number: number;
        size: number;
        md5: string;
        etag: string;
        checksum: string | null;
      }[]
    ).map((r) => ({ partNumber: r.part_number, size: r.size, md5: r.md5, etag: r.etag, checksum: r.checksum }));
  }

  /** Records one acknowledged part, in its own transaction, as soon as the store acknowledged it. */
  partDone(upload: number, p: PartRecord): void {
    this.db.transaction(() => {
      this.sql(`INSERT OR REPLACE INTO sync_parts (upload_id, part_number, size, md5, etag, checksum) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(upload, p.partNumber, p.size, p.md5, p.etag, p.checksum);
      this.sql(`UPDATE sync_uploads SET updated_at = ? WHERE id = ?`).run(Date.now(), upload);
    })();
  }

  /** Ends an upload's record; its part rows go with it (they only served resuming). */
  endUpload(upload: number, state: 'completed' | 'aborted'): void {
    this.db.transaction(() => {
      this.sql(`UPDATE sync_uploads SET state = ?, updated_at = ? WHERE id = ?`).run(state, Date.now(), upload);
      this.sql(`DELETE FROM sync_parts WHERE upload_id = ?`).run(upload);
    })();
  }

  /** Records an object the store confirmed; only then is it synced. */
  objectSynced(o: Omit<SyncedObject, 'syncedAt'>): void {
    this.sql(
        `INSERT OR REPLACE INTO sync_objects (endpoint, bucket, key, path, size, etag, checksum, xxh64, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(o.endpoint, o.bucket, o.key, o.path, o.size, o.etag, o.checksum, o.xxh64, Date.now());
  }

  syncedObject(at: ObjectPlace): SyncedObject | undefined {
    const r = this.sql(`SELECT * FROM sync_objects WHERE endpoint = ? AND bucket = ? AND key = ?`).get(at.endpoint, at.bucket, at.key) as SyncedObjectRow | undefined;
    return r && syncedObjectOf(r);
  }

  /** Forgets a confirmed object (it failed verification when re-uploaded, or was removed). */
  forgetObject(at: ObjectPlace): void {
    this.sql(`DELETE FROM sync_objects WHERE endpoint = ? AND bucket = ? AND key = ?`).run(at.endpoint, at.bucket, at.key);
  }

  /** Every confirmed object under a key prefix, by key (what a sync manifest lists). */
  syncedUnder(where: { endpoint: string; bucket: string; prefix: string }): SyncedObject[] {
    const rows = this.sql(`SELECT * FROM sync_objects WHERE endpoint = ? AND bucket = ? AND substr(key, 1, length(?)) = ? ORDER BY key`).all(where.endpoint, where.bucket, where.prefix, where.prefix) as SyncedObjectRow[];
    return rows.map(syncedObjectOf);
  }

  countSynced(where: { endpoint: string; bucket: string }): number {
    return (this.sql(`SELECT COUNT(*) AS n FROM sync_objects WHERE endpoint = ? AND bucket = ?`).get(where.endpoint, where.bucket) as { n: number }).n;
  }
}
