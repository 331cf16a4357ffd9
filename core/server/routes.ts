/**
 * The API's routes: each matches a path, lists its methods, and turns a request into a call
 * on the engine's typed API — the one the command line and the desktop shell use too. Here
 * only what HTTP adds: bodies validated against the JSON Schemas in schemas/, query
 * parameters, statuses, and the event stream as server-sent events.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EngineApi } from '../engine/api.ts';
import type { RenderApiRequest } from '../render/job.ts';
import type { OffloadRequest } from '../offload/job.ts';
import { JOB_STATES } from '../queue/index.ts';
import { compileSchema, describeErrors } from '../util/schema.ts';
import { HttpError, parseJson, readBody, readJson, sendJson } from './http.ts';
import { CARD_STATES } from '../watch/card-store.ts';
import { TOPICS, type BusEvent, type Topic } from '../events/types.ts';
import { isRushesError } from '../errors.ts';
import { streamEvents } from './sse.ts';
import { hasToken } from './auth.ts';
import type { Sessions } from './sessions.ts';
import type { ClipRow } from '../inspect/clip-store.ts';
import { REPORT_FORMATS } from '../report/render.ts';
import { isAbsolute } from 'node:path';
import { isUri } from '../runtime/storage.ts';
import type { SyncRequest } from '../engine/sync.ts';
import type { BandwidthSchedule } from '../sync/index.ts';

export interface RouteContext {
  api: EngineApi;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  maxBodyBytes: number;
  /** How to end each open event stream (at shutdown). */
  streams: Set<() => void>;
  sessions: Sessions;
  /** The API token, when one is required. */
  token?: string;
}

type Handler = (c: RouteContext) => Promise<void> | void;

export interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
  /** Reachable without the token (health checks from a load balancer or systemd). */
  open?: boolean;
}

const validateOffload = compileSchema<OffloadRequest>('offload-request.schema.json');

/** The numeric id in the path (jobs, cards, clips). */
function idParam(c: RouteContext, what: string): number {
  const id = Number(c.params[0]);
  if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(400, 'BAD_ID', `"${c.params[0]}" is not a ${what} id`);
  return id;
}

function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const v = url.searchParams.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, 'BAD_QUERY', `${name} must be a whole number from ${min} to ${max} (got "${v}")`);
  return n;
}

function knownParams(url: URL, names: string[]): void {
  for (const k of url.searchParams.keys()) {
    if (!names.includes(k)) throw new HttpError(400, 'BAD_QUERY', `unknown query parameter "${k}"; known: ${names.join(', ') || 'none'}`);
  }
}

function oneOfParam<T extends string>(url: URL, name: string, allowed: readonly T[]): T | undefined {
  const v = url.searchParams.get(name) ?? undefined;
  if (v !== undefined && !(allowed as readonly string[]).includes(v)) throw new HttpError(400, 'BAD_QUERY', `${name} must be one of ${allowed.join(', ')}`);
  return v as T | undefined;
}

/**
 * Paths in a request name places on the daemon's machine; a relative one would be resolved
 * against whatever folder the daemon was started in, so it is refused rather than guessed.
 */
function requireAbsolute(fields: Record<string, string | readonly string[] | undefined>): void {
  for (const [name, value] of Object.entries(fields)) {
    for (const p of typeof value === 'string' ? [value] : (value ?? [])) {
      if (!isAbsolute(p)) throw new HttpError(400, 'RELATIVE_PATH', `${name} must be an absolute path on the daemon's machine (got "${p}")`, p);
    }
  }
}

async function postOffload(c: RouteContext): Promise<void> {
  const body = await readJson(c.req, c.maxBodyBytes);
  if (!validateOffload(body)) throw new HttpError(400, 'INVALID_REQUEST', `invalid offload request: ${describeErrors(validateOffload.errors)}`);
  requireAbsolute({ source: body.source, destinations: body.destinations });
  const { job, created } = await c.api.offloads.submit(body);
  sendJson(c.res, created ? 202 : 200, { job, created }, { location: `/api/jobs/${job.id}` });
}

const validateRender = compileSchema<RenderApiRequest>('render-request.schema.json');

async function postRender(c: RouteContext): Promise<void> {
  const body = await readJson(c.req, c.maxBodyBytes);
  if (!validateRender(body)) throw new HttpError(400, 'INVALID_REQUEST', `invalid render request: ${describeErrors(validateRender.errors)}`);
  requireAbsolute({ path: body.path, out: isUri(body.out) ? undefined : body.out, fdl: body.fdl, cdl: body.cdl, lut: body.lut, amf: body.amf });
  const { renders } = await c.api.renders.submit(body);
  // One clip asked for by id answers with its job; many (clipIds, a folder) with each one's.
  if (renders.length === 1 && !body.clipIds) {
    const { job, clipId, warnings } = renders[0]!;
    return sendJson(c.res, 202, { job, clipId, warnings }, { location: `/api/jobs/${job.id}` });
  }
  sendJson(c.res, 202, { renders });
}

