/** Starts the page: signs in (session.ts), opens the live store, draws the app. */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { firstLoad, openSession, takeTokenFromLocation } from './api/session.ts';
import { App } from './App.tsx';
import { ErrorNote } from './components/ErrorNote.tsx';
import { LiveContext } from './live/context.ts';
import { CARDS_PATH, LiveStore, type CardList } from './live/store.ts';
import { SignIn } from './SignIn.tsx';
import './styles.css';

function Root({ initial }: { initial?: CardList }) {
  const [ready, setReady] = useState(initial !== undefined);
  const [store] = useState(() => new LiveStore(initial));
  useEffect(() => {
    if (!ready) return;
    store.start();
    return () => store.stop();
  }, [ready, store]);
  if (!ready) return <SignIn onSignedIn={() => setReady(true)} />;
  return (
    <LiveContext.Provider value={store}>
      <App />
    </LiveContext.Provider>
  );
}

async function boot(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  try {
    const token = takeTokenFromLocation(window.location, window.history);
    if (token) await openSession(token);
    root.render(
      <StrictMode>
        <Root initial={await firstLoad<CardList>(CARDS_PATH)} />
      </StrictMode>,
    );
  } catch (e) {
    root.render(<ErrorNote error={e} title="Rushes cannot reach its daemon" />);
  }
}

void boot();
