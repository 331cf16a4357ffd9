/**
 * What an offload report says, as data: built (pure) from the records the engine keeps —
 * the offload's summary, its card, its clips — and rendered by pdf.ts, html.ts and csv.ts.
 * A day report is the same with every card of the day and their totals.
 */
import type { ClipRecord } from '../inspect/types.ts';
import type { DestinationSummary, FailureReport, OffloadSummary } from '../offload/events.ts';

export interface ReportHeader {
  title: string;
  production?: string;
  /** YYYY-MM-DD, the shooting day. */
  day: string;
  author?: string;
  location?: string;
  createdAt: string;
  tool: string;
}

export interface CardFacts {
  camera?: string;
  roll: string;
  label?: string;
  fingerprint?: string;
  source: string;
  files: number;
  bytes: number;
}

export interface DestinationRow {
  path: string;
  /** The volume the destination is on (its mount point). */
  volume?: string;
  verified: boolean;
  /** How: "read back from the device", "read back through the cache", "sizes only", "not checked". */
  how: string;
  files: number;
  failedFiles: number;
  durationSeconds: number;
  /** Megabytes (10^6) per second over the offload. */
  mbPerSecond: number;
  manifest?: string;
  generation?: number;
  /** C4 ID of the manifest written (what the chain records). */
  manifestC4?: string;
}

export interface ClipRow {
  name: string;
  poster?: string;
  timecodeStart?: string;
  timecodeEnd?: string;
  durationFrames?: number;
  /** Frames per second, rounded to 3 decimals. */
  fps?: number;
  resolution?: string;
  codec?: string;
  iso?: number;
  whiteBalance?: number;
  lens?: string;
  scene?: string;
  take?: string;
  xxh64?: string;
  status: string;
}

export interface CardSection {
  offloadId: string;
  status: OffloadSummary['status'];
  startedAt: string;
  card: CardFacts;
  destinations: DestinationRow[];
  clips: ClipRow[];
  /** Every failure or warning, in plain words. */
  problems: string[];
}

export interface Report {
  header: ReportHeader;
  cards: CardSection[];
  totals: { cards: number; files: number; bytes: number; clips: number; verifiedCopies: number; copies: number; problems: number };
}

/** What one offload's section is built from. */
export interface OffloadFacts {
  summary: OffloadSummary;
  startedAt: string;
  card?: { camera?: string; label?: string; fingerprint?: string };
  clips: { record: ClipRecord; poster?: string }[];
  destinations: Map<string, { volume?: string; manifestC4?: string; generation?: number }>;
}

function how(d: DestinationSummary): string {
  if (d.checkKinds.includes('full-direct')) return 'read back from the device';
  if (d.checkKinds.includes('full-cached')) return 'read back (filesystem without direct reads)';
  if (d.checkKinds.includes('size')) return 'sizes checked only';
  return 'not checked';
}

const fpsOf = (r?: { num: number; denom: number }) => (r ? Math.round((r.num / r.denom) * 1000) / 1000 : undefined);

export function clipRow(record: ClipRecord, poster?: string): ClipRow {
  const firstFile = Object.values(record.source.hashes ?? {})[0];
  const lens = [record.lens.make, record.lens.model].filter(Boolean).join(' ') || undefined;
  const focal = record.lens.focalLength ?? record.lens.nominalFocalLength;
  return {
    name: record.clipName,
    poster,
    timecodeStart: record.timecode?.start,
    timecodeEnd: record.timecode?.end,
    durationFrames: record.durationFrames,
    fps: fpsOf(record.projectFrameRate),
    resolution: record.video.width && record.video.height ? `${record.video.width}x${record.video.height}` : undefined,
    codec: [record.video.codec, record.video.profile].filter(Boolean).join(' ') || undefined,
    iso: record.camera.isoSpeed,
    whiteBalance: record.camera.whiteBalance,
    lens: lens ?? (focal ? `${focal} mm` : undefined),
    scene: record.scene,
    take: record.take,
    // A clip of several files (a sequence) has no one xxh64; a clip file has its own.
    xxh64: record.source.files === 1 ? firstFile?.xxh64 : undefined,
    status: record.inspection.status,
  };
}

function problemText(f: FailureReport): string {
  return `${f.code}: ${f.message}`;
}

export function cardSection(f: OffloadFacts): CardSection {
  const s = f.summary;
  const seconds = s.durationMs / 1000;
  const problems = s.failures.map(problemText);
  const more = (s as { moreFailures?: number }).moreFailures;
  if (more) problems.push(`… and ${more} more problems (see the offload's record)`);
  for (const c of f.clips) for (const i of c.record.inspection.issues) problems.push(`${c.record.clipName}: ${i.code}: ${i.message}`);
  return {
    offloadId: s.offloadId,
    status: s.status,
    startedAt: f.startedAt,
    card: { camera: f.card?.camera, roll: s.roll, label: f.card?.label, fingerprint: f.card?.fingerprint, source: s.source, files: s.files, bytes: s.bytes },
    destinations: s.destinations.map((d) => {
      const extra = f.destinations.get(d.destination) ?? {};
      return {
        path: d.destination,
        volume: extra.volume,
        verified: d.complete && d.checkKinds.length > 0 && d.checkKinds.every((k) => k.startsWith('full')),
        how: how(d),
        files: d.verifiedFiles,
        failedFiles: d.failedFiles,
        durationSeconds: Math.round(seconds * 10) / 10,
        mbPerSecond: seconds > 0 ? Math.round(s.bytes / 1e6 / seconds) : 0,
        manifest: d.manifest,
        generation: extra.generation,
        manifestC4: extra.manifestC4,
      };
    }),
    clips: f.clips.map((c) => clipRow(c.record, c.poster)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    problems,
  };
}

export function buildReport(header: ReportHeader, sections: CardSection[]): Report {
  const copies = sections.flatMap((s) => s.destinations);
  return {
    header,
    cards: sections,
    totals: {
      cards: sections.length,
      files: sections.reduce((n, s) => n + s.card.files, 0),
      bytes: sections.reduce((n, s) => n + s.card.bytes, 0),
      clips: sections.reduce((n, s) => n + s.clips.length, 0),
      verifiedCopies: copies.filter((d) => d.verified).length,
      copies: copies.length,
      problems: sections.reduce((n, s) => n + s.problems.length, 0),
    },
  };
}
