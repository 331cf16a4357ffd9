/**
 * Sync as queue jobs. A `sync` job uploads one part of a roll to its place in a bucket:
 *
 * - `originals`: the verified copy in a local roll folder (never the card). Given the offload
 *   job to follow, it starts with that offload and uploads each file as soon as it is
 *   verified at that folder, so the upload cascades behind the copy instead of waiting for it;
 * - `metadata`: the ASC MHL history and the clip records (as JSON), once the clips are inspected;
 * - `outputs`: what a render made (thumbnails, proxies, plates).
 *
 * Workflow rules queue them (metadata first, then renders, then originals, by priority);
 * `rushes sync` and `POST /api/syncs` queue them by hand. After each, the roll's sync manifest
 * (schemas/sync-manifest.schema.json) is written again, last, listing everything synced there.
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { RushesError } from '../errors.ts';
import type { EventBus } from '../events/bus.ts';
import { isTemporaryName } from '../fs/durable.ts';
import { ignoreMatcher } from '../fs/ignore.ts';
import { walkTree } from '../fs/walk.ts';
import type { ClipStore } from '../inspect/clip-store.ts';
import { DEFAULT_IGNORE, expectationFor, indexHistory, loadHistory } from '../mhl/index.ts';
import type { OffloadStore } from '../offload/store.ts';
import { FINAL_STATES, isJobOf, type JobHandler, type JobQueue } from '../queue/index.ts';
import type { Db } from '../store/db.ts';
import { KeyedSerial } from '../util/limit.ts';
import type { Progress } from '../util/progress.ts';
import { TOOL } from '../version.ts';
import { describeEndpoint, endpointId, resolveEndpoint, type S3Endpoint } from './client.ts';
import type { SyncFile } from './context.ts';
import { renderKey, type KeyValues } from './layout.ts';
import { SyncStore } from './store.ts';
import { syncFailure, syncFiles, type SyncSummary } from './sync.ts';
import { parseS3Uri, type S3Location } from './target.ts';
import type { Bandwidth } from './throttle.ts';

import { SYNC_PARTS, SYNC_PRIORITY, type SyncPart } from './names.ts';

export { SYNC_PARTS, SYNC_PRIORITY, type SyncPart };

export interface SyncPayload {
  part: SyncPart;
  /** `s3://bucket/prefix/`. */
  to: string;
  /** The endpoint's name in the config (its secrets stay there), or one given whole without secrets. */
  endpoint: string | S3Endpoint;
  /** Key template below the prefix, ending in {path} (its fields come from the card, the offload or the clip). */
  layout: string;
  roll: string;
  /** A verified local roll folder the bytes are read from. */
  rollFolder: string;
  cardId?: number;
  offloadId?: string;
  /** Originals: the offload job to follow, uploading each file once it is verified at rollFolder. */
  followJobId?: number;
  /** Outputs: the files and folders to upload (a plate's folder goes frame by frame). */
  outputs?: string[];
}

/** The layout's values for a sync: the project, the card's day, its camera, roll and label. */
export type KeyFields = Omit<KeyValues, 'path'>;

export interface SyncResult {
  part: SyncPart;
  to: string;
  uploaded: number;
  skipped: number;
  failed: number;
  bytes: number;
  seconds: number;
  manifest: string;
}

export interface SyncEvent {
  topic: 'sync';
  seq?: number;
  at: number;
  jobId: number;
  type: 'sync.started' | 'sync.finished';
  data: { part: SyncPart; to: string; roll: string; cardId?: number; uploaded?: number; skipped?: number; failed?: number };
}

declare module '../queue/types.ts' {
  interface JobKinds {
    sync: { payload: SyncPayload; result: SyncResult };
  }
}

declare module '../events/types.ts' {
  interface EventMap {
    sync: Omit<SyncEvent, 'topic' | 'seq' | 'at'>;
  }
}

export interface SyncDeps {
  db: Db;
  offloads: OffloadStore;
  clips: ClipStore;
  queue: JobQueue;
  /** Named endpoints of the config, with whatever credentials it holds. */
  endpoint(name: string): S3Endpoint;
  /** One limit for every upload of the engine, changeable while they run. */
  bandwidth: Bandwidth;
  /** Where metadata files are written before they go up. */
  scratch: string;
  /** The layout's values for this sync (from its card, else its offload, else now). */
  keyFields(p: SyncPayload): KeyFields;
  /** The card a sync belongs to: the one it names, else the one its offload copied. */
  cardIdOf(p: SyncPayload): number | undefined;
}

/** How often an originals upload that follows an offload looks for newly verified files. */
const FOLLOW_MS = 1000;
const MANIFEST_PATH = '_rushes/sync-manifest.json';
/**
 * A roll's sync jobs (originals, metadata, each render's outputs) may end together; each
 * rewrites the roll's manifest from the store, so one at a time per manifest, or an earlier
 * job's stale list could land after a later job's complete one.
 */
