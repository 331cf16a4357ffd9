/**
 * `rushes sync ROLL_FOLDER|CARD_ID --to s3://bucket/prefix/ [--endpoint URL|NAME] …`: uploads a
 * verified roll folder (or the copy a card's offload made) through the engine, part after
 * part — metadata, outputs, originals — with a progress bar (or JSON lines with --json).
 * Killed and run again, it resumes: finished objects are skipped, a large file's open
 * multipart upload goes on from its last confirmed part.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RushesError } from '../errors.ts';
import type { SyncConfig, SyncRequest } from '../engine/sync.ts';
import type { S3Endpoint } from '../sync/index.ts';
import type { SyncPayload, SyncResult } from '../sync/job.ts';
import { S3_PROVIDERS, SYNC_PARTS, type S3Provider, type SyncPart } from '../sync/names.ts';
import { formatBytes, formatDuration, formatRate } from '../util/format.ts';
import type { Progress } from '../util/progress.ts';
import { withEngine } from './engine.ts';
import { EXIT } from './exit-codes.ts';
import { cancelOnSignals, type Io } from './io.ts';
import { oneOf, wholeNumber } from './options.ts';
import type { Job } from '../queue/index.ts';
import { bar } from './progress.ts';

interface SyncFlags {
  to?: string;
  endpoint?: string;
  provider?: string;
  region?: string;
  profile?: string;
  include?: string;
  layout?: string;
  roll?: string;
  project?: string;
  bwlimit?: string;
  config?: string;
  json?: boolean;
}

/** `--endpoint` is a store's URL, or the name of an endpoint in the config's sync section. */
function endpointOf(f: SyncFlags): SyncRequest['endpoint'] {
  const provider = oneOf(f.provider, 'provider', S3_PROVIDERS) as S3Provider | undefined;
  if (f.endpoint !== undefined && !/^https?:\/\//.test(f.endpoint)) {
    if (provider || f.region || f.profile) throw new RushesError('USAGE', `--provider, --region and --profile go with an endpoint URL; "${f.endpoint}" names one in the config`);
    return f.endpoint;
  }
  if (f.endpoint === undefined && !provider && !f.region && !f.profile) return undefined;
  const e: Omit<S3Endpoint, 'credentials'> = { url: f.endpoint, provider, region: f.region, profile: f.profile };
  return Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined));
}

function includeOf(text: string | undefined): SyncPart[] | undefined {
  if (text === undefined) return undefined;
  // "proxies" and "thumbnails" are what most people call the outputs.
  const parts = [...new Set(text.split(',').map((s) => s.trim()).map((s) => (s === 'proxies' || s === 'thumbnails' ? 'outputs' : s)))];
  for (const p of parts) oneOf(p, 'include', SYNC_PARTS);
  return parts as SyncPart[];
}

function progressLine(part: string, p: Progress): string {
  const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
  return `${bar(fraction)} ${(fraction * 100).toFixed(0).padStart(3)}%  ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  ${p.filesDone}/${p.filesTotal} files  ${formatRate(p.rate)}  ETA ${formatDuration(p.etaSeconds)}  ${part}`;
}

function resultLine(r: SyncResult): string {
  return `✔ ${r.part}: ${r.uploaded} uploaded, ${r.skipped} already there, ${formatBytes(r.bytes)} in ${formatDuration(r.seconds)} → ${r.to}  (manifest ${r.manifest})`;
}

