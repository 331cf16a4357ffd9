import { afterAll } from 'vitest';
import { removeTree, tempDir } from './card.ts';

/** A maker of temporary folders for one test file; they are removed after its tests. */
export function scratchFolders(prefix?: string): () => string {
  const made: string[] = [];
  afterAll(() => made.forEach(removeTree));
  return () => {
    const d = tempDir(prefix);
    made.push(d);
    return d;
  };
}
