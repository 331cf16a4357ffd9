/** Starts the page: signs in (session.ts), opens the live store, draws the app. */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { openSession, signedIn, takeTokenFromLocation } from './api/session.ts';
import { App } from './App.tsx';
import { ErrorNote } from './components/ErrorNote.tsx';
import { LiveContext } from './live/context.ts';
import { LiveStore } from './live/store.ts';
import { SignIn } from './SignIn.tsx';
import './styles.css';

function Root({ initiallySignedIn }: { initiallySignedIn: boolean }) {
  const [ready, setReady] = useState(initiallySignedIn);
  const [store] = useState(() => new LiveStore());
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
        <Root initiallySignedIn={await signedIn()} />
      </StrictMode>,
    );
  } catch (e) {
    root.render(<ErrorNote error={e} title="Rushes cannot reach its daemon" />);
  }
}

void boot();
