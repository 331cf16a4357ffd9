/**
 * The rules the engine runs: every "after X, do Y" of the path of a card.
 *
 *   offload succeeded ─► inspect-offload ─► inspect (one per clip) ─► thumbnail, proxy
 *   offload of a card ends ─► the card is verified (safe to eject), copied, or failed
 *   card safe to eject ─► its ascmhl history written to the card (when asked for)
 *   any card event ─► the webhooks that ask for it
 *   with cloud sync: an offload starts ─► its originals follow it up, file by file;
 *   its clips inspected ─► the history and clip records; each render ─► what it made
 *
 * A rule is enabled only where a handler exists for every kind it produces (see
 * enabledRules), so a rule can ship before its handler does. What a rule does depends only
 * on the triggering event, its subject and the settings the engine was started with.
 */
import { join } from 'node:path';
import { INSPECT_PRIORITY, inspectionRoot } from '../inspect/job.ts';
import type { OffloadJobResult } from '../offload/job.ts';
import type { JobError } from '../queue/types.ts';
import { CARD_EVENT_TYPES } from '../watch/card-store.ts';
import { RENDER_PRIORITY, thumbnailDir, type RenderConfig, type RenderJobPayload } from '../render/job.ts';
import { ignoreMatcher } from '../fs/ignore.ts';
import { TOOL } from '../version.ts';
import type { WebhookConfig, WebhookPayload } from '../webhook/job.ts';
import { REPORT_PRIORITY, reportFormats, type ReportConfig, type ReportPayload } from '../report/job.ts';
import type { SyncPayload } from '../sync/job.ts';
import { SYNC_PRIORITY, type SyncPart } from '../sync/names.ts';
import { cardRule, jobRule, type Action, type FollowUp, type Rule } from './rules.ts';

export interface WorkflowSettings {
  home: string;
  render?: RenderConfig;
  /** Write a report after each offload once its clips are inspected. */
  reports?: ReportConfig;
  /** Upload to cloud storage: where, and which parts of each card. */
  sync?: { to: string; endpoint: string; layout: string; include: readonly SyncPart[] };
  webhooks?: readonly WebhookConfig[];
  /** Give a verified card the ascmhl history its destinations got (the ingest's writeCardHistory). */
  writeCardHistory?: boolean;
}

export function standardRules(s: WorkflowSettings): Rule[] {
  const rules: Rule[] = [inspectAfterOffload, inspectEachClip(s.reports, s.sync?.include.includes('metadata') ? s.sync : undefined), cardAfterOffload];
  if (s.render?.thumbnails !== false) rules.push(renderAfterInspect('thumbnail', ({ clipId }) => ({ fn: 'thumbnail', outDir: thumbnailDir(s.home, clipId) })));
  if (s.sync?.include.includes('originals')) rules.push(syncOriginals(s.sync));
  if (s.sync?.include.includes('outputs')) rules.push(syncOutputs(s.sync));
  const proxies = s.render?.proxies;
  if (proxies) {
    rules.push(
      renderAfterInspect('proxy', ({ roll }) => ({ fn: 'proxy', outDir: join(proxies.out, roll ?? 'unknown-roll'), codec: proxies.codec, height: proxies.height, burnIn: proxies.burnIn, lutFile: proxies.lut, cdlFile: proxies.cdl })),
    );
  }
  if (s.writeCardHistory) rules.push(cardHistoryAfterVerify);
  if (s.webhooks?.length) rules.push(webhooks(s.webhooks));
  return rules;
}

/** Every finished offload is inspected, clip by clip, from its best destination. */
const inspectAfterOffload = jobRule({
  name: 'inspect-after-offload',
  on: { type: 'succeeded', kind: 'offload' },
  produces: ['inspect-offload'],
  then: (job) => {
    const summary = job.result;
    const root = summary?.destinations && inspectionRoot(summary);
    if (!summary || !root) return [];
    return [{ key: 'inspect', kind: 'inspect-offload', payload: { offloadId: summary.offloadId, root, roll: summary.roll, cardId: job.payload.cardId } }];
  },
});