export async function syncCommand(target: string, f: SyncFlags, io: Io, home?: string): Promise<number> {
  const config: SyncConfig | undefined = f.config ? (await import('../engine/config.ts')).loadConfig(f.config).sync : undefined;
  const to = f.to ?? config?.to;
  if (!to) throw new RushesError('USAGE', 'say where to sync to: --to s3://bucket/prefix/ (or --config with a "sync" section)');
  const req: SyncRequest = {
    ...(/^\d+$/.test(target) ? { cardId: Number(target) } : { path: resolve(target) }),
    to,
    endpoint: endpointOf(f),
    include: includeOf(f.include),
    layout: f.layout,
    roll: f.roll,
  };
  const { signal, dispose } = cancelOnSignals(io);
  try {
    const results = await withEngine(home, (api) =>
      api.syncs.run(req, {
        signal,
        onProgress: (job, data) => {
          const part = (job.payload as { part: string }).part;
          const p = data as Progress;
          if (f.json) io.stdout.write(JSON.stringify({ type: 'progress', part, ...p }) + '\n');
          else if (io.stderr.isTTY) io.stderr.write(`\r${progressLine(part, p)}\x1b[K`);
        },
      }),
      { sync: { ...config, to, bwlimit: f.bwlimit ?? config?.bwlimit, project: f.project ?? config?.project } },
    );
    if (!f.json && io.stderr.isTTY) io.stderr.write('\r\x1b[K');
    for (const r of results) io.stdout.write(f.json ? JSON.stringify({ type: 'synced', result: r }) + '\n' : resultLine(r) + '\n');
    return EXIT.OK;
  } finally {
    dispose();
  }
}

function statusLine(j: Job): string {
  const p = j.payload as SyncPayload;
  const pr = j.progress as Progress | undefined;
  const r = j.result as SyncResult | undefined;
  const how = j.state === 'running' && pr ? progressLine(p.part, pr) : r ? `${r.uploaded} uploaded, ${r.skipped} already there, ${formatBytes(r.bytes)}` : j.lastError ? `${j.lastError.code}: ${j.lastError.message}` : '';
  return `${String(j.id).padStart(6)}  ${j.state.padEnd(9)} ${p.part.padEnd(9)} ${p.roll.padEnd(12)} ${p.to}${p.cardId ? `  card ${p.cardId}` : ''}\n        ${how}`;
}

/** `rushes sync status`: the sync jobs in the store, newest first (a daemon's too: they share the store). */
export async function syncStatusCommand(f: { card?: string; limit?: string; json?: boolean }, io: Io, home?: string): Promise<number> {
  const cardId = wholeNumber(f.card, 'card', 1, Number.MAX_SAFE_INTEGER);
  const jobs = await withEngine(home, async (api) => api.syncs.list({ cardId, limit: wholeNumber(f.limit, 'limit', 1, 1000) ?? 20 }));
  if (f.json) io.stdout.write(JSON.stringify({ jobs }) + '\n');
  else if (jobs.length === 0) io.stdout.write('no syncs yet\n');
  else for (const j of jobs) io.stdout.write(statusLine(j) + '\n');
  return EXIT.OK;
}

export function registerSyncCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('sync')
    .description('upload a verified roll folder (or a card\'s copy) to S3-compatible storage, resumably, proving every byte')
    .argument('<target>', 'a verified roll folder, or a card id; or "status" for the syncs so far (./status for a folder of that name)')
    .option('--card <id>', 'status: only this card\'s syncs')
    .option('--limit <n>', 'status: how many (default 20)')
    .option('--to <s3://bucket/prefix/>', 'where the roll goes (default: the config\'s sync.to)')
    .option('--endpoint <url|name>', 'an S3-compatible store\'s URL (default AWS), or an endpoint named in --config')
    .option('--provider <p>', `the store's kind, which decides its checksums: ${S3_PROVIDERS.join(', ')}`)
    .option('--region <r>', 'default us-east-1')
    .option('--profile <name>', 'a profile of the AWS shared config files (credentials otherwise from the environment)')
    .option('--include <parts>', 'comma-separated: metadata, outputs (proxies, thumbnails), originals (default all three)')
    .option('--layout <template>', 'key template below the prefix, ending in /{path} (default {project}/{date}/{roll}/{path})')
    .option('--roll <name>', 'the roll\'s name in the keys (default the card\'s roll or the folder\'s name)')
    .option('--project <name>', 'the {project} of the key layout')
    .option('--bwlimit <rate>', 'upload speed limit, e.g. 20M, 512k (default: full speed)')
    .option('--config <file>', 'a daemon config whose "sync" section gives endpoints, credentials and defaults')
    .option('--json', 'one JSON line per progress report and result')
    .action(async (target: string, flags: SyncFlags & { card?: string; limit?: string }) => {
      const home = program.opts().home as string | undefined;
      setExit(target === 'status' ? await syncStatusCommand(flags, io, home) : await syncCommand(target, flags, io, home));
    });
}
