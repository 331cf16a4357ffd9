/**
 * Whether each destination of an offload has room for the source: the source is measured
 * (GET /api/folders/usage) and each destination's volume asked for its free space
 * (GET /api/space). A destination that already holds part of the card needs less; the
 * warning is a warning, not a refusal.
 */
import type { Space } from '../api/types.ts';
import { formatBytes } from '../format.ts';

export function spaceWarnings(sourceBytes: number | undefined, destinations: readonly { path: string; space?: Space }[]): string[] {
  if (sourceBytes === undefined) return [];
  return destinations.flatMap((d) =>
    d.space && d.space.freeBytes < sourceBytes ? [`${d.path} has ${formatBytes(d.space.freeBytes)} free; the source holds ${formatBytes(sourceBytes)}.`] : [],
  );
}