/**
 * The fan-out: one inspection per clip the offload holds, below offloads in priority (the
 * next card's copy comes first); and, when reports are asked for, the fan-in: the report
 * once every clip is inspected.
 */
function inspectEachClip(reports: ReportConfig | undefined, sync: SyncSettings | undefined): Rule {
  return jobRule({
    name: 'inspect-each-clip',
    on: { type: 'succeeded', kind: 'inspect-offload' },
    produces: ['inspect', ...(reports ? ['report'] : []), ...(sync ? ['sync'] : [])],
    then: (job) => {
      const r = job.result!;
      const inspections: Action[] = r.units.map((unit) => ({ key: unit.relativePath, kind: 'inspect', payload: { root: r.root, unit, roll: r.roll, offloadId: r.offloadId }, priority: INSPECT_PRIORITY, maxAttempts: 2 }));
      const after = r.units.map((u) => u.relativePath);
      const fanIn: Action[] = [];
      if (reports) {
        const payload: ReportPayload = { offloadId: r.offloadId, formats: reportFormats(reports), into: reports.into ?? 'destination', paper: reports.paper, production: reports.production };
        fanIn.push({ key: 'report', kind: 'report', payload, priority: REPORT_PRIORITY, maxAttempts: 3, after });
      }
      if (sync) fanIn.push(syncJob(sync, 'metadata', { roll: r.roll, rollFolder: r.root, offloadId: r.offloadId, cardId: r.cardId }, after));
      return [...inspections, ...fanIn];
    },
  });
}

/** A render of every inspected clip ffmpeg can decode, below offloads and inspection in priority. */
function renderAfterInspect(fn: 'thumbnail' | 'proxy', request: (clip: { clipId: number; roll?: string }) => RenderJobPayload['request']): Rule {
  return jobRule({
    name: `${fn}-after-inspect`,
    on: { type: 'succeeded', kind: 'inspect' },
    produces: ['render'],
    when: (job) => job.result?.poster === true,
    then: (job) => {
      const c = job.result!;
      const payload: RenderJobPayload = { clipId: c.clipId, request: request(c), roll: job.payload.roll ?? c.roll, rollFolder: job.payload.root, offloadId: c.offloadId };
      return [{ key: fn, kind: 'render', payload, priority: RENDER_PRIORITY, maxAttempts: 2 }];
    },
  });
}

type SyncSettings = NonNullable<WorkflowSettings['sync']>;

/** A sync job of one part of a roll, at that part's priority. */
function syncJob(s: SyncSettings, part: SyncPart, where: Omit<SyncPayload, 'part' | 'to' | 'endpoint' | 'layout'>, after?: string[]): FollowUp {
  const payload: SyncPayload = { part, to: s.to, endpoint: s.endpoint, layout: s.layout, ...where };
  return { key: `sync-${part}`, kind: 'sync', payload, priority: SYNC_PRIORITY[part], maxAttempts: 5, after };
}

/**
 * The cascade: an offload's originals go up from its first destination as it verifies them,
 * not after it ends (the sync job follows the offload job, file by file).
 */
function syncOriginals(s: SyncSettings): Rule {
  return jobRule({
    name: 'sync-originals',
    on: { type: 'started', kind: 'offload' },
    produces: ['sync'],
    then: (job) => {
      const o = job.payload;
      return [syncJob(s, 'originals', { roll: o.roll, rollFolder: join(o.destinations[0]!, o.roll), cardId: o.cardId, followJobId: job.id })];
    },
  });
}

/** What each render after inspection made (thumbnails, proxies) goes up beside its roll. */
function syncOutputs(s: SyncSettings): Rule {
  return jobRule({
    name: 'sync-outputs',
    on: { type: 'succeeded', kind: 'render' },
    produces: ['sync'],
    when: (job) => job.payload.roll !== undefined && job.payload.rollFolder !== undefined && (job.result?.outputs.length ?? 0) > 0,
    then: (job) => [syncJob(s, 'outputs', { roll: job.payload.roll!, rollFolder: job.payload.rollFolder!, offloadId: job.payload.offloadId, outputs: job.result!.outputs.map((o) => o.path) })],
  });
}