function listJobs(c: RouteContext): void {
  knownParams(c.url, ['state', 'kind', 'limit', 'before']);
  const jobs = c.api.jobs.list({
    state: oneOfParam(c.url, 'state', JOB_STATES),
    kind: c.url.searchParams.get('kind') ?? undefined,
    limit: intParam(c.url, 'limit', 1, 1000) ?? 100,
    beforeId: intParam(c.url, 'before', 1, Number.MAX_SAFE_INTEGER),
  });
  sendJson(c.res, 200, { jobs });
}

const showJob = (c: RouteContext) => sendJson(c.res, 200, c.api.jobs.show(idParam(c, 'job')));
const retryJob = (c: RouteContext) => sendJson(c.res, 200, { job: c.api.jobs.retry(idParam(c, 'job')) });
const cancelJob = (c: RouteContext) => sendJson(c.res, 202, { job: c.api.jobs.cancel(idParam(c, 'job')) });

/** Where a stream starts: after `Last-Event-ID`, else `?after=`, else now. */
function streamStart(c: RouteContext, now: number): number {
  const header = c.req.headers['last-event-id'];
  const fromHeader = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
  return fromHeader ?? intParam(c.url, 'after', 0, Number.MAX_SAFE_INTEGER) ?? now;
}

/** `topics=job,card`: the topics a stream carries (default all). */
function topicsParam(url: URL): Topic[] | undefined {
  const v = url.searchParams.get('topics');
  if (v === null || v === '') return undefined;
  const topics = v.split(',').map((t) => t.trim());
  const bad = topics.find((t) => !(TOPICS as readonly string[]).includes(t));
  if (bad !== undefined) throw new HttpError(400, 'BAD_QUERY', `unknown topic "${bad}"; known: ${TOPICS.join(', ')}`);
  return topics as Topic[];
}

/** The one event stream: every topic, or those asked for, optionally of one job or one card. */
function events(c: RouteContext): void {
  knownParams(c.url, ['after', 'topics', 'job', 'card']);
  const job = intParam(c.url, 'job', 1, Number.MAX_SAFE_INTEGER);
  const card = intParam(c.url, 'card', 1, Number.MAX_SAFE_INTEGER);
  const topics = job !== undefined ? ['job' as Topic] : card !== undefined ? ['card' as Topic] : topicsParam(c.url);
  const subject = job ?? card;
  const wanted = (e: BusEvent) =>
    (topics === undefined || topics.includes(e.topic)) && (job === undefined || (e.topic === 'job' && e.jobId === job)) && (card === undefined || (e.topic === 'card' && e.cardId === card));
  const log = { subscribe: c.api.events.subscribe, replay: (afterSeq: number, limit: number) => c.api.events.replay({ afterSeq, topics, subject, limit }) };
  streamEvents(c.req, c.res, log, { after: streamStart(c, c.api.events.lastSeq()), wanted }, c.streams);
}

// ---- cards ------------------------------------------------------------------------------

function listCards(c: RouteContext): void {
  knownParams(c.url, ['state', 'limit', 'before']);
  const list = c.api.cards.list({ state: oneOfParam(c.url, 'state', CARD_STATES), limit: intParam(c.url, 'limit', 1, 1000) ?? 100, beforeId: intParam(c.url, 'before', 1, Number.MAX_SAFE_INTEGER) });
  sendJson(c.res, 200, list);
}

const showCard = (c: RouteContext) => sendJson(c.res, 200, c.api.cards.show(idParam(c, 'card')));

const validateCardOffload = compileSchema<{ force?: boolean; roll?: string }>('card-offload-request.schema.json');

async function offloadCard(c: RouteContext): Promise<void> {
  const id = idParam(c, 'card');
  const text = await readBody(c.req, c.maxBodyBytes);
  const body = text.trim() === '' ? {} : parseJson(text);
  if (!validateCardOffload(body)) throw new HttpError(400, 'INVALID_REQUEST', `invalid card offload request: ${describeErrors(validateCardOffload.errors)}`);
  sendJson(c.res, 202, await c.api.cards.startOffload(id, body));
}

async function ejectCard(c: RouteContext): Promise<void> {
  const id = idParam(c, 'card');
  await readBody(c.req, c.maxBodyBytes);
  sendJson(c.res, 200, await c.api.cards.eject(id));
}

const health = (c: RouteContext) => sendJson(c.res, 200, c.api.health());

// ---- volumes, folders and the config (the UI's folder browser and Settings) ----------------

