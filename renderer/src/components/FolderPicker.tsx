/**
 * A folder browser over the daemon's disks (GET /api/volumes, /api/folders): the volumes
 * with their free space, the ingest's watch folders and destinations, and each folder's
 * sub-folders. A modal <dialog>: focus stays inside, Escape closes it, every part is a
 * button or a field. In the desktop window the system's own picker is offered beside it.
 * It is drawn at the end of the page, not inside the form whose field it fills: a form in a
 * form would send the outer one when Enter is pressed in the path.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { get, withQuery } from '../api/client.ts';
import type { FolderListing, Place, Volume } from '../api/types.ts';
import { formatBytes } from '../format.ts';
import { ErrorNote } from './ErrorNote.tsx';

const PLACE_LABELS: Record<Place['kind'], string> = { home: 'Home', watch: 'Watch folder', destination: 'Destination' };

export function FolderPicker({ title, start, onPick, onClose }: { title: string; start?: string; onPick(path: string): void; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [path, setPath] = useState(start ?? '');
  const [typed, setTyped] = useState(start ?? '');
  const [listing, setListing] = useState<FolderListing>();
  const [roots, setRoots] = useState<{ volumes: Volume[]; places: Place[] }>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  useEffect(() => {
    get<{ volumes: Volume[]; places: Place[] }>('/api/volumes').then(setRoots, setError);
  }, []);
  useEffect(() => {
    if (!path) return;
    let current = true;
    get<FolderListing>(withQuery('/api/folders', { path })).then(
      (l) => {
        if (!current) return;
        setListing(l);
        setTyped(l.path);
        setError(undefined);
      },
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [path]);

  const open = () => setPath(typed.trim());
  const openOnEnter = (e: KeyboardEvent) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    open();
  };

  return createPortal(
    <dialog ref={dialog} className="picker" aria-labelledby={titleId} onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      <div className="row">
        <label className="grow">
          Folder
          <input type="text" value={typed} onChange={(e) => setTyped(e.target.value)} onKeyDown={openOnEnter} placeholder="/media/RAID1/Show" spellCheck={false} />
        </label>
        <button type="button" onClick={open}>
          Open
        </button>
      </div>
      <ErrorNote error={error} />
      <div className="picker-body">
        <section aria-label="Volumes and places" className="picker-roots">
          <h3>Volumes</h3>
          <ul className="plain">
            {roots?.volumes.map((v) => (
              <li key={v.path}>
                <button type="button" className="link-button" onClick={() => setPath(v.path)}>
                  {v.name} <span className="muted">{formatBytes(v.freeBytes)} free of {formatBytes(v.totalBytes)}</span>
                </button>
              </li>
            ))}
          </ul>
          <h3>Places</h3>
          <ul className="plain">
            {roots?.places.map((p) => (
              <li key={`${p.kind}:${p.path}`}>
                <button type="button" className="link-button" onClick={() => setPath(p.path)}>
                  {PLACE_LABELS[p.kind]} <span className="muted">{p.path}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section aria-label={listing ? `Folders in ${listing.path}` : 'Folders'} className="picker-folders">
          {listing ? (
            <>
              <p className="muted">
                {listing.path} · {formatBytes(listing.space.freeBytes)} free
              </p>
              <ul className="plain">
                {listing.parent ? (
                  <li>
                    <button type="button" className="link-button" onClick={() => setPath(listing.parent!)}>
                      ↑ Up to {listing.parent}
                    </button>
                  </li>
                ) : null}
                {listing.folders.map((f) => (
                  <li key={f.path}>
                    <button type="button" className="link-button" onClick={() => setPath(f.path)}>
                      {f.name}/
                    </button>
                  </li>
                ))}
                {listing.folders.length === 0 ? <li className="muted">No folders here.</li> : null}
                {listing.truncated ? <li className="muted">More folders than shown: type the path.</li> : null}
              </ul>
            </>
          ) : (
            <p className="muted">Choose a volume or a place, or type a path.</p>
          )}
        </section>
      </div>
      <div className="row end">
        <button type="button" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={!typed.trim().startsWith('/')} onClick={() => onPick(listing?.path === typed.trim() ? listing.path : typed.trim())}>
          Use this folder
        </button>
      </div>
    </dialog>,
    document.body,
  );
}