/** Whether every destination of a finished offload was read back in full from its device. */
function readBackEverywhere(summary: OffloadJobResult): { readBack: boolean; throughCache: boolean } {
  const readBack = summary.destinations.every((d) => d.complete && d.checkKinds.length > 0 && d.checkKinds.every((k) => k === 'full-direct' || k === 'full-cached'));
  return { readBack, throughCache: summary.destinations.some((d) => d.checkKinds.includes('full-cached')) };
}

/**
 * The end of a card's offload moves the card on: safe to eject only when the verify mode was
 * full and every destination was read back from the medium; copied when it was not; failed
 * (with the job's error) when the job died or was cancelled.
 */
const cardAfterOffload = jobRule({
  name: 'card-after-offload',
  on: { type: ['succeeded', 'dead', 'cancelled'], kind: 'offload' },
  produces: [],
  when: (job) => job.payload.cardId !== undefined,
  then: (job, event): Action[] => {
    const card = job.payload.cardId!;
    const from = ['offloading' as const];
    const at = event.at;
    if (event.type !== 'succeeded' || !job.result) {
      const error: JobError = (event.data as { error?: JobError } | undefined)?.error ?? job.lastError ?? { code: 'INTERNAL', message: `offload job ${job.id} ended ${event.type}` };
      return [{ card, from, change: { state: 'failed', error, finishedAt: at }, event: { type: 'card.failed', data: { job: job.id, error } } }];
    }
    const summary = job.result;
    const { readBack, throughCache } = readBackEverywhere(summary);
    const targets = summary.destinations.map((d) => d.destination);
    if (job.payload.verify === 'full' && readBack) {
      const note = throughCache ? { note: 'a destination refused direct reads; it was read back through the page cache' } : {};
      return [{ card, from, change: { state: 'verified', finishedAt: at }, event: { type: 'card.safe-to-eject', data: { job: job.id, targets, files: summary.files, bytes: summary.bytes, ...note } } }];
    }
    const reason = `verify mode "${job.payload.verify}" does not read every byte back, so the card is not marked safe to format`;
    return [{ card, from, change: { state: 'copied', finishedAt: at }, event: { type: 'card.copied', data: { job: job.id, targets, verify: job.payload.verify, reason } } }];
  },
});

/** A verified card gets the ascmhl history its first destination got, so the next tool that reads the card sees what was checked. */
const cardHistoryAfterVerify = cardRule({
  name: 'card-history-after-verify',
  on: { type: 'card.safe-to-eject' },
  produces: ['card-history'],
  when: (card) => card.present && card.targets.length > 0,
  then: (card) => [{ key: 'history', kind: 'card-history', payload: { cardId: card.id, from: card.targets[0], to: card.path } }],
});

/** Each card event a webhook asks for becomes a durable delivery. */
function webhooks(hooks: readonly WebhookConfig[]): Rule {
  const matchers = hooks.map((h) => ignoreMatcher(h.events ?? ['card.*']));
  return cardRule({
    name: 'webhooks',
    on: { type: CARD_EVENT_TYPES },
    produces: ['webhook'],
    then: (card, event) =>
      hooks.flatMap((hook, i) => {
        if (!matchers[i].ignores(event.type, false)) return [];
        const payload: WebhookPayload = {
          url: hook.url,
          headers: hook.headers ?? {},
          body: { type: event.type, seq: event.seq!, at: new Date(event.at).toISOString(), card, data: event.data, source: `${TOOL.name} ${TOOL.version}` },
        };
        return [{ key: `webhook:${i}`, kind: 'webhook', payload, maxAttempts: hook.maxAttempts ?? 8, priority: 10 }];
      }),
  });
}

