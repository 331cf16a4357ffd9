/**
 * Cloud sync in the engine: the `sync` job's wiring (the config's named endpoints, one
 * bandwidth limit for every upload, the layout's values from the card, the offload or the
 * clip), and the card's cloud state, derived from its sync jobs rather than stored.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { RushesError } from '../errors.ts';
import type { ClipStore } from '../inspect/clip-store.ts';
import type { OffloadStore } from '../offload/store.ts';
import { isJobOf, jobSpec, type Job, type JobQueue, type JobSpec } from '../queue/index.ts';
import type { Db } from '../store/db.ts';
import type { S3Endpoint } from '../sync/client.ts';
import type { KeyFields, SyncDeps, SyncPayload } from '../sync/job.ts';
import { checkKeyLayout, DEFAULT_KEY_LAYOUT } from '../sync/layout.ts';
import { SYNC_PARTS, SYNC_PRIORITY, type SyncPart } from '../sync/names.ts';
import { Bandwidth, parseLimit, type BandwidthSchedule } from '../sync/throttle.ts';
import { parseS3Uri } from '../sync/target.ts';
import type { WorkflowSettings } from '../workflow/standard-rules.ts';
import type { Card, CardStore } from '../watch/card-store.ts';

export interface SyncConfig {
  /** `s3://bucket/prefix/` the rolls go under. */
  to: string;
  /** The name of the endpoint in `endpoints` (default "default", or AWS from the environment when none is configured). */
  endpoint?: string;
  endpoints?: Record<string, S3Endpoint>;
  /** Key template below the prefix, ending in {path} (default {project}/{date}/{roll}/{path}). */
  layout?: string;
  /** What goes up after each card (default metadata and outputs; originals too when the link allows). */
  include?: SyncPart[];
  /** Upload speed outside the windows of `bwschedule` ("20M", "512k", "off"); default full speed. */
  bwlimit?: string;
  /** Day/time windows with their own rate ("full speed 20:00–06:00"). */
  bwschedule?: { from: string; to: string; limit: string; days?: Day[] }[];
  project?: string;
}

export type CloudState = 'queued' | 'uploading' | 'synced' | 'failed';

/** A card's cloud copy, from the state of its sync jobs: failed if any failed, uploading while any runs, synced when all are done. */
export function cloudStateOf(jobs: readonly Job[]): CloudState | undefined {
  if (jobs.length === 0) return undefined;
  if (jobs.some((j) => j.state === 'dead' || j.state === 'cancelled')) return 'failed';
  if (jobs.every((j) => j.state === 'succeeded')) return 'synced';
  return jobs.some((j) => j.state === 'running') ? 'uploading' : 'queued';
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];

export function bandwidthOf(c: SyncConfig | undefined): Bandwidth {
  const windows = (c?.bwschedule ?? []).map((w) => ({ from: w.from, to: w.to, limit: parseLimit(w.limit), days: w.days?.map((d) => DAYS.indexOf(d)) }));
  const schedule: BandwidthSchedule = { limit: parseLimit(c?.bwlimit ?? 'off'), windows };
  return new Bandwidth(schedule);
}

export function syncDeps(d: { db: Db; home: string; offloads: OffloadStore; clips: ClipStore; cards: CardStore; queue: JobQueue; config?: SyncConfig; bandwidth: Bandwidth; cardOf(offloadId: string): Card | undefined }): SyncDeps {
  const endpoints = d.config?.endpoints ?? {};
  const cardFields = (card: Card): Omit<KeyFields, 'project'> => ({ date: new Date(card.detectedAt), identity: { camera: card.camera ?? 'generic', roll: card.roll ?? 'unknown-roll', volumeLabel: card.label } });
  return {
    db: d.db,
    offloads: d.offloads,
    clips: d.clips,
    queue: d.queue,
    bandwidth: d.bandwidth,
    scratch: join(d.home, 'sync-staging'),
    endpoint(name) {
      const e = endpoints[name];
      if (e) return e;
      // No endpoints configured: "default" is AWS (or whatever the standard chain's environment says).
      if (name === 'default' && Object.keys(endpoints).length === 0) return {};
      throw new RushesError('USAGE', `no sync endpoint "${name}" in the config (it has: ${Object.keys(endpoints).join(', ') || 'none'})`);
    },
    cardIdOf: (p) => p.cardId ?? (p.offloadId ? d.cardOf(p.offloadId)?.id : undefined),
    keyFields(p: SyncPayload): KeyFields {
      const project = d.config?.project ?? '';
      const card = p.cardId !== undefined ? d.cards.get(p.cardId) : p.offloadId ? d.cardOf(p.offloadId) : undefined;
      if (card) return { project, ...cardFields(card) };
      const started = p.offloadId ? d.offloads.get(p.offloadId)?.startedAt : undefined;
      return { project, date: started ? new Date(started) : new Date(), identity: { camera: 'generic', roll: p.roll } };
    },
  };
}


/** What the config's `sync` section puts in the workflow rules, with its defaults; checked here so a bad section fails at start. */
export function syncSettings(c: SyncConfig | undefined): WorkflowSettings['sync'] {
  if (!c) return undefined;
  parseS3Uri(c.to);
  const layout = c.layout ?? DEFAULT_KEY_LAYOUT;
  checkKeyLayout(layout);
  const endpoint = c.endpoint ?? 'default';
  const named = Object.keys(c.endpoints ?? {});
  if (named.length > 0 && !named.includes(endpoint)) throw new RushesError('USAGE', `no endpoint "${endpoint}" in "endpoints" (it has: ${named.join(', ')}); name one with "endpoint"`);
  return { to: c.to, endpoint, layout, include: c.include ?? ['metadata', 'outputs'] };
}

