/**
 * Sync records that live only as long as the process: for a function in a cloud container,
 * which has no SQLite store (the worker image carries no native modules) and, being
 * stateless, nothing to resume after it ends. The same contract as SyncStore.
 */
import type { ObjectPlace, PartRecord, SyncedObject, SyncRecords, UploadRecord } from './store.ts';

const placeKey = (at: ObjectPlace) => `${at.endpoint}\n${at.bucket}\n${at.key}`;

export class MemorySyncRecords implements SyncRecords {
  private readonly uploads = new Map<number, UploadRecord>();
  private readonly partsOf = new Map<number, Map<number, PartRecord>>();
  private readonly objects = new Map<string, SyncedObject>();
  private nextId = 1;

  openUpload(at: ObjectPlace): UploadRecord | undefined {
    return [...this.uploads.values()].find((u) => u.state === 'open' && placeKey(u) === placeKey(at));
  }

  openUploads(before: number = Number.MAX_SAFE_INTEGER, where?: { endpoint: string; bucket: string }): UploadRecord[] {
    return [...this.uploads.values()]
      .filter((u) => u.state === 'open' && u.updatedAt < before && (!where || (u.endpoint === where.endpoint && u.bucket === where.bucket)))
      .sort((a, b) => a.updatedAt - b.updatedAt);
  }

  startUpload(u: Omit<UploadRecord, 'id' | 'state' | 'createdAt' | 'updatedAt'>): UploadRecord {
    const now = Date.now();
    const record: UploadRecord = { ...u, id: this.nextId++, state: 'open', createdAt: now, updatedAt: now };
    this.uploads.set(record.id, record);
    return record;
  }

  parts(upload: number): PartRecord[] {
    return [...(this.partsOf.get(upload)?.values() ?? [])].sort((a, b) => a.partNumber - b.partNumber);
  }

  partDone(upload: number, p: PartRecord): void {
    const parts = this.partsOf.get(upload) ?? new Map<number, PartRecord>();
    this.partsOf.set(upload, parts.set(p.partNumber, p));
    const u = this.uploads.get(upload);
    if (u) u.updatedAt = Date.now();
  }

  endUpload(upload: number, state: 'completed' | 'aborted'): void {
    const u = this.uploads.get(upload);
    if (u) Object.assign(u, { state, updatedAt: Date.now() });
    this.partsOf.delete(upload);
  }

  objectSynced(o: Omit<SyncedObject, 'syncedAt'>): void {
    this.objects.set(placeKey(o), { ...o, syncedAt: Date.now() });
  }

  syncedObject(at: ObjectPlace): SyncedObject | undefined {
    return this.objects.get(placeKey(at));
  }

  forgetObject(at: ObjectPlace): void {
    this.objects.delete(placeKey(at));
  }
}
