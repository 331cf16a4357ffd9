/**
 * Which events deserve a notification outside the window — a DIT is not looking at the
 * screen when a card becomes safe to eject or an offload fails — and what it says.
 */
import type { BusEvent, Card, WireError } from '../api/types.ts';

export interface Notice {
  title: string;
  body: string;
}

export const cardName = (c: Pick<Card, 'roll' | 'label' | 'path'> | undefined, id?: number): string =>
  c?.roll ?? c?.label ?? c?.path.split('/').filter(Boolean).at(-1) ?? `card ${id ?? ''}`.trim();

export function noticeFor(e: BusEvent, cards: ReadonlyMap<number, Card>): Notice | undefined {
  const card = e.cardId === undefined ? undefined : cards.get(e.cardId);
  if (e.type === 'card.safe-to-eject') return { title: `${cardName(card, e.cardId)} is safe to eject`, body: 'Every destination was read back and matched.' };
  if (e.type === 'card.failed') {
    const error = (e.data as { error?: WireError } | undefined)?.error;
    return { title: `${cardName(card, e.cardId)} failed`, body: error ? describeError(error) : 'Its offload did not finish.' };
  }
  if (e.topic === 'job' && e.type === 'dead' && e.kind === 'offload') {
    const error = (e.data as { error?: WireError } | undefined)?.error;
    return { title: `Offload job ${e.jobId} failed`, body: error ? describeError(error) : 'It will not be tried again.' };
  }
  return undefined;
}

/** An API error as a person reads it: the message, and the file it is about when the message does not already name it. */
export function describeError(e: { message: string; path?: string }): string {
  return e.path && !e.message.includes(e.path) ? `${e.message} (${e.path})` : e.message;
}
