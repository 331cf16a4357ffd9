/**
 * Webhooks for headless sites: each card event a hook asks for is POSTed to its URL as
 * JSON. Deliveries are jobs in the durable queue, enqueued in the transaction that records
 * the event, so they survive a crash and retry with backoff; a 4xx other than 408 or 429
 * means the receiver refuses it for good, and the delivery is dead at once.
 */
import type { CardEvent, CardStore, Card } from '../watch/card-store.ts';
import type { JobHandler, JobQueue } from '../queue/index.ts';
import { RushesError } from '../errors.ts';
import { ignoreMatcher } from '../util/ignore.ts';
import { TOOL } from '../version.ts';

export interface WebhookConfig {
  url: string;
  /** Event types or globs (`card.*`, `card.safe-to-eject`); default every card event. */
  events?: string[];
  headers?: Record<string, string>;
  maxAttempts?: number;
}

export interface WebhookPayload {
  url: string;
  headers: Record<string, string>;
  body: { type: string; seq: number; at: string; card: Card; data?: unknown; source: string };
}

const TIMEOUT_MS = 10_000;

export function attachWebhooks(cards: CardStore, queue: JobQueue, hooks: readonly WebhookConfig[]): void {
  if (hooks.length === 0) return;
  const matchers = hooks.map((h) => ignoreMatcher(h.events ?? ['card.*']));
  cards.addReactor((event: CardEvent, card: Card) => {
    hooks.forEach((hook, i) => {
      if (!matchers[i].ignores(event.type, false)) return;
      const payload: WebhookPayload = {
        url: hook.url,
        headers: hook.headers ?? {},
        body: { type: event.type, seq: event.seq!, at: new Date(event.at).toISOString(), card, data: event.data, source: `${TOOL.name} ${TOOL.version}` },
      };
      queue.enqueue({ kind: 'webhook', payload, maxAttempts: hook.maxAttempts ?? 8, idempotencyKey: `webhook:${i}:card-event:${event.seq}`, priority: 10 });
    });
  });
}

export const webhookHandler: JobHandler = async ({ job, signal }) => {
  const p = job.payload as WebhookPayload;
  let res: Response;
  try {
    res = await fetch(p.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': `${TOOL.name}/${TOOL.version}`, ...p.headers },
      body: JSON.stringify(p.body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
    });
  } catch (e) {
    throw new Error(`webhook ${p.url} could not be reached: ${(e as Error).message}`);
  }
  await res.body?.cancel();
  if (res.ok) return { status: res.status };
  const message = `webhook ${p.url} answered ${res.status} ${res.statusText}`;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) throw new RushesError('WEBHOOK_REFUSED', message);
  throw new Error(message);
};