const manifestWriters = new KeyedSerial();

type KeyOf = (path: string) => string;

function keyMaker(p: SyncPayload, fields: KeyFields): KeyOf {
  const { prefix } = parseS3Uri(p.to);
  return (path) => prefix + renderKey(p.layout, { ...fields, path });
}

/** The files of a roll folder (its history and temporary names left out), relative, posix. */
async function filesOf(folder: string): Promise<string[]> {
  const tree = await walkTree(folder, ignoreMatcher(DEFAULT_IGNORE));
  return tree.files.map((f) => f.path).filter((p) => !isTemporaryName(p.slice(p.lastIndexOf('/') + 1)));
}

/** What the ASC MHL history of the folder recorded as each file's xxh64, where it did. */
async function historyHashes(folder: string): Promise<(path: string) => string | undefined> {
  const index = await loadHistory(folder, { tolerant: true })
    .then(indexHistory)
    .catch(() => undefined);
  return (path) => (index ? expectationFor(index, path)?.digests.get('xxh64') : undefined);
}

async function walkOutputs(paths: readonly string[]): Promise<{ abs: string; rel: string }[]> {
  const out: { abs: string; rel: string }[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory()) for (const name of (await readdir(p)).sort()) out.push({ abs: join(p, name), rel: `${p.slice(p.lastIndexOf('/') + 1)}/${name}` });
    else out.push({ abs: p, rel: p.slice(p.lastIndexOf('/') + 1) });
  }
  return out;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export function syncHandler(d: SyncDeps): JobHandler<'sync'> {
  return async ({ job, signal, progress, log, events }) => {
    const p = job.payload;
    const to = parseS3Uri(p.to);
    const endpoint = typeof p.endpoint === 'string' ? d.endpoint(p.endpoint) : p.endpoint;
    const store = new SyncStore(d.db);
    const target = { endpoint, bucket: to.bucket };
    const totals: SyncSummary[] = [];
    const started = Date.now();
    const keyOf = keyMaker(p, d.keyFields(p));
    const cardId = d.cardIdOf(p);
    events.append<'sync'>({ topic: 'sync', jobId: job.id, type: 'sync.started', data: { part: p.part, to: p.to, roll: p.roll, cardId } }, job.id);
    log.info('sync started', { part: p.part, to: p.to, endpoint: describeEndpoint(resolveEndpoint(endpoint)) });
    const upload = async (files: SyncFile[]) => {
      if (files.length === 0) return;
      const s = await syncFiles(target, files, { store, signal, bandwidth: d.bandwidth, log, onProgress: (pr: Progress) => progress(pr) });
      totals.push(s);
      const failure = syncFailure(s);
      if (failure) throw failure;
    };

    if (p.part === 'originals') {
      // The hashes the offload made, else those the folder's ASC MHL history recorded.
      const fromHistory = p.followJobId === undefined ? await historyHashes(p.rollFolder) : undefined;
      const sent = new Set<string>();
      for (;;) {
        // Following an offload: the files checked at this folder so far, until it ends.
        const follow = p.followJobId === undefined ? undefined : d.queue.get(p.followJobId);
        const offloadId = p.offloadId ?? (follow && isJobOf(follow, 'offload') ? (follow.result?.offloadId ?? (follow.progress as { offloadId?: string } | undefined)?.offloadId) : undefined);
        const ended = !follow || FINAL_STATES.has(follow.state);
        let paths: string[];
        if (follow) {
          const checked = offloadId ? [...d.offloads.destinationFiles(offloadId, p.rollFolder).values()] : [];
          paths = checked.filter((r) => r.status === 'verified' || r.status === 'written').map((r) => r.path);
        } else paths = await filesOf(p.rollFolder);
        const fresh = paths.filter((path) => !sent.has(path));
        const hashes = offloadId ? d.offloads.hashesOf(offloadId, fresh) : {};
        await upload(fresh.map((path) => ({ path: join(p.rollFolder, path), key: keyOf(path), xxh64: hashes[path]?.xxh64 ?? fromHistory?.(path) })));
        fresh.forEach((path) => sent.add(path));
        if (ended || signal.aborted) {
          signal.throwIfAborted();
          // What the offload verified is up; the rest never reached the folder, so this sync is not the card's whole copy.
          if (follow && follow.state !== 'succeeded') throw new RushesError('WRONG_STATE', `the offload it followed (job ${follow.id}) ended ${follow.state}: the ${sent.size} file(s) it verified are synced; sync ${p.rollFolder} again once it is offloaded`, { path: p.rollFolder });
          break;
        }
        await sleep(FOLLOW_MS, signal);
      }
    } else if (p.part === 'metadata') {
      const history = await readdir(join(p.rollFolder, 'ascmhl')).catch(() => [] as string[]);
      const files: SyncFile[] = history.filter((n) => !isTemporaryName(n)).map((n) => ({ path: join(p.rollFolder, 'ascmhl', n), key: keyOf(`ascmhl/${n}`), contentType: 'application/xml' }));
      if (p.offloadId) {
        const dir = join(d.scratch, `sync-${job.id}`);
        await mkdir(dir, { recursive: true });
        for (const clip of d.clips.ofOffload(p.offloadId)) {
          const file = join(dir, `${clip.id}.json`);
          await writeFile(file, JSON.stringify(clip.record, null, 2) + '\n');
          files.push({ path: file, key: keyOf(`_rushes/clips/${clip.record.source.relativePath.replace(/\//g, '_')}.json`), contentType: 'application/json' });
        }
      }
      await upload(files);
    } else {
      const outputs = await walkOutputs(p.outputs ?? []);
      await upload(outputs.map((o) => ({ path: o.abs, key: keyOf(`_renders/${o.rel}`) })));
    }

    const manifest = await writeManifest(d, store, { ...p, cardId }, target.endpoint, job.id, keyOf);
    const sum = (k: 'uploaded' | 'skipped' | 'failed' | 'bytesDone') => totals.reduce((n, s) => n + s[k], 0);
    const result: SyncResult = { part: p.part, to: p.to, uploaded: sum('uploaded'), skipped: sum('skipped'), failed: sum('failed'), bytes: sum('bytesDone'), seconds: (Date.now() - started) / 1000, manifest };
    events.append<'sync'>({ topic: 'sync', jobId: job.id, type: 'sync.finished', data: { part: p.part, to: p.to, roll: p.roll, cardId, uploaded: result.uploaded, skipped: result.skipped, failed: result.failed } }, job.id);
    return result;
  };
}