/** `?path=`: a place on the daemon's machine, absolute. */
function pathParam(c: RouteContext): string {
  knownParams(c.url, ['path']);
  const path = c.url.searchParams.get('path');
  if (!path) throw new HttpError(400, 'BAD_QUERY', 'path is required: an absolute path on the daemon\'s machine');
  requireAbsolute({ path });
  return path;
}

const listVolumes = async (c: RouteContext) => sendJson(c.res, 200, await c.api.volumes.list());
const listFolders = async (c: RouteContext) => sendJson(c.res, 200, await c.api.volumes.folders(pathParam(c)));
const volumeSpace = async (c: RouteContext) => sendJson(c.res, 200, await c.api.volumes.space(pathParam(c)));
const folderUsage = async (c: RouteContext) => sendJson(c.res, 200, await c.api.volumes.usage(pathParam(c)));
const readConfig = (c: RouteContext) => sendJson(c.res, 200, c.api.config.read());

async function saveConfig(c: RouteContext): Promise<void> {
  const body = await readJson(c.req, c.maxBodyBytes);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'INVALID_REQUEST', 'the config must be a JSON object');
  sendJson(c.res, 200, await c.api.config.save(body));
}

/** A browser trades the token (as a bearer) for a session cookie, once; without a token configured, any local page gets one. */
function openSession(c: RouteContext): void {
  if (c.token && !hasToken(c.req, c.token)) throw new HttpError(401, 'UNAUTHORIZED', 'a session needs "Authorization: Bearer <token>"', undefined, { 'www-authenticate': 'Bearer' });
  const { cookie } = c.sessions.open();
  sendJson(c.res, 201, { session: 'open' }, { 'set-cookie': cookie });
}

const closeSession = (c: RouteContext) => sendJson(c.res, 200, { session: 'closed' }, { 'set-cookie': c.sessions.close(c.req) });

// ---- clips ------------------------------------------------------------------------------

const thumbnailUrl = (row: ClipRow) => (row.thumbnail ? `/api/clips/${row.id}/thumbnail` : undefined);

/** A clip without its raw tool output and per-file hashes (a 10,000-frame sequence has 10,000): those are in GET /api/clips/:id. */
function clipSummary(row: ClipRow): unknown {
  const { raw: _raw, source, ...rest } = row.record;
  const { hashes: _hashes, ...where } = source;
  return { id: row.id, status: row.status, thumbnail: thumbnailUrl(row), record: { ...rest, source: where } };
}

