/** Asks for the daemon's API token when the page has no session (a daemon reachable beyond this machine). */
import { useState, type FormEvent } from 'react';
import { openSession } from './api/session.ts';
import { ErrorNote } from './components/ErrorNote.tsx';

export function SignIn({ onSignedIn }: { onSignedIn(): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    openSession(token.trim()).then(onSignedIn, setError);
  };
  return (
    <main id="main" className="sign-in">
      <h1>Rushes</h1>
      <form className="form" onSubmit={submit}>
        <label>
          API token
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="current-password" required />
        </label>
        <p className="hint">The token the daemon was started with (--token, RUSHES_TOKEN or "token" in its config).</p>
        <button type="submit" className="primary">
          Sign in
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
