/** A path on the daemon's machine: typed, picked in the folder browser, or (desktop window) in the system's picker. */
import { useState } from 'react';
import { desktop } from '../desktop.ts';
import { FolderPicker } from './FolderPicker.tsx';

export function PathField({ label, value, onChange, hint, required }: { label: string; value: string; onChange(v: string): void; hint?: string; required?: boolean }) {
  const [browsing, setBrowsing] = useState(false);
  const bridge = desktop();
  return (
    <div className="path-field">
      <label className="grow">
        {label}
        <input type="text" value={value} onChange={(e) => onChange(e.target.value)} required={required} spellCheck={false} placeholder="/absolute/path" />
      </label>
      <button type="button" onClick={() => setBrowsing(true)} aria-label={`Browse for ${label}`}>
        Browse…
      </button>
      {bridge ? (
        <button type="button" onClick={() => void bridge.pickFolder(label).then((p) => p && onChange(p))} aria-label={`System folder picker for ${label}`}>
          System picker…
        </button>
      ) : null}
      {hint ? <p className="hint">{hint}</p> : null}
      {browsing ? (
        <FolderPicker
          title={label}
          start={value || undefined}
          onClose={() => setBrowsing(false)}
          onPick={(p) => {
            onChange(p);
            setBrowsing(false);
          }}
        />
      ) : null}
    </div>
  );
}
