/** Render a proxy or a plate of one clip (POST /api/renders); the job then shows on the Jobs page. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { post } from '../api/client.ts';
import type { ClipRecord, Job } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { PathField } from '../components/PathField.tsx';
import { plateDefaults } from './plate.ts';

function useSubmit(): { busy: boolean; error?: unknown; queued?: { job: Job; warnings: string[] }; send(body: unknown): void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [queued, setQueued] = useState<{ job: Job; warnings: string[] }>();
  return {
    busy,
    error,
    queued,
    send(body) {
      setBusy(true);
      setError(undefined);
      setQueued(undefined);
      post<{ job: Job; warnings: string[] }>('/api/renders', body)
        .then(setQueued, setError)
        .finally(() => setBusy(false));
    },
  };
}

function Outcome({ s }: { s: ReturnType<typeof useSubmit> }) {
  return (
    <>
      <ErrorNote error={s.error} title="Not queued" />
      {s.queued ? (
        <p className="note" role="status">
          Queued as job {s.queued.job.id} (<a href="#/jobs">Jobs</a>){s.queued.warnings.length ? `. ${s.queued.warnings.join(' ')}` : ''}
        </p>
      ) : null}
    </>
  );
}

function RenderForm({ legend, onSubmit, busy, children }: { legend: string; onSubmit(): void; busy: boolean; children: ReactNode }) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <form className="form render-form" onSubmit={submit}>
      <fieldset>
        <legend>{legend}</legend>
        {children}
        <button type="submit" className="primary" disabled={busy}>
          {legend}
        </button>
      </fieldset>
    </form>
  );
}

export function ProxyForm({ clipId, defaultOut }: { clipId: number; defaultOut: string }) {
  const s = useSubmit();
  const [out, setOut] = useState(defaultOut);
  const [codec, setCodec] = useState('h264');
  const [height, setHeight] = useState(1080);
  const [burnIn, setBurnIn] = useState(true);
  return (
    <RenderForm legend="Render a proxy" busy={s.busy} onSubmit={() => s.send({ fn: 'proxy', clipId, out, codec, height, burnIn })}>
      <PathField label="Proxy folder" value={out} onChange={setOut} required />
      <div className="row">
        <label>
          Codec
          <select value={codec} onChange={(e) => setCodec(e.target.value)}>
            <option value="h264">H.264</option>
            <option value="prores_proxy">ProRes Proxy</option>
            <option value="prores_lt">ProRes LT</option>
            <option value="dnxhr_lb">DNxHR LB</option>
          </select>
        </label>
        <label>
          Height
          <input type="number" min={16} max={8640} value={height} onChange={(e) => setHeight(Number(e.target.value))} />
        </label>
        <label className="check">
          <input type="checkbox" checked={burnIn} onChange={(e) => setBurnIn(e.target.checked)} />
          Burn in name, roll and timecode
        </label>
      </div>
      <Outcome s={s} />
    </RenderForm>
  );
}

export function PlateForm({ clipId, record, defaultOut }: { clipId: number; record: ClipRecord; defaultOut: string }) {
  const s = useSubmit();
  const frames = Math.max(1, record.durationFrames ?? record.sequence?.frameCount ?? 1);
  const lastFrame = frames - 1;
  const defaults = plateDefaults(frames);
  const [out, setOut] = useState(defaultOut);
  const [first, setFirst] = useState(defaults.first);
  const [last, setLast] = useState(defaults.last);
  const [handles, setHandles] = useState(defaults.handles);
  const [format, setFormat] = useState('exr');
  return (
    <RenderForm legend="Render a plate" busy={s.busy} onSubmit={() => s.send({ fn: 'plate', clipId, out, frames: [first, last], handles, format })}>
      <PathField label="Plate folder" value={out} onChange={setOut} required />
      <div className="row">
        <label>
          First frame
          <input type="number" min={0} max={lastFrame} value={first} onChange={(e) => setFirst(Number(e.target.value))} />
        </label>
        <label>
          Last frame
          <input type="number" min={0} max={lastFrame} value={last} onChange={(e) => setLast(Number(e.target.value))} />
        </label>
        <label>
          Handles
          <input type="number" min={0} max={1000} value={handles} onChange={(e) => setHandles(Number(e.target.value))} />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value)}>
            <option value="exr">OpenEXR</option>
            <option value="dpx">DPX</option>
          </select>
        </label>
      </div>
      <Outcome s={s} />
    </RenderForm>
  );
}
