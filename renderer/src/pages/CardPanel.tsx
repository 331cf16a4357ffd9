/** One card: what it is, where it stands, a live bar per destination, and what can be done with it now. */
import { memo, useEffect, useId, useState, type FormEvent } from 'react';
import { post } from '../api/client.ts';
import type { Card, Job, OffloadProgress } from '../api/types.ts';
import { Bar } from '../components/Bar.tsx';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { StateBadge } from '../components/StateBadge.tsx';
import { desktop } from '../desktop.ts';
import { formatBytes, formatCount, formatDuration, formatRate, formatTime, lastFolder } from '../format.ts';
import { destinationsOf, VERIFY_LABELS, type DestinationView } from '../live/destinations.ts';
import { cardName, describeError } from '../live/notify.ts';

const CAMERA_NAMES: Record<string, string> = { arri: 'ARRI', red: 'RED', sony: 'Sony', canon: 'Canon', blackmagic: 'Blackmagic', 'dpx-sequence': 'DPX', 'exr-sequence': 'EXR', generic: 'Other' };

function DestinationRow({ d, name }: { d: DestinationView; name: string }) {
  const p = d.progress;
  const running = d.state === 'copying' || d.state === 'verifying';
  return (
    <li className={`destination destination-${d.state}`}>
      <div className="destination-head">
        <span className="destination-name">{d.path}</span>
        <span className="destination-state">{VERIFY_LABELS[d.state]}</span>
      </div>
      <Bar label={`${name} to ${d.path}`} value={d.copied} second={d.verified} failed={d.state === 'failed'} />
      {p ? (
        <div className="destination-numbers">
          <span>
            {formatBytes(p.bytesDone)} of {formatBytes(p.bytesTotal)}
          </span>
          <span>
            {formatCount(p.filesDone)} / {formatCount(p.filesTotal)} files
          </span>
          {running ? <span>{formatRate(p.rate)}</span> : null}
          {running ? <span>ETA {formatDuration(p.etaSeconds)}</span> : null}
        </div>
      ) : null}
      {d.error ? <p className="note note-error">{describeError(d.error)}</p> : null}
    </li>
  );
}

function ConflictAction({ card, act }: { card: Card; act(body: unknown, what: string): void }) {
  const [roll, setRoll] = useState(`${card.roll ?? 'ROLL'}_B`);
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    act({ roll: roll.trim() }, 'offload under another roll');
  };
  return (
    <form className="row" onSubmit={submit}>
      <label htmlFor={id}>New roll name</label>
      <input id={id} type="text" value={roll} onChange={(e) => setRoll(e.target.value)} required pattern="[^/\\]+" />
      <button type="submit">Offload as {roll || '…'}</button>
    </form>
  );
}

export const CardPanel = memo(function CardPanel({ card, job, live, lastFile }: { card: Card; job?: Job; live?: OffloadProgress; lastFile?: string }) {
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState<string>();
  const name = cardName(card, card.id);
  const destinations = destinationsOf(card, job, live);
  // "Queued" says nothing once the card has moved on.
  useEffect(() => setMessage(undefined), [card.state]);

  const act = (body: unknown, what: string) => {
    setBusy(true);
    setError(undefined);
    setMessage(undefined);
    post(`/api/cards/${card.id}/offload`, body)
      .then(() => setMessage(`${what}: queued`), setError)
      .finally(() => setBusy(false));
  };
  const eject = () => {
    setBusy(true);
    setError(undefined);
    const bridge = desktop();
    const done = bridge ? bridge.eject(card.id) : post<{ message: string }>(`/api/cards/${card.id}/eject`);
    done.then((r) => setMessage(r.message), setError).finally(() => setBusy(false));
  };

  return (
    <article className={`card card-${card.state}`} aria-labelledby={titleId}>
      <header className="card-head">
        <h2 id={titleId}>{name}</h2>
        <StateBadge state={card.state} />
        {card.present ? null : <span className="badge badge-gone">removed</span>}
        {card.cloud ? <span className={`badge badge-cloud-${card.cloud}`}>cloud: {card.cloud}</span> : null}
      </header>
      {card.safeToEject ? (
        <p className="safe" role="status">
          Safe to eject — every destination was read back and matched
        </p>
      ) : null}
      <dl className="facts">
        <div>
          <dt>Camera</dt>
          <dd>{card.camera ? (CAMERA_NAMES[card.camera] ?? card.camera) : '—'}</dd>
        </div>
        <div>
          <dt>Roll</dt>
          <dd>{card.roll ?? '—'}</dd>
        </div>
        <div>
          <dt>Label</dt>
          <dd>{card.label ?? lastFolder(card.path)}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{card.bytes === undefined ? 'measuring…' : `${formatBytes(card.bytes)} · ${formatCount(card.files)} files${card.clips !== undefined ? ` · ${formatCount(card.clips)} clips` : ''}`}</dd>
        </div>
        <div>
          <dt>Detected</dt>
          <dd>{formatTime(card.detectedAt)}</dd>
        </div>
      </dl>
      <p className="path muted">{card.path}</p>
      {destinations.length ? (
        <ul className="destinations plain" aria-label={`Destinations of ${name}`}>
          {destinations.map((d) => (
            <DestinationRow key={d.path} d={d} name={name} />
          ))}
        </ul>
      ) : null}
      {lastFile && card.state === 'offloading' ? <p className="muted last-file">Last copied: {lastFile}</p> : null}
      {card.error ? <p className="note note-error">{describeError(card.error)}</p> : null}
      {card.state === 'duplicate' ? <p className="muted">Already offloaded and verified{card.relatedCard ? ` as card ${card.relatedCard}` : ''}: not copied again.</p> : null}
      {card.state === 'conflict' ? <p className="muted">Its roll folder at a destination holds other content: never merged. Offload it under another roll name.</p> : null}
      <div className="actions">
        {card.state === 'waiting' ? (
          <button type="button" className="primary" disabled={busy} onClick={() => act({}, 'offload')}>
            Start offload
          </button>
        ) : null}
        {(card.state === 'failed' || card.state === 'copied') && card.present ? (
          <button type="button" disabled={busy} onClick={() => act({}, 'offload')}>
            Offload again
          </button>
        ) : null}
        {card.state === 'duplicate' && card.present ? (
          <button type="button" disabled={busy} onClick={() => act({ force: true }, 'copy anyway')}>
            Copy anyway
          </button>
        ) : null}
        {card.state === 'conflict' && card.present ? <ConflictAction card={card} act={act} /> : null}
        {card.safeToEject && card.present ? (
          <button type="button" className="primary" disabled={busy} onClick={eject}>
            Eject {name}
          </button>
        ) : null}
      </div>
      {message ? (
        <p className="note" role="status">
          {message}
        </p>
      ) : null}
      <ErrorNote error={error} />
    </article>
  );
});
