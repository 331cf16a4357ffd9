/**
 * Clips as a grid of poster frames or as a list, virtualised (virtual.ts): only what is on
 * screen is drawn. One tab stop: the arrows, Home, End and Page Up/Down move between clips,
 * Enter opens one (a roving tabindex, so a keyboard never has to tab through 10,000 links).
 */
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Clip } from '../api/types.ts';
import { formatBytes } from '../format.ts';
import type { ClipPages } from './use-clip-pages.ts';
import { PAGE_SIZE } from './use-clip-pages.ts';
import { layout, moveIndex, pagesOf, position, visibleRange } from './virtual.ts';

const GRID = { minCellWidth: 248, rowHeight: 236 };
// One column, however wide.
const LIST = { minCellWidth: Infinity, rowHeight: 56 };

function ClipCell({ clip, view }: { clip: Clip; view: 'grid' | 'list' }) {
  const r = clip.record;
  const camera = [r.camera.make, r.camera.model].filter(Boolean).join(' ');
  const tc = r.timecode?.start;
  if (view === 'list') {
    return (
      <>
        <span className="clip-name">{r.clipName}</span>
        <span>{r.roll ?? '—'}</span>
        <span className="mono">{tc ?? '—'}</span>
        <span>{camera || '—'}</span>
        <span>{r.video.codec ?? r.container ?? '—'}</span>
        <span>{r.video.width && r.video.height ? `${r.video.width}×${r.video.height}` : '—'}</span>
        <span>{formatBytes(r.source.size)}</span>
      </>
    );
  }
  return (
    <>
      {clip.thumbnail ? <img src={clip.thumbnail} alt="" loading="lazy" decoding="async" width={224} height={126} /> : <span className="no-poster">No poster ({r.container ?? r.kind})</span>}
      <span className="clip-name">{r.clipName}</span>
      <span className="muted">
        {r.roll ?? '—'} · {tc ?? 'no TC'}
      </span>
    </>
  );
}

export function ClipView({ pages, view, onUsable }: { pages: ClipPages; view: 'grid' | 'list'; onUsable?: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  const focusActive = useRef(false);
  const total = pages.total ?? 0;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setSize({ width: el.clientWidth, height: el.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const geometry = layout(total, Math.max(1, size.width), view === 'grid' ? GRID : LIST);
  const { first, last } = visibleRange(geometry, total, scrollTop, size.height || 800);
  const wanted = pagesOf(first, last, PAGE_SIZE).join(',');
  useEffect(() => {
    pages.want(wanted ? wanted.split(',').map(Number) : []);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted, pages.want]);

  const shown: number[] = [];
  for (let i = first; i <= last; i++) shown.push(i);
  const ready = shown.length > 0 && pages.clipAt(first) !== undefined;
  useEffect(() => {
    if (ready) onUsable?.();
  }, [ready, onUsable]);

  // After a key moved the active clip, focus follows it (once it is drawn).
  useEffect(() => {
    if (!focusActive.current) return;
    const el = box.current?.querySelector<HTMLElement>(`[data-index="${active}"]`);
    if (el) {
      el.focus({ preventScroll: true });
      focusActive.current = false;
    }
  });

  const onKeyDown = (e: KeyboardEvent) => {
    const next = moveIndex(e.key, active, total, geometry.columns, Math.max(1, Math.floor((size.height || 800) / geometry.rowHeight) - 1));
    if (next === undefined) return;
    e.preventDefault();
    setActive(next);
    focusActive.current = true;
    const el = box.current!;
    const { top } = position(geometry, next);
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + geometry.rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + geometry.rowHeight - el.clientHeight;
  };

  return (
    <div ref={box} className={`clip-scroll clip-${view}`} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} onKeyDown={onKeyDown}>
      <div className="clip-space" style={{ height: geometry.height }} role="list" aria-label={`Clips: ${total}`}>
        {shown.map((i) => {
          const clip = pages.clipAt(i);
          const { top, left } = position(geometry, i);
          const style = { top, left, width: geometry.cellWidth, height: geometry.rowHeight };
          return (
            <div key={i} role="listitem" aria-setsize={total} aria-posinset={i + 1} className="clip-slot" style={style}>
              {clip ? (
                <a className="clip-cell" href={`#/clips/${clip.id}`} data-index={i} tabIndex={i === active ? 0 : -1} onFocus={() => setActive(i)}>
                  <ClipCell clip={clip} view={view} />
                </a>
              ) : (
                <span className="clip-cell loading" data-index={i} tabIndex={i === active ? 0 : -1}>
                  Loading…
                </span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