/**
 * The roll's sync manifest, written last: what is in the bucket under this roll (every
 * object the store confirmed, with its size, xxh64 and ETag), its clips and history.
 */
async function writeManifest(d: SyncDeps, store: SyncStore, p: SyncPayload, endpoint: S3Endpoint, jobId: number, keyOf: KeyOf): Promise<string> {
  const to = parseS3Uri(p.to);
  const key = keyOf(MANIFEST_PATH);
  return manifestWriters.run(`${to.bucket}/${key}`, () => putManifest(d, store, p, endpoint, jobId, to, key));
}

async function putManifest(d: SyncDeps, store: SyncStore, p: SyncPayload, endpoint: S3Endpoint, jobId: number, to: S3Location, key: string): Promise<string> {
  const rollPrefix = key.slice(0, -MANIFEST_PATH.length);
  const where = { endpoint: endpointId(resolveEndpoint(endpoint)), bucket: to.bucket, prefix: rollPrefix };
  const objects = store.syncedUnder(where).filter((o) => o.key !== key);
  const kind = (k: string) => (k.startsWith(`${rollPrefix}ascmhl/`) ? 'mhl' : k.startsWith(`${rollPrefix}_rushes/clips/`) ? 'clips' : k.startsWith(`${rollPrefix}_renders/`) ? 'outputs' : 'files');
  const manifest = {
    schema: 'https://rushes.dev/schemas/sync-manifest.schema.json',
    tool: `${TOOL.name} ${TOOL.version}`,
    updatedAt: new Date().toISOString(),
    endpoint: where.endpoint,
    bucket: to.bucket,
    prefix: rollPrefix,
    card: { roll: p.roll, cardId: p.cardId, offloadId: p.offloadId, rollFolder: p.rollFolder },
    ...Object.fromEntries(
      (['files', 'mhl', 'clips', 'outputs'] as const).map((k) => [
        k,
        objects.filter((o) => kind(o.key) === k).map((o) => ({ path: relative(p.rollFolder, o.path).startsWith('..') ? undefined : relative(p.rollFolder, o.path), key: o.key, size: o.size, xxh64: o.xxh64 ?? undefined, etag: o.etag, checksum: o.checksum ?? undefined, syncedAt: new Date(o.syncedAt).toISOString() })),
      ]),
    ),
  };
  const file = join(d.scratch, `sync-manifest-${jobId}.json`);
  await mkdir(d.scratch, { recursive: true });
  await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
  try {
    const s = await syncFiles({ endpoint, bucket: to.bucket }, [{ path: file, key, contentType: 'application/json' }], { store, bandwidth: d.bandwidth });
    const failure = syncFailure(s);
    if (failure) throw failure;
  } finally {
    await rm(file, { force: true });
    await rm(join(d.scratch, `sync-${jobId}`), { recursive: true, force: true });
  }
  return key;
}

