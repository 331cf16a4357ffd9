/**
 * What reports are made from, wired to the engine's stores: offload records, the card an
 * offload copied (through its job), the clips it brought in — inspected on the spot when no
 * daemon has (an offload made with `rushes offload`) — and poster frames made on the spot for
 * decodable clips whose thumbnail job has not run yet.
 */
import { hasPosterFrame } from '../inspect/decodable.ts';
import type { ClipStore } from '../inspect/clip-store.ts';
import type { OffloadStore } from '../offload/store.ts';
import type { JobQueue } from '../queue/index.ts';
import { cardOfOffload } from './card-of.ts';
import type { ReportSources } from '../report/gather.ts';
import { dockerOptions, thumbnailDir, backendFor, type RenderConfig } from '../render/job.ts';
import { buildInvocation } from '../render/request.ts';
import type { RenderResult } from '../render/run.ts';
import { executorFor, type Executor } from '../runtime/executor.ts';
import { clipsOfOffload, inspectAndStore, inspectionRoot } from '../inspect/job.ts';
import { forEachLimited } from '../util/limit.ts';
import type { CardStore } from '../watch/card-store.ts';

/** Clips inspected and posters made at once while a report waits for them. */
const AT_ONCE = 4;

export type PreparedSources = ReportSources & { prepare(offloadId: string): Promise<void> };

export function reportSources(d: { offloads: OffloadStore; queue: JobQueue; cards: CardStore; clips: ClipStore; inspectExecutor: Executor; home: string; render: RenderConfig }): PreparedSources {
  return {
    offload: (id) => d.offloads.get(id),
    summary: (id) => d.offloads.summaryOf(id),
    startedOn: (day) => d.offloads.startedOn(day),
    into: (folder) => d.offloads.into(folder),
    cardOf(offloadId) {
      const card = cardOfOffload(d.cards, d.queue, offloadId);
      return card && { camera: card.camera, label: card.label, fingerprint: card.fingerprint };
    },
    clipsOf: (offloadId) => d.clips.ofOffload(offloadId),
    async prepare(offloadId) {
      const summary = d.offloads.summaryOf(offloadId);
      const root = summary && inspectionRoot(summary);
      if (root && d.clips.ofOffload(offloadId).length === 0) {
        await forEachLimited(clipsOfOffload(d.offloads, offloadId), AT_ONCE, async (unit) => {
          await inspectAndStore({ clips: d.clips, offloads: d.offloads, executor: d.inspectExecutor }, { root, unit, roll: summary.roll, offloadId });
        });
      }
      const executor = executorFor(backendFor(d.render, 'thumbnail'), { docker: dockerOptions(d.render) });
      const missing = d.clips.ofOffload(offloadId).filter((c) => !c.thumbnail && hasPosterFrame(c.record));
      await forEachLimited(missing, AT_ONCE, async (clip) => {
        const { invocation } = await buildInvocation(clip.record, { fn: 'thumbnail', outDir: thumbnailDir(d.home, clip.id) });
        const result = await executor.run<RenderResult>(invocation);
        if (result.outputs[0]) d.clips.setThumbnail(clip.id, result.outputs[0].path);
      });
    },
  };
}
