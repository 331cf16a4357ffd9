import type { CardState, JobState } from '../api/types.ts';

const CARD_LABELS: Record<CardState, string> = {
  detected: 'Detected — settling',
  waiting: 'Waiting to start',
  offloading: 'Offloading',
  verified: 'Safe to eject',
  copied: 'Copied — not verified',
  duplicate: 'Duplicate',
  conflict: 'Conflict',
  failed: 'Failed',
};

export const cardStateLabel = (s: CardState) => CARD_LABELS[s];

/** A state in words and colour (the words carry it: colour alone says nothing to some). */
export function StateBadge({ state, kind = 'card' }: { state: CardState | JobState; kind?: 'card' | 'job' }) {
  const text = kind === 'card' ? CARD_LABELS[state as CardState] : state;
  return <span className={`badge badge-${state}`}>{text}</span>;
}
