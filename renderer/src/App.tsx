/** The frame every page shares: the navigation, the page, and a status line about the live connection. */
import { useEffect, useRef } from 'react';
import { ClipDetail } from './clips/ClipDetail.tsx';
import { ClipsPage } from './clips/ClipsPage.tsx';
import { useLive, useLiveStats } from './live/context.ts';
import { CardsPage } from './pages/CardsPage.tsx';
import { JobsPage } from './pages/JobsPage.tsx';
import { OffloadPage } from './pages/OffloadPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { useRoute, type Route } from './router.ts';

const NAV: { page: Route['page']; href: string; label: string }[] = [
  { page: 'cards', href: '#/cards', label: 'Cards' },
  { page: 'offload', href: '#/offload', label: 'New offload' },
  { page: 'jobs', href: '#/jobs', label: 'Jobs' },
  { page: 'clips', href: '#/clips', label: 'Clips' },
  { page: 'settings', href: '#/settings', label: 'Settings' },
];

const CONNECTION_LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', down: 'Disconnected: reload the page' } as const;

function StatusBar() {
  const { connection } = useLive();
  const stats = useLiveStats();
  return (
    <footer className="status" data-connection={connection} data-events={stats.total} data-lag-ms={stats.lagMs} data-max-lag-ms={stats.maxLagMs} data-peak-per-second={stats.peakPerSecond}>
      <span className={`dot dot-${connection}`} aria-hidden="true" />
      <span role="status">{CONNECTION_LABELS[connection]}</span>
      <span className="muted">
        {stats.perSecond} events/s · {stats.lagMs} ms behind
      </span>
    </footer>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'cards':
      return <CardsPage />;
    case 'offload':
      return <OffloadPage />;
    case 'jobs':
      return <JobsPage />;
    case 'clips':
      return <ClipsPage q={route.q} view={route.view} />;
    case 'clip':
      return <ClipDetail id={route.id} />;
    case 'settings':
      return <SettingsPage />;
  }
}

export function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const current = route.page === 'clip' ? 'clips' : route.page;
  // A new page: its title for the window and the focus where a screen reader starts reading.
  useEffect(() => {
    const label = NAV.find((n) => n.page === current)?.label ?? 'Rushes';
    document.title = `${label} · Rushes`;
  }, [current]);
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to the page
      </a>
      <header className="top">
        <span className="brand">Rushes</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.map((n) => (
              <li key={n.page}>
                <a href={n.href} aria-current={current === n.page ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
      <StatusBar />
    </>
  );
}
