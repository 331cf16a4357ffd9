/**
 * For work that blocks its thread step after step (a walk or a read with blocking calls, in a
 * worker or in a CLI command's own thread): the event loop still turns every so often, so a
 * Ctrl-C, a progress line or another task of the same worker waits at most that long, at
 * the cost of one turn then rather than one per step (10,000 folders of one file each would
 * otherwise pay 10,000).
 */

const EVERY_MS = 20;
let lastTurn = performance.now();

/** Undefined while less than 20 ms have passed since the loop last turned here; else a promise that resolves once it has. */
export function loopTurnDue(): Promise<void> | undefined {
  if (performance.now() - lastTurn < EVERY_MS) return undefined;
  return new Promise((resolve) =>
    setImmediate(() => {
      lastTurn = performance.now();
      resolve();
    }),
  );
}
