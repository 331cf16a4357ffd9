/**
 * The clips of a search, fetched a page at a time as they scroll into view
 * (GET /api/clips?q=&limit=&offset=). When clips are inspected or rendered (the live store
 * counts it) the pages on screen are fetched again, at most once a second.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, withQuery } from '../api/client.ts';
import type { Clip } from '../api/types.ts';

export const PAGE_SIZE = 200;
const REFRESH_EVERY_MS = 1000;

export interface ClipPages {
  total?: number;
  clipAt(index: number): Clip | undefined;
  /** Asks for the pages that hold these indexes. */
  want(pages: number[]): void;
  error?: unknown;
}

export function useClipPages(q: string, version: number): ClipPages {
  const [pages, setPages] = useState<ReadonlyMap<number, Clip[]>>(new Map());
  const [total, setTotal] = useState<number>();
  const [error, setError] = useState<unknown>();
  const loading = useRef(new Set<number>());
  const wanted = useRef<number[]>([0]);
  const generation = useRef(0);

  const fetchPage = useCallback(
    (page: number, gen: number) => {
      if (loading.current.has(page)) return;
      loading.current.add(page);
      get<{ total: number; clips: Clip[] }>(withQuery('/api/clips', { q, limit: PAGE_SIZE, offset: page * PAGE_SIZE }))
        .then(
          (r) => {
            if (gen !== generation.current) return;
            setTotal(r.total);
            setPages((prev) => new Map(prev).set(page, r.clips));
            setError(undefined);
          },
          (e: unknown) => gen === generation.current && setError(e),
        )
        .finally(() => loading.current.delete(page));
    },
    [q],
  );

  // A new search starts from nothing.
  useEffect(() => {
    generation.current++;
    loading.current.clear();
    setPages(new Map());
    setTotal(undefined);
    fetchPage(0, generation.current);
  }, [fetchPage]);

  // New clips: the pages on screen again, throttled.
  const lastRefresh = useRef(0);
  useEffect(() => {
    if (version === 0) return;
    const wait = Math.max(0, lastRefresh.current + REFRESH_EVERY_MS - Date.now());
    const timer = setTimeout(() => {
      lastRefresh.current = Date.now();
      generation.current++;
      loading.current.clear();
      const gen = generation.current;
      for (const p of new Set([0, ...wanted.current])) fetchPage(p, gen);
    }, wait);
    return () => clearTimeout(timer);
  }, [version, fetchPage]);

  const want = useCallback(
    (list: number[]) => {
      wanted.current = list;
      for (const p of list) if (!pages.has(p)) fetchPage(p, generation.current);
    },
    [pages, fetchPage],
  );

  return {
    total,
    error,
    want,
    clipAt: (index) => pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
  };
}
