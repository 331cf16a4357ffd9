/**
 * Clip records in the store: one row per clip (the record as JSON plus the columns lists
 * use) and its full-text index row, written together. Re-inspecting a clip replaces its
 * record and keeps its id, so thumbnails and links stay valid.
 */
import type { EventBus } from '../events/bus.ts';
import type { ClipRecord } from './types.ts';
import { parseClipQuery } from './query.ts';
import type { Db } from '../store/db.ts';

export interface ClipRow {
  id: number;
  location: string;
  clipName: string;
  roll?: string;
  offloadId?: string;
  status: ClipRecord['inspection']['status'];
  thumbnail?: string;
  inspectedAt: number;
  record: ClipRecord;
}

interface Raw {
  id: number;
  location: string;
  clip_name: string;
  roll: string | null;
  offload_id: string | null;
  status: ClipRow['status'];
  thumbnail: string | null;
  inspected_at: number;
  record: string;
}

const COLUMNS = 'id, location, clip_name, roll, offload_id, status, thumbnail, inspected_at, record';

function fromRaw(r: Raw): ClipRow {
  return {
    id: r.id,
    location: r.location,
    clipName: r.clip_name,
    roll: r.roll ?? undefined,
    offloadId: r.offload_id ?? undefined,
    status: r.status,
    thumbnail: r.thumbnail ?? undefined,
    inspectedAt: r.inspected_at,
    record: JSON.parse(r.record) as ClipRecord,
  };
}

/** Where a record lives: its roll folder and relative path (a sequence's pattern included). */
function clipLocation(rec: ClipRecord): string {
  return `${rec.source.root.replace(/\/+$/, '')}/${rec.source.relativePath}`;
}

/** The text each full-text column indexes. */
function ftsColumns(rec: ClipRecord): string[] {
  const j = (...xs: unknown[]) => xs.filter((x) => x !== undefined && x !== '').join(' ');
  const { camera: c, lens: l, colour: k, video: v } = rec;
  return [
    j(rec.clipName, rec.source.relativePath),
    j(rec.roll, rec.reel),
    j(rec.scene !== undefined ? `scene ${rec.scene}` : undefined, rec.take !== undefined ? `take ${rec.take}` : undefined),
    // A recorder (a VENICE's AXS-R7) is found by camera: too; its serial number is not a camera's.
    j(c.make, c.model, c.serialNumber, c.label, c.sensorMode, rec.recorder?.make, rec.recorder?.model),
    j(l.make, l.model, l.serialNumber, l.focalLength !== undefined ? `${l.focalLength}mm` : undefined),
    j(k.look, k.gamma, k.space),
    j(v.codec, v.profile, rec.container, rec.recordedAt?.slice(0, 10), rec.inspection.status),
  ];
}

export interface ClipEvent {
  topic: 'clip';
  seq?: number;
  at: number;
  clipId: number;
  type: 'clip.inspected';
  data: { clipName: string; roll?: string; status: ClipRecord['inspection']['status']; path: string };
}

declare module '../events/types.ts' {
  interface EventMap {
    clip: Omit<ClipEvent, 'topic' | 'seq' | 'at'>;
  }
}

export class ClipStore {
  private readonly db: Db;

  constructor(private readonly bus: EventBus) {
    this.db = bus.db;
  }

  /** Inserts or replaces a clip's record (by location) and says so in the event log; returns its id. */
  upsert(rec: ClipRecord): number {
    return this.bus.transaction(() => {
      const location = clipLocation(rec);
      const { id } = this.db
        .prepare(
          `INSERT INTO clips (location, root, clip_name, roll, offload_id, status, record, inspected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (location) DO UPDATE SET clip_name = excluded.clip_name, roll = excluded.roll, offload_id = excluded.offload_id,
             status = excluded.status, record = excluded.record, inspected_at = excluded.inspected_at
           RETURNING id`,
        )
        .get(location, rec.source.root, rec.clipName, rec.roll ?? null, rec.source.offloadId ?? null, rec.inspection.status, JSON.stringify(rec), Date.now()) as { id: number };
      this.db.prepare('DELETE FROM clips_fts WHERE rowid = ?').run(id);
      this.db.prepare('INSERT INTO clips_fts (rowid, clip, roll, slate, camera, lens, look, other) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(id, ...ftsColumns(rec));
      this.bus.append<'clip'>({ topic: 'clip', clipId: id, type: 'clip.inspected', data: { clipName: rec.clipName, roll: rec.roll, status: rec.inspection.status, path: rec.source.path } }, id);
      return id;
    });
  }

  get(id: number): ClipRow | undefined {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM clips WHERE id = ?`).get(id) as Raw | undefined;
    return r && fromRaw(r);
  }

  setThumbnail(id: number, path: string): void {
    this.db.prepare('UPDATE clips SET thumbnail = ? WHERE id = ?').run(path, id);
  }

  /** Every clip an offload brought in, by name. */
  ofOffload(offloadId: string): ClipRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM clips WHERE offload_id = ? ORDER BY clip_name, id`).all(offloadId) as Raw[]).map(fromRaw);
  }

  /** Clips matching a search (query.ts), by roll and clip name; every clip when `q` is empty. Throws USAGE on a bad query. */
  search(q = '', o: { limit?: number; offset?: number; roll?: string; offloadId?: string } = {}): { clips: ClipRow[]; total: number } {
    const parsed = parseClipQuery(q);
    const where = [...parsed.where];
    const params: (string | number)[] = [...parsed.params];
    if (parsed.match) {
      where.unshift('id IN (SELECT rowid FROM clips_fts WHERE clips_fts MATCH ?)');
      params.unshift(parsed.match);
    }
    if (o.roll) where.push('roll = ?'), params.push(o.roll);
    if (o.offloadId) where.push('offload_id = ?'), params.push(o.offloadId);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM clips ${clause}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM clips ${clause} ORDER BY roll, clip_name, id LIMIT ? OFFSET ?`)
      .all(...params, Math.min(o.limit ?? 100, 1000), o.offset ?? 0) as Raw[];
    return { clips: rows.map(fromRaw), total };
  }
}
