/** The card an offload copied, when card detection queued it: found through the card's offload job. */
import { isJobOf, type JobQueue } from '../queue/index.ts';
import type { Card, CardStore } from '../watch/card-store.ts';

export function cardOfOffload(cards: CardStore, queue: JobQueue, offloadId: string): Card | undefined {
  for (const card of cards.list({ limit: 10_000 })) {
    const job = card.jobId === undefined ? undefined : queue.get(card.jobId);
    if (job && isJobOf(job, 'offload') && job.result?.offloadId === offloadId) return card;
  }
  return undefined;
}
