/**
 * The daemon's config, edited in a form drawn from schemas/config.schema.json (served by
 * GET /api/config), checked in the page before it is sent, checked again and saved by the
 * daemon (PUT /api/config), which applies at once what it can and says what waits for a
 * restart.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { get, put } from '../api/client.ts';
import type { Config, ConfigSaved, ConfigView } from '../api/types.ts';
import { ErrorNote } from '../components/ErrorNote.tsx';
import { useStore } from '../live/context.ts';
import { labelOf } from '../settings/schema.ts';
import { Section } from '../settings/SchemaField.tsx';
import { validate, type Problem } from '../settings/validate.ts';

const withoutSchemaNote = ({ $schema: _s, ...rest }: Config): Config => rest;
const describePath = (path: string) => path.split('.').map((p) => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : labelOf(p))).join(' › ');

export function SettingsPage() {
  const [view, setView] = useState<ConfigView>();
  const [draft, setDraft] = useState<Config>({});
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<ConfigSaved>();
  const [busy, setBusy] = useState(false);
  const live = useStore();

  useEffect(() => {
    get<ConfigView>('/api/config').then((v) => {
      setView(v);
      setDraft(withoutSchemaNote(v.config));
    }, setError);
  }, []);

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!view) return;
    const found = validate(view.schema, draft);
    setProblems(found);
    setSaved(undefined);
    setError(undefined);
    if (found.length) {
      // Focus the first field at fault, so a keyboard lands where the fix is.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.problems a')?.focus());
      return;
    }
    setBusy(true);
    put<ConfigSaved>('/api/config', draft)
      .then((r) => {
        setSaved(r);
        setDraft(withoutSchemaNote(r.config));
        setView({ ...view, config: r.config, restartRequired: r.restartRequired });
        // Whether the daemon now watches for cards (the Cards page says so) changed with the ingest.
        if (r.applied.length) void live.refresh();
      }, setError)
      .finally(() => setBusy(false));
  };

  if (!view) return error ? <ErrorNote error={error} title="Settings" /> : <p className="muted">Loading settings…</p>;
  const problemMap = new Map(problems.map((p) => [p.path, p.message]));
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
        <p className="muted">{view.file ? `Saved to ${view.file}` : 'This daemon has no config file: settings cannot be saved.'}</p>
      </div>
      {view.restartRequired.length ? (
        <p className="note note-warning">Saved but waiting for a restart of the daemon: {view.restartRequired.map(describePath).join(', ')}.</p>
      ) : null}
      <form className="form settings" onSubmit={save} noValidate>
        <Section name="settings" path="" schema={view.schema} value={draft} required onChange={(v) => setDraft((v as Config) ?? {})} ctx={{ liveKeys: view.liveKeys, problems: problemMap }} top />
        {problems.length ? (
          <div className="note note-error problems" role="alert">
            <strong>Not saved: {problems.length === 1 ? 'one setting needs' : `${problems.length} settings need`} fixing.</strong>
            <ul>
              {problems.map((p) => (
                <li key={`${p.path}:${p.message}`}>
                  <a
                    href={`#/settings`}
                    onClick={(e) => {
                      e.preventDefault();
                      document.querySelector<HTMLElement>(`[data-path="${CSS.escape(p.path)}"] input, [data-path="${CSS.escape(p.path)}"] select, [data-path="${CSS.escape(p.path)}"] button`)?.focus();
                    }}
                  >
                    {describePath(p.path)}
                  </a>{' '}
                  {p.message}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <ErrorNote error={error} title="Not saved" />
        {saved ? (
          <div className="note" role="status">
            Saved to {saved.file}.{' '}
            {saved.applied.length ? `Applied now: ${saved.applied.map(describePath).join(', ')}.` : 'Nothing changed that applies at once.'}{' '}
            {saved.restartRequired.length ? `Needs a restart of the daemon: ${saved.restartRequired.map(describePath).join(', ')}.` : ''}
          </div>
        ) : null}
        <div className="actions sticky-actions">
          <button type="submit" className="primary" disabled={busy || !view.file}>
            Save settings
          </button>
        </div>
      </form>
    </>
  );
}
