/** A plate that fits in a clip of `frames` frames: 8 handles where it is long enough, and at most two seconds (at 24 fps) between them. */
export function plateDefaults(frames: number): { first: number; last: number; handles: number } {
  const handles = Math.max(0, Math.min(8, Math.floor((frames - 1) / 4)));
  return { first: handles, last: Math.max(handles, Math.min(frames - 1 - handles, handles + 47)), handles };
}

