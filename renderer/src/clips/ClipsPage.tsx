/** The inspected clips: search with the query language of `rushes clips search`, as a grid of posters or a list. */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { formatCount } from '../format.ts';
import { useLive } from '../live/context.ts';
import { clipsHref, replaceRoute } from '../router.ts';
import { ClipView } from './ClipView.tsx';
import { useClipPages } from './use-clip-pages.ts';

const EXAMPLES = ['roll:A001', 'iso:800', 'iso:>=1600', 'fps:23.976', 'camera:alexa', 'lens:"signature prime"', '"scene 12"', 'status:failed'];

export function ClipsPage({ q, view }: { q: string; view: 'grid' | 'list' }) {
  const { data } = useLive();
  const [typed, setTyped] = useState(q);
  const search = useRef<HTMLInputElement>(null);
  const pages = useClipPages(q, data.clipsVersion);
  const onUsable = useCallback(() => performance.mark('rushes:clips-usable'), []);

  useEffect(() => setTyped(q), [q]);
  // "/" jumps to the search box, as on many sites.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement)) {
        e.preventDefault();
        search.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    replaceRoute(clipsHref(typed.trim(), view));
  };

  return (
    <>
      <div className="page-head">
        <h1>Clips</h1>
        <form className="row search" role="search" onSubmit={submit}>
          <label className="grow">
            Search clips
            <input ref={search} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder='roll:A001 iso:800 "scene 12"' spellCheck={false} />
          </label>
          <button type="submit">Search</button>
        </form>
        <div className="row" role="group" aria-label="View">
          <a className="button" href={clipsHref(q, 'grid')} aria-current={view === 'grid' ? 'page' : undefined}>
            Grid
          </a>
          <a className="button" href={clipsHref(q, 'list')} aria-current={view === 'list' ? 'page' : undefined}>
            List
          </a>
        </div>
      </div>
      <details className="help">
        <summary>Search syntax</summary>
        <p>
          Words and "quoted phrases" search every field; <code>field:value</code> narrows to one (clip, roll, reel, scene, take, camera, lens, look, codec, status); numbers compare (iso, wb,
          shutter, focal, fps, width). Examples:
        </p>
        <ul className="examples">
          {EXAMPLES.map((x) => (
            <li key={x}>
              <a href={clipsHref(x, view)}>
                <code>{x}</code>
              </a>
            </li>
          ))}
        </ul>
      </details>
      <ErrorNote error={pages.error} title="Search failed" />
      <p className="muted" aria-live="polite">
        {pages.total === undefined ? 'Loading…' : `${formatCount(pages.total)} clips${q ? ` match ${q}` : ''}`}
      </p>
      {view === 'list' ? (
        <div className="clip-list-head" aria-hidden="true">
          <span>Clip</span>
          <span>Roll</span>
          <span>TC in</span>
          <span>Camera</span>
          <span>Codec</span>
          <span>Resolution</span>
          <span>Size</span>
        </div>
      ) : null}
      <ClipView pages={pages} view={view} onUsable={onUsable} />
    </>
  );
}
