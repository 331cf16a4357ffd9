/**
 * The workflow rules the engine runs. A rule is enabled only where a handler exists for
 * every kind it produces (see enabledRules), so a rule can ship before its handler does.
 */
import type { Rule } from '../workflow/rules.ts';
import type { OffloadSummary } from '../offload/events.ts';
import { inspectionRoot, THUMBNAIL_PRIORITY, type InspectJobResult, type InspectOffloadPayload } from './inspect-job.ts';

export const STANDARD_RULES: readonly Rule[] = [
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
  {
    name: 'thumbnail-after-inspect',
    on: { type: 'succeeded', kind: 'inspect' },
    produces: ['thumbnail'],
    when: (job) => (job.result as InspectJobResult | undefined)?.poster === true,
    then: (job) => [{ key: 'thumbnail', kind: 'thumbnail', payload: { clipId: (job.result as InspectJobResult).clipId }, priority: THUMBNAIL_PRIORITY, maxAttempts: 1 }],
  },
];
