/**
 * Webhooks for headless sites: each card event a hook asks for is POSTed to its URL as
 * JSON. Deliveries are jobs in the durable queue, enqueued by a workflow rule in the
 * transaction that records the event (core/workflow/standard-rules.ts), so they survive a
 * crash and retry with backoff; a 4xx other than 408 or 429 means the receiver refuses it
 * for good, and the delivery is dead at once.
 */
import { RushesError } from '../errors.ts';
import type { JobHandler } from '../queue/index.ts';
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
  body: { type: string; seq: number; at: string; card: unknown; data?: unknown; source: string };
}

declare module '../queue/types.ts' {
  interface JobKinds {
    webhook: { payload: WebhookPayload; result: { status: number } };
  }
}

const TIMEOUT_MS = 10_000;

export const webhookHandler: JobHandler<'webhook'> = async ({ job, signal }) => {
  const p = job.payload;
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
