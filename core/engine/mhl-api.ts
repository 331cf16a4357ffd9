/**
 * The engine's ASC MHL functions (`api.mhl`): the history read, checked or written in this
 * process, hashing in the worker pool, and what was verified or written appended to the
 * event log. A module of its own so that `rushes verify` and `rushes mhl …` can open the
 * store and the event log alone (./mhl-engine.ts) rather than the whole engine, which loads
 * every service — the records are the same.
 */
import type { EventBus } from '../events/bus.ts';
import {
  createGeneration,
  describeHistory,
  diffHistory,
  loadHistory,
  verifyHistory,
  type CreateOptions,
  type CreateResult,
  type DiffReport,
  type HistoryDescription,
  type MhlHistory,
  type VerifyOptions,
  type VerifyReport,
} from '../mhl/index.ts';
import type { MhlHashing } from '../mhl/hashing.ts';
import { pooledHashing } from '../runtime/hashing.ts';

export interface MhlEvent {
  topic: 'mhl';
  seq?: number;
  at: number;
  root: string;
  type: 'mhl.verified' | 'mhl.generation-written';
  data: { exitCode: number; summary: string; manifest?: string; generation?: number };
}

declare module '../events/types.ts' {
  interface EventMap {
    mhl: Omit<MhlEvent, 'topic' | 'seq' | 'at'>;
  }
}

export interface MhlApi {
  verify(dir: string, o?: Omit<VerifyOptions, 'hashing'>): Promise<VerifyReport>;
  create(dir: string, o: Omit<CreateOptions, 'hashing'>): Promise<CreateResult>;
  diff(dir: string): Promise<DiffReport>;
  info(dir: string): Promise<{ history: MhlHistory; description: HistoryDescription }>;
}

/** `hashing`: where files are read and hashed (default the worker pool; see core/runtime/hashing.ts). */
export function mhlApi(bus: EventBus, hashing: MhlHashing = pooledHashing): MhlApi {
  return {
    async verify(dir, o = {}) {
      const report = await verifyHistory(dir, { ...o, hashing });
      bus.append<'mhl'>({ topic: 'mhl', root: report.root, type: 'mhl.verified', data: { exitCode: report.exitCode, summary: report.summary } }, report.root);
      return report;
    },
    async create(dir, o) {
      const result = await createGeneration(dir, { ...o, hashing });
      const w = result.written;
      bus.append<'mhl'>({ topic: 'mhl', root: w.root, type: 'mhl.generation-written', data: { exitCode: result.exitCode, summary: result.summary, manifest: w.manifestPath, generation: w.generation } }, w.root);
      return result;
    },
    diff: (dir) => diffHistory(dir, { hashing }),
    async info(dir) {
      const history = await loadHistory(dir, { tolerant: true, hashing });
      return { history, description: describeHistory(history) };
    },
  };
}