function listClips(c: RouteContext): void {
  knownParams(c.url, ['q', 'roll', 'offload', 'limit', 'offset']);
  try {
    const { clips, total } = c.api.clips.search(c.url.searchParams.get('q') ?? '', {
      roll: c.url.searchParams.get('roll') ?? undefined,
      offloadId: c.url.searchParams.get('offload') ?? undefined,
      limit: intParam(c.url, 'limit', 1, 1000) ?? 100,
      offset: intParam(c.url, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0,
    });
    sendJson(c.res, 200, { total, clips: clips.map(clipSummary) });
  } catch (e) {
    if (isRushesError(e) && e.code === 'USAGE') throw new HttpError(400, 'BAD_QUERY', e.message);
    throw e;
  }
}

function showClip(c: RouteContext): void {
  const row = c.api.clips.show(idParam(c, 'clip'));
  sendJson(c.res, 200, { id: row.id, status: row.status, thumbnail: thumbnailUrl(row), record: row.record });
}

async function clipThumbnail(c: RouteContext): Promise<void> {
  const image = await c.api.clips.thumbnail(idParam(c, 'clip'));
  c.res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': image.length, 'cache-control': 'no-cache' });
  c.res.end(image);
}

/** `GET /api/reports?offload=ID|card=ID|folder=PATH|day=YYYY-MM-DD&format=pdf|html|csv|json&paper=a4|letter`. */
async function report(c: RouteContext): Promise<void> {
  knownParams(c.url, ['offload', 'card', 'folder', 'day', 'format', 'paper', 'production']);
  const q = c.url.searchParams;
  const offload = q.get('offload');
  const folder = q.get('folder');
  const day = q.get('day');
  const card = intParam(c.url, 'card', 1, Number.MAX_SAFE_INTEGER);
  const targets = [offload !== null, folder !== null, day !== null, card !== undefined].filter(Boolean).length;
  if (targets !== 1) throw new HttpError(400, 'BAD_QUERY', 'name exactly one of offload, card, folder or day');
  if (folder !== null) requireAbsolute({ folder });
  const target = offload !== null ? { offloadId: offload } : folder !== null ? { folder } : day !== null ? { day } : { cardId: card! };
  const r = await c.api.reports.make(target, { format: oneOfParam(c.url, 'format', REPORT_FORMATS), paper: oneOfParam(c.url, 'paper', ['a4', 'letter'] as const), production: q.get('production') ?? undefined });
  c.res.writeHead(200, { 'content-type': r.contentType, 'content-length': r.body.length, 'content-disposition': `attachment; filename="${r.fileName}"`, 'cache-control': 'no-store' });
  c.res.end(r.body);
}

const validateSync = compileSchema<SyncRequest>('sync-request.schema.json');

/** `GET /api/syncs?card=ID&state=S&limit=N`: sync jobs, newest first. */
function listSyncs(c: RouteContext): void {
  knownParams(c.url, ['card', 'state', 'limit']);
  const jobs = c.api.syncs.list({ cardId: intParam(c.url, 'card', 1, Number.MAX_SAFE_INTEGER), state: oneOfParam(c.url, 'state', JOB_STATES), limit: intParam(c.url, 'limit', 1, 1000) ?? 100 });
  sendJson(c.res, 200, { jobs });
}

async function postSync(c: RouteContext): Promise<void> {
  const body = await readJson(c.req, c.maxBodyBytes);
  if (!validateSync(body)) throw new HttpError(400, 'INVALID_REQUEST', `invalid sync request: ${describeErrors(validateSync.errors)}`);
  requireAbsolute({ path: body.path });
  const { jobs, created } = await c.api.syncs.submit(body);
  sendJson(c.res, created.some(Boolean) ? 202 : 200, { jobs, created });
}

/** `PUT /api/syncs/bandwidth` with `{"limit": "20M" | "off" | bytes | null, "windows": [...]}`: applies to uploads under way within a quarter second. */
async function putBandwidth(c: RouteContext): Promise<void> {
  const body = (await readJson(c.req, c.maxBodyBytes)) as { limit?: unknown; windows?: unknown };
  if (typeof body !== 'object' || body === null || !('limit' in body)) throw new HttpError(400, 'INVALID_REQUEST', 'give {"limit": "20M" | "off" | bytes per second | null}, and optionally "windows"');
  const { limit, windows } = body;
  try {
    const set = typeof limit === 'string' && windows === undefined ? limit : ({ limit: typeof limit === 'string' ? null : limit, windows } as BandwidthSchedule);
    if (typeof limit === 'string' && windows !== undefined) throw new HttpError(400, 'INVALID_REQUEST', 'with "windows", give "limit" in bytes per second (or null)');
    sendJson(c.res, 200, c.api.syncs.bandwidth(set));
  } catch (e) {
    if (isRushesError(e) && e.code === 'USAGE') throw new HttpError(400, 'INVALID_REQUEST', e.message);
    throw e;
  }
}

export const ROUTES: Route[] = [
  { pattern: /^\/api\/health$/, methods: { GET: health }, open: true },
  { pattern: /^\/api\/session$/, methods: { POST: openSession, DELETE: closeSession }, open: true },
  { pattern: /^\/api\/offloads$/, methods: { POST: postOffload } },
  { pattern: /^\/api\/renders$/, methods: { POST: postRender } },
  { pattern: /^\/api\/jobs$/, methods: { GET: listJobs } },
  { pattern: /^\/api\/jobs\/([^/]+)$/, methods: { GET: showJob } },
  { pattern: /^\/api\/jobs\/([^/]+)\/retry$/, methods: { POST: retryJob } },
  { pattern: /^\/api\/jobs\/([^/]+)\/cancel$/, methods: { POST: cancelJob } },
  { pattern: /^\/api\/events$/, methods: { GET: events } },
  { pattern: /^\/api\/cards$/, methods: { GET: listCards } },
  { pattern: /^\/api\/cards\/([^/]+)$/, methods: { GET: showCard } },
  { pattern: /^\/api\/cards\/([^/]+)\/offload$/, methods: { POST: offloadCard } },
  { pattern: /^\/api\/cards\/([^/]+)\/eject$/, methods: { POST: ejectCard } },
  { pattern: /^\/api\/volumes$/, methods: { GET: listVolumes } },
  { pattern: /^\/api\/folders$/, methods: { GET: listFolders } },
  { pattern: /^\/api\/folders\/usage$/, methods: { GET: folderUsage } },
  { pattern: /^\/api\/space$/, methods: { GET: volumeSpace } },
  { pattern: /^\/api\/config$/, methods: { GET: readConfig, PUT: saveConfig } },
  { pattern: /^\/api\/clips$/, methods: { GET: listClips } },
  { pattern: /^\/api\/clips\/([^/]+)$/, methods: { GET: showClip } },
  { pattern: /^\/api\/clips\/([^/]+)\/thumbnail$/, methods: { GET: clipThumbnail } },
  { pattern: /^\/api\/reports$/, methods: { GET: report } },
  { pattern: /^\/api\/syncs$/, methods: { GET: listSyncs, POST: postSync } },
  { pattern: /^\/api\/syncs\/bandwidth$/, methods: { GET: (c) => sendJson(c.res, 200, c.api.syncs.bandwidth()), PUT: putBandwidth } },
];
