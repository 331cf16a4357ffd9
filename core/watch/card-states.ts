/**
 * A card's states and the moves between them, in one table. The ingest policy asks it what
 * a card may do next, and the card store refuses any move it does not list, so a card that
 * moved on meanwhile (pulled while its roll folders were being looked at, overtaken by the
 * end of its offload) is never dragged back into a state it has left.
 */

export type CardState = 'detected' | 'waiting' | 'offloading' | 'verified' | 'copied' | 'duplicate' | 'conflict' | 'failed';
export const CARD_STATES: readonly CardState[] = ['detected', 'waiting', 'offloading', 'verified', 'copied', 'duplicate', 'conflict', 'failed'];

/**
 * Where a card may go from each state. Every state can end `failed`: a card that is looked
 * at again after a restart may have become unreadable, whatever it was.
 */
export const CARD_MOVES: { readonly [S in CardState]: readonly CardState[] } = {
  // Seen, or changed after its offload; once it settles it is decided (policy.ts). Pulled before that: failed.
  detected: ['waiting', 'offloading', 'duplicate', 'conflict', 'failed'],
  // autoStart is off: started by request.
  waiting: ['offloading', 'failed'],
  // The end of its offload job (the workflow's card-after-offload rule), or the card came back and resumes elsewhere.
  offloading: ['verified', 'copied', 'failed'],
  // Gained or changed a file while still inserted: it settles again and is offloaded again.
  verified: ['detected', 'failed'],
  // As verified; and, not being safe to eject, it may be started again by request.
  copied: ['detected', 'offloading', 'failed'],
  // Copied anyway by request (force).
  duplicate: ['offloading', 'failed'],
  // Offloaded under another roll name by request; never merged.
  conflict: ['offloading', 'failed'],
  // Started again by request; or, still inserted after a restart, unreadable again (a new error).
  failed: ['offloading', 'failed'],
};

/** Whether the table lets a card in state `from` go to `to`. */
export function canMove(from: CardState, to: CardState): boolean {
  return CARD_MOVES[from].includes(to);
}

/** States in which the card's offload has finished and copied every file: the card is watched for growth while inserted. */
export function isOffloaded(state: CardState): boolean {
  return state === 'verified' || state === 'copied';
}
