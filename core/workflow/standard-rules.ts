/**
 * The workflow rules the engine runs. A rule is enabled only where a handler exists for
 * every kind it produces (see enabledRules), so a rule can ship before its handler does.
 * Rules are data: what they enqueue depends only on the triggering job and the settings
 * the engine was started with.
 */
import { join } from 'node:path';
import type { OffloadSummary } from '../offload/events.ts';
import type { Rule } from './rules.ts';
import { inspectionRoot, type InspectJobResult, type InspectOffloadPayload } from '../daemon/inspect-job.ts';
import { RENDER_PRIORITY, thumbnailDir, type RenderConfig, type RenderJobPayload } from '../render/job.ts';

export function standardRules(home: string, render: RenderConfig = {}): Rule[] {
  const rules: Rule[] = [
    {
      // Every finished offload is inspected, clip by clip (inspect-offload fans out).
      name: 'inspect-after-offload',
      on: { type: 'succeeded', kind: 'offload' },
      produces: ['inspect-offload', 'inspect'],
      then: (job) => {
        const summary = job.result as OffloadSummary | undefined;
        const root = summary?.destinations && inspectionRoot(summary);
        if (!summary || !root) return [];
        const payload: InspectOffloadPayload = { offloadId: summary.offloadId, root, roll: summary.roll };
        return [{ key: 'inspect', kind: 'inspect-offload', payload }];
      },
    },
  ];
  if (render.thumbnails !== false) rules.push(renderAfterInspect('thumbnail', ({ clipId }) => ({ fn: 'thumbnail', outDir: thumbnailDir(home, clipId) })));
  const proxies = render.proxies;
  if (proxies) {
    rules.push(
      renderAfterInspect('proxy', ({ roll }) => ({ fn: 'proxy', outDir: join(proxies.out, roll ?? 'unknown-roll'), codec: proxies.codec, height: proxies.height, burnIn: proxies.burnIn, lutFile: proxies.lut, cdlFile: proxies.cdl })),
    );
  }
  return rules;
}

/** A render of every inspected clip ffmpeg can decode, below offloads and inspection in priority. */
function renderAfterInspect(fn: 'thumbnail' | 'proxy', request: (clip: InspectJobResult) => RenderJobPayload['request']): Rule {
  return {
    name: `${fn}-after-inspect`,
    on: { type: 'succeeded', kind: 'inspect' },
    produces: ['render'],
    when: (job) => (job.result as InspectJobResult | undefined)?.poster === true,
    then: (job) => {
      const clip = job.result as InspectJobResult;
      const payload: RenderJobPayload = { clipId: clip.clipId, request: request(clip) };
      return [{ key: fn, kind: 'render', payload, priority: RENDER_PRIORITY, maxAttempts: 2 }];
    },
  };
}
