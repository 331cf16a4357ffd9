/** One clip: its poster, the normalised record, the raw vendor metadata folded away, and renders. */
import { useEffect, useState } from 'react';
import { get } from '../api/client.ts';
import type { Clip } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { describeError } from '../live/notify.ts';
import { clipFacts } from './clip-facts.ts';
import { PlateForm, ProxyForm } from './RenderForms.tsx';

export function ClipDetail({ id }: { id: number }) {
  const [clip, setClip] = useState<Clip>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setClip(undefined);
    get<Clip>(`/api/clips/${id}`).then(setClip, setError);
  }, [id]);

  if (error) return <ErrorNote error={error} title={`Clip ${id}`} />;
  if (!clip) return <p className="muted">Loading clip {id}…</p>;
  const r = clip.record;
  const rollFolder = r.source.root;
  const outBase = rollFolder.replace(/\/[^/]+\/?$/, '');
  return (
    <>
      <div className="page-head">
        <p>
          <a href="#/clips">← All clips</a>
        </p>
        <h1>{r.clipName}</h1>
        <span className={`badge badge-${clip.status === 'ok' ? 'succeeded' : clip.status === 'partial' ? 'copied' : 'failed'}`}>inspection {clip.status}</span>
      </div>
      <div className="clip-detail">
        <div className="poster">{clip.thumbnail ? <img src={clip.thumbnail} alt={`Poster frame of ${r.clipName}`} /> : <p className="no-poster">No poster frame: ffmpeg cannot decode {r.container ?? 'this format'}.</p>}</div>
        <div className="facts-groups">
          {clipFacts(r).map((g) => (
            <section key={g.title} aria-label={g.title}>
              <h2>{g.title}</h2>
              <dl className="facts">
                {g.facts.map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
      {r.inspection.issues.length ? (
        <section aria-label="Inspection issues">
          <h2>Issues</h2>
          <ul>
            {r.inspection.issues.map((i, n) => (
              <li key={n}>
                {i.code}: {describeError(i)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <details className="raw">
        <summary>Raw vendor metadata</summary>
        <pre tabIndex={0}>{JSON.stringify(r.raw ?? {}, null, 2)}</pre>
      </details>
      <div className="render-forms">
        <ProxyForm clipId={clip.id} defaultOut={`${outBase}/proxies`} />
        <PlateForm clipId={clip.id} record={r} defaultOut={`${outBase}/plates`} />
      </div>
    </>
  );
}
