/**
 * Pages by the address's fragment (`#/clips/12`), so the daemon serves one file for every
 * page and a reload or a bookmark lands where it was.
 */
import { useSyncExternalStore } from 'react';

export type Route =
  | { page: 'cards' }
  | { page: 'offload' }
  | { page: 'jobs' }
  | { page: 'clips'; q: string; view: 'grid' | 'list' }
  | { page: 'clip'; id: number }
  | { page: 'settings' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case 'offload':
      return { page: 'offload' };
    case 'jobs':
      return { page: 'jobs' };
    case 'clips':
      if (parts[1] && /^\d+$/.test(parts[1])) return { page: 'clip', id: Number(parts[1]) };
      return { page: 'clips', q: params.get('q') ?? '', view: params.get('view') === 'list' ? 'list' : 'grid' };
    case 'settings':
      return { page: 'settings' };
    default:
      return { page: 'cards' };
  }
}

export function clipsHref(q: string, view: 'grid' | 'list'): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (view === 'list') params.set('view', 'list');
  const s = params.toString();
  return `#/clips${s ? `?${s}` : ''}`;
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}

/** Changes the address without adding to history (typing in a search box). */
export function replaceRoute(href: string): void {
  window.history.replaceState(null, '', href);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
