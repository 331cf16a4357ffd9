/**
 * Every event type the stream sends (docs/api.md). Server-sent events name their type
 * (`event: card.detected`), and a browser's EventSource hands a named event only to a
 * listener for that name, so the page listens for each by name.
 */
export const EVENT_TYPES: readonly string[] = [
  // job
  'created', 'started', 'progress', 'failed', 'succeeded', 'dead', 'cancel-requested', 'cancelled', 'requeued', 'retried', 'rule-refused', 'rule-failed',
  // card
  'card.detected', 'card.identified', 'card.waiting', 'card.duplicate', 'card.conflict', 'card.offload-started', 'card.progress',
  'card.safe-to-eject', 'card.copied', 'card.changed', 'card.failed', 'card.removed',
  // offload
  'offload.started', 'offload.waiting', 'offload.progress', 'file.failed', 'file.completed', 'mhl.written', 'offload.finished',
  // mhl, clip, render, sync
  'mhl.verified', 'mhl.generation-written', 'clip.inspected', 'render.finished', 'sync.started', 'sync.finished',
];
