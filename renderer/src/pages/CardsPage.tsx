/** Every detected card, newest first, live. */
import { useEffect } from 'react';
import { useLive } from '../live/context.ts';
import { cardsInOrder } from '../live/live-data.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { CardPanel } from './CardPanel.tsx';

export function CardsPage() {
  const { data, loaded, error } = useLive();
  const cards = cardsInOrder(data);
  useEffect(() => {
    // A mark the UI benchmark reads: the Cards page shows what the daemon knows.
    if (loaded) performance.mark('rushes:cards-usable');
  }, [loaded]);
  const safe = cards.filter((c) => c.safeToEject && c.present).length;
  const busy = cards.filter((c) => c.state === 'offloading').length;
  return (
    <>
      <div className="page-head">
        <h1>Cards</h1>
        <p className="muted" aria-live="polite">
          {cards.length} cards · {busy} offloading · {safe} safe to eject
        </p>
      </div>
      {error ? <ErrorNote error={{ message: error }} /> : null}
      {loaded && !data.watching ? (
        <p className="note">
          This daemon is not watching for cards. Add watch folders and destinations in <a href="#/settings">Settings</a>, or start an offload by hand in{' '}
          <a href="#/offload">New offload</a>.
        </p>
      ) : null}
      {loaded && cards.length === 0 && data.watching ? <p className="empty">No cards yet. Insert a card, or copy one into a watch folder.</p> : null}
      <div className="cards" data-ready={loaded ? 'true' : 'false'}>
        {cards.map((c) => (
          <CardPanel key={c.id} card={c} job={c.jobId === undefined ? undefined : data.offloads.get(c.jobId)} live={c.jobId === undefined ? undefined : data.progress.get(c.jobId)} lastFile={c.jobId === undefined ? undefined : data.lastFile.get(c.jobId)} />
        ))}
      </div>
    </>
  );
}