/** A sync asked for by hand: one roll folder (or a card's first destination) to a bucket. */
export interface SyncRequest {
  /** A verified local roll folder; or give `cardId`. */
  path?: string;
  cardId?: number;
  /** `s3://bucket/prefix/`; default the config's. */
  to?: string;
  /** A configured endpoint's name, or a store's URL and kind (credentials from the standard AWS chain, never in a request). */
  endpoint?: string | Omit<S3Endpoint, 'credentials'>;
  /** Default all three: metadata, outputs (when renders of the roll are known), originals. */
  include?: SyncPart[];
  layout?: string;
  /** The roll's name in the layout; default the card's roll or the folder's name. */
  roll?: string;
}

export interface SyncPlanParts {
  queue: JobQueue;
  cards: CardStore;
  offloads: OffloadStore;
  config?: SyncConfig;
  cardOf(offloadId: string): Card | undefined;
}

/** The jobs of a sync by hand, one per part, checked against the disk and the config before anything is queued. */
export async function planSync(p: SyncPlanParts, req: SyncRequest): Promise<JobSpec[]> {
  const to = req.to ?? p.config?.to;
  if (!to) throw new RushesError('USAGE', 'say where to sync to (s3://bucket/prefix/), or configure a "sync" section');
  parseS3Uri(to);
  const layout = req.layout ?? p.config?.layout ?? DEFAULT_KEY_LAYOUT;
  checkKeyLayout(layout);
  const endpoint = req.endpoint ?? p.config?.endpoint ?? 'default';
  if (typeof endpoint === 'object' && 'credentials' in endpoint) throw new RushesError('USAGE', 'a sync request never carries credentials: name a configured endpoint, or use the standard AWS chain (environment, profile)');
  if (typeof endpoint === 'string' && p.config?.endpoints && !p.config.endpoints[endpoint]) throw new RushesError('USAGE', `no sync endpoint "${endpoint}" in the config (it has: ${Object.keys(p.config.endpoints).join(', ')})`);

  let where: { rollFolder: string; roll: string; cardId?: number; offloadId?: string };
  if (req.cardId !== undefined && req.path !== undefined) throw new RushesError('USAGE', 'name a roll folder or a card to sync, not both');
  if (req.cardId !== undefined) {
    const card = p.cards.get(req.cardId);
    if (!card) throw new RushesError('NOT_FOUND', `no card ${req.cardId}`);
    const job = card.jobId === undefined ? undefined : p.queue.get(card.jobId);
    const offloadId = job && isJobOf(job, 'offload') ? job.result?.offloadId : undefined;
    if (!offloadId || card.targets.length === 0) throw new RushesError('WRONG_STATE', `card ${card.id} has no finished offload to sync`);
    where = { rollFolder: card.targets[0]!, roll: req.roll ?? card.roll ?? basename(card.targets[0]!), cardId: card.id, offloadId };
  } else if (req.path !== undefined) {
    const rollFolder = resolve(req.path);
    const st = await stat(rollFolder).catch((e: NodeJS.ErrnoException) => {
      throw new RushesError(e.code === 'ENOENT' ? 'NOT_FOUND' : 'SOURCE_UNREADABLE', `cannot sync ${rollFolder}: ${e.code === 'ENOENT' ? 'no such folder' : e.message}`, { path: rollFolder });
    });
    if (!st.isDirectory()) throw new RushesError('USAGE', `${rollFolder} is not a folder; sync a roll folder (a verified copy)`, { path: rollFolder });
    const offloadId = p.offloads.into(rollFolder)[0]?.id;
    const card = offloadId ? p.cardOf(offloadId) : undefined;
    where = { rollFolder, roll: req.roll ?? card?.roll ?? basename(rollFolder), cardId: card?.id, offloadId };
  } else throw new RushesError('USAGE', 'name a roll folder or a card to sync');

  const include = req.include ?? [...SYNC_PARTS];
  const specs: JobSpec[] = [];
  const base = { to, endpoint, layout, ...where };
  for (const part of SYNC_PARTS.filter((x) => include.includes(x))) {
    if (part === 'outputs') {
      const outputs = renderOutputsOf(p.queue, where.offloadId);
      if (outputs.length > 0) specs.push(jobSpec('sync', { part, ...base, outputs }, { priority: SYNC_PRIORITY[part], maxAttempts: 3 }));
    } else specs.push(jobSpec('sync', { part, ...base }, { priority: SYNC_PRIORITY[part], maxAttempts: 3 }));
  }
  return specs;
}

/** What the renders of an offload's clips made, where it is still on disk. */
function renderOutputsOf(queue: JobQueue, offloadId: string | undefined): string[] {
  if (!offloadId) return [];
  const renders = queue.list({ kind: 'render', state: 'succeeded', payload: { field: 'offloadId', equals: offloadId }, limit: 10_000 });
  return [...new Set(renders.flatMap((j) => (isJobOf(j, 'render') ? (j.result?.outputs ?? []).map((o) => o.path) : [])))].filter((f) => existsSync(f));
}
