/**
 * Gathers what a report says from the engine's records: an offload's summary, the card it
 * copied (when card detection found it), its inspected clips with their poster frames, and
 * from each destination the ASC MHL generation written there (its number, C4 ID, and the
 * author and location it records) and the volume it is on.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { RushesError } from '../errors.ts';
import { hashBytes } from '../hash/index.ts';
import type { ClipRow as StoredClip } from '../inspect/clip-store.ts';
import { generationOfFileName, parseManifest } from '../mhl/index.ts';
import type { OffloadSummary } from '../offload/events.ts';
import type { OffloadRecord } from '../offload/store.ts';
import { TOOL } from '../version.ts';
import { buildReport, cardSection, type OffloadFacts, type Report } from './model.ts';

/** Where a report's facts come from (the engine passes its stores). */
export interface ReportSources {
  offload(id: string): OffloadRecord | undefined;
  summary(id: string): OffloadSummary | undefined;
  startedOn(day: string): OffloadRecord[];
  into(folder: string): OffloadRecord[];
  /** The card an offload copied, when detection queued it. */
  cardOf(offloadId: string): { camera?: string; label?: string; fingerprint?: string } | undefined;
  clipsOf(offloadId: string): StoredClip[];
  /** Makes what the report shows that is not there yet (clip records, poster frames). */
  prepare?(offloadId: string): Promise<void>;
}

/** What to report on: one offload, the latest offload into a destination roll folder, or a day. */
export type ReportTarget = { offloadId: string } | { folder: string } | { day: string };

export interface ReportOptions {
  production?: string;
}

/** The mount point a path is on, from the kernel's mount table (Linux); undefined elsewhere. */
function volumeOf(path: string): string | undefined {
  let mounts: string[];
  try {
    mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
      .filter((m): m is string => !!m);
  } catch {
    return undefined;
  }
  return mounts.filter((m) => path === m || path.startsWith(m.endsWith('/') ? m : `${m}/`)).sort((a, b) => b.length - a.length)[0];
}

/** The generation a destination got: its number, C4 ID, and what its creator recorded. */
async function manifestFacts(path: string | undefined): Promise<{ generation?: number; manifestC4?: string; author?: string; location?: string }> {
  if (!path) return {};
  const bytes = await readFile(path).catch(() => undefined);
  if (!bytes) return { generation: generationOfFileName(basename(path)) };
  const m = parseManifest(bytes, path);
  return { generation: generationOfFileName(basename(path)), manifestC4: await hashBytes('c4', bytes), author: m.creator.author?.name ?? m.creator.authors[0]?.name, location: m.creator.location };
}

async function offloadFacts(s: ReportSources, record: OffloadRecord): Promise<OffloadFacts & { author?: string; location?: string }> {
  const summary = s.summary(record.id);
  if (!summary) throw new RushesError('NOT_FOUND', `offload ${record.id} of ${record.source} has not finished; there is nothing to report yet`);
  const destinations = new Map<string, { volume?: string; manifestC4?: string; generation?: number }>();
  let author: string | undefined;
  let location: string | undefined;
  for (const d of summary.destinations) {
    const m = await manifestFacts(d.manifest);
    author ??= m.author;
    location ??= m.location;
    destinations.set(d.destination, { volume: volumeOf(d.destination), manifestC4: m.manifestC4, generation: m.generation });
  }
  const clips = s.clipsOf(record.id).map((c) => ({ record: c.record, poster: c.thumbnail }));
  return { summary, startedAt: record.startedAt, card: s.cardOf(record.id), clips, destinations, author, location };
}

function offloadsFor(s: ReportSources, target: ReportTarget): OffloadRecord[] {
  if ('offloadId' in target) {
    const o = s.offload(target.offloadId);
    if (!o) throw new RushesError('NOT_FOUND', `no offload ${target.offloadId}`);
    return [o];
  }
  if ('folder' in target) {
    const latest = s.into(resolve(target.folder))[0];
    if (!latest) throw new RushesError('NOT_FOUND', `no finished offload into ${resolve(target.folder)} in this store`, { path: target.folder });
    return [latest];
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(target.day)) throw new RushesError('USAGE', `a day is YYYY-MM-DD (got "${target.day}")`);
  const day = s.startedOn(target.day);
  if (day.length === 0) throw new RushesError('NOT_FOUND', `no finished offload on ${target.day}`);
  return day;
}

export async function gatherReport(s: ReportSources, target: ReportTarget, o: ReportOptions = {}): Promise<Report> {
  const facts = [];
  for (const record of offloadsFor(s, target)) {
    await s.prepare?.(record.id);
    facts.push(await offloadFacts(s, record));
  }
  const first = facts[0]!;
  const day = 'day' in target ? target.day : first.startedAt.slice(0, 10);
  const title = 'day' in target ? `Day report ${day}` : `Offload report — roll ${first.summary.roll}`;
  return buildReport(
    { title, production: o.production, day, author: facts.find((f) => f.author)?.author, location: facts.find((f) => f.location)?.location, createdAt: new Date().toISOString(), tool: `${TOOL.name} ${TOOL.version}` },
    facts.map(cardSection),
  );
}
