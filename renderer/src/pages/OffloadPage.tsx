/**
 * A new offload by hand: a source, destinations, hashes and how to verify. Sizes are checked
 * as the paths are chosen, and a destination short of space is named before anything starts.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { get, post, withQuery } from '../api/client.ts';
import type { Job, Space } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PathField } from '../components/PathField.tsx';
import { formatBytes, formatCount } from '../format.ts';
import { spaceWarnings } from './space.ts';

const HASHES = ['xxh64', 'xxh3', 'xxh128', 'md5', 'sha1', 'c4'] as const;
const VERIFY_MODES = [
  { value: 'full', label: 'Full: read every byte back from each destination (the card can be marked safe to eject)' },
  { value: 'size', label: 'Size: compare sizes only' },
  { value: 'none', label: 'None: trust the write' },
] as const;

/** Fetches something about a path once it looks like one, keeping the answer for the path it was asked for. */
function usePathInfo<T>(path: string, fetcher: (p: string) => Promise<T>): { value?: T; error?: unknown } {
  const [state, setState] = useState<{ path: string; value?: T; error?: unknown }>({ path: '' });
  useEffect(() => {
    const p = path.trim();
    if (!p.startsWith('/')) return;
    let current = true;
    const timer = setTimeout(() => {
      fetcher(p).then(
        (value) => current && setState({ path: p, value }),
        (error: unknown) => current && setState({ path: p, error }),
      );
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [path, fetcher]);
  return state.path === path.trim() ? state : {};
}

const usage = (p: string) => get<{ bytes: number; files: number }>(withQuery('/api/folders/usage', { path: p }));
const space = (p: string) => get<Space & { path: string }>(withQuery('/api/space', { path: p }));

function DestinationInput({ index, value, onChange, onRemove, onSpace }: { index: number; value: string; onChange(v: string): void; onRemove?: () => void; onSpace(s: Space | undefined): void }) {
  const info = usePathInfo(value, space);
  useEffect(() => onSpace(info.value), [info.value, onSpace]);
  return (
    <li className="destination-input">
      <PathField label={`Destination ${index + 1}`} value={value} onChange={onChange} hint={info.value ? `${formatBytes(info.value.freeBytes)} free on its volume` : undefined} required={index === 0} />
      {onRemove ? (
        <button type="button" onClick={onRemove} aria-label={`Remove destination ${index + 1}`}>
          Remove
        </button>
      ) : null}
    </li>
  );
}

export function OffloadPage() {
  const [source, setSource] = useState('');
  const [destinations, setDestinations] = useState<string[]>(['']);
  const [spaces, setSpaces] = useState<Record<number, Space | undefined>>({});
  const [hashes, setHashes] = useState<string[]>(['xxh64']);
  const [verify, setVerify] = useState<'full' | 'size' | 'none'>('full');
  const [roll, setRoll] = useState('');
  const [sourceVerify, setSourceVerify] = useState(false);
  const [queued, setQueued] = useState<Job>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const sourceInfo = usePathInfo(source, usage);

  const warnings = spaceWarnings(
    sourceInfo.value?.bytes,
    destinations.map((path, i) => ({ path, space: spaces[i] })).filter((d) => d.path.trim()),
  );
  const setDestination = (i: number, v: string) => setDestinations((ds) => ds.map((d, j) => (j === i ? v : d)));
  const spaceSetters = destinations.map((_, i) => (s: Space | undefined) => setSpaces((prev) => (prev[i] === s ? prev : { ...prev, [i]: s })));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setQueued(undefined);
    const body = { source: source.trim(), destinations: destinations.map((d) => d.trim()).filter(Boolean), hashes, verify, sourceVerify, ...(roll.trim() ? { roll: roll.trim() } : {}) };
    post<{ job: Job }>('/api/offloads', body)
      .then((r) => setQueued(r.job), setError)
      .finally(() => setBusy(false));
  };

  return (
    <>
      <div className="page-head">
        <h1>New offload</h1>
      </div>
      <form className="form" onSubmit={submit} aria-describedby={warnings.length ? 'space-warnings' : undefined}>
        <fieldset>
          <legend>Source</legend>
          <PathField label="Source (card or folder)" value={source} onChange={setSource} required />
          <p className="hint" aria-live="polite">
            {sourceInfo.value ? `${formatBytes(sourceInfo.value.bytes)} in ${formatCount(sourceInfo.value.files)} files` : null}
          </p>
          <ErrorNote error={sourceInfo.error} />
          <label>
            Roll name (default: the source folder's name)
            <input type="text" value={roll} onChange={(e) => setRoll(e.target.value)} pattern="[^/\\]+" />
          </label>
        </fieldset>
        <fieldset>
          <legend>Destinations</legend>
          <ul className="plain">
            {destinations.map((d, i) => (
              <DestinationInput
                key={i}
                index={i}
                value={d}
                onChange={(v) => setDestination(i, v)}
                onSpace={spaceSetters[i]!}
                onRemove={destinations.length > 1 ? () => setDestinations((ds) => ds.filter((_, j) => j !== i)) : undefined}
              />
            ))}
          </ul>
          <button type="button" onClick={() => setDestinations((ds) => [...ds, ''])}>
            Add a destination
          </button>
        </fieldset>
        {warnings.length ? (
          <div id="space-warnings" className="note note-warning" role="alert">
            <strong>Not enough space:</strong>
            <ul>
              {warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </div>
        ) : null}
        <fieldset>
          <legend>Hashes</legend>
          <div className="checks">
            {HASHES.map((h) => (
              <label key={h} className="check">
                <input type="checkbox" checked={hashes.includes(h)} onChange={(e) => setHashes((hs) => (e.target.checked ? [...hs, h] : hs.filter((x) => x !== h)))} />
                {h}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Verify</legend>
          {VERIFY_MODES.map((m) => (
            <label key={m.value} className="check">
              <input type="radio" name="verify" value={m.value} checked={verify === m.value} onChange={() => setVerify(m.value)} />
              {m.label}
            </label>
          ))}
          <label className="check">
            <input type="checkbox" checked={sourceVerify} onChange={(e) => setSourceVerify(e.target.checked)} />
            Also read the source again after copying (catches a flaky reader or cable)
          </label>
        </fieldset>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || hashes.length === 0}>
            Start offload
          </button>
        </div>
        <ErrorNote error={error} title="Not started" />
        {queued ? (
          <p className="note" role="status">
            Queued as job {queued.id}. Follow it on the <a href="#/jobs">Jobs</a> page.
          </p>
        ) : null}
      </form>
    </>
  );
}
