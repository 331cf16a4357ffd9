import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { LiveStatsView } from './stats.ts';
import type { LiveSnapshot, LiveStore } from './store.ts';

export const LiveContext = createContext<LiveStore | undefined>(undefined);

/** The live state; the component draws again when it changes (at most once a frame). */
export function useStore(): LiveStore {
  const store = useContext(LiveContext);
  if (!store) throw new Error('useLive outside <LiveContext.Provider>');
  return store;
}

export function useLive(): LiveSnapshot {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** The event rate and lag, drawn again each second as well as with each batch (a rate must fall when events stop). */
export function useLiveStats(): LiveStatsView {
  const store = useStore();
  const { stats } = useLive();
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  return stats.total === 0 ? stats : store.statsNow();
}
