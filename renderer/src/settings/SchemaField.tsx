/**
 * One field of the Settings form, drawn from its JSON Schema (schema.ts picks the widget).
 * An absent key means "the default": every input can go back to it, and only keys that were
 * set are saved. Problems found by validate.ts show beside their field.
 */
import { useId, useState, type ReactNode } from 'react';
import type { JsonSchema } from '../api/types.ts';
import { PathField } from '../components/PathField.tsx';
import { isLive, itemLabelOf, labelOf, orderedKeys, widgetFor, withValue } from './schema.ts';

export interface FieldContext {
  liveKeys: readonly string[];
  problems: ReadonlyMap<string, string>;
  /** Inside a section whose keys differ in liveness (render): each field says its own. */
  mixedParent?: boolean;
}

interface Props {
  name: string;
  path: string;
  schema: JsonSchema;
  value: unknown;
  required?: boolean;
  onChange(v: unknown): void;
  ctx: FieldContext;
}

/** "applied at once" or "needs a restart", for a section or a field whose neighbours differ. */
function Liveness({ path, ctx }: { path: string; ctx: FieldContext }) {
  const live = isLive(path, ctx.liveKeys);
  return <span className={`badge ${live ? 'badge-live' : 'badge-restart'}`}>{live ? 'applied at once' : 'needs a restart'}</span>;
}

/** The label, hint and problem around an input; the input gets their ids. */
function Labelled({ label, path, schema, ctx, children, badge }: { label: string; path: string; schema: JsonSchema; ctx: FieldContext; badge?: ReactNode; children: (ids: { input: string; describedBy?: string; invalid: boolean }) => ReactNode }) {
  const input = useId();
  const hint = useId();
  const problemId = useId();
  const problem = ctx.problems.get(path);
  const describedBy = [schema.description ? hint : '', problem ? problemId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${problem ? ' field-invalid' : ''}`} data-path={path}>
      <label htmlFor={input}>
        {label} {badge}
      </label>
      {children({ input, describedBy, invalid: !!problem })}
      {schema.description ? (
        <p id={hint} className="hint">
          {schema.description}
        </p>
      ) : null}
      {problem ? (
        <p id={problemId} className="problem">
          {label} {problem}
        </p>
      ) : null}
    </div>
  );
}

/** A setting made of several inputs (a list, a set of choices): a fieldset named by its legend, with its hint and its problem. */
function Group({ label, path, schema, ctx, badge, children }: { label: string; path: string; schema: JsonSchema; ctx: FieldContext; badge?: ReactNode; children: ReactNode }) {
  const problem = ctx.problems.get(path);
  return (
    <fieldset className="field" data-path={path}>
      <legend>
        {label} {badge}
      </legend>
      {schema.description ? <p className="hint">{schema.description}</p> : null}
      {children}
      {problem ? <p className="problem">{label} {problem}</p> : null}
    </fieldset>
  );
}

const DEFAULT_OPTION = '(default)';

function ListEditor({ label, path, items, onChange, paths, ctx }: { label: string; path: string; items: string[]; onChange(v: string[]): void; paths: boolean; ctx: FieldContext }) {
  const set = (i: number, v: string) => onChange(items.map((x, j) => (j === i ? v : x)));
  return (
    <ul className="plain list-editor">
      {items.map((item, i) => (
        <li key={i} className="row" data-path={`${path}.${i}`}>
          {paths ? (
            <PathField label={`${label} ${i + 1}`} value={item} onChange={(v) => set(i, v)} />
          ) : (
            <label className="grow">
              {label} {i + 1}
              <input type="text" value={item} onChange={(e) => set(i, e.target.value)} />
            </label>
          )}
          <button type="button" onClick={() => onChange(items.filter((_, j) => j !== i))} aria-label={`Remove ${label} ${i + 1}`}>
            Remove
          </button>
          {ctx.problems.get(`${path}.${i}`) ? <p className="problem">{ctx.problems.get(`${path}.${i}`)}</p> : null}
        </li>
      ))}
      <li>
        <button type="button" onClick={() => onChange([...items, ''])}>
          Add a {label.toLowerCase()}
        </button>
      </li>
    </ul>
  );
}

function MapEditor({ label, value, valueSchema, onChange }: { label: string; value: Record<string, unknown>; valueSchema: JsonSchema; onChange(v: Record<string, unknown> | undefined): void }) {
  const entries = Object.entries(value);
  const [newKey, setNewKey] = useState('');
  const numeric = valueSchema.type === 'integer' || valueSchema.type === 'number';
  const put = (k: string, v: unknown) => onChange({ ...value, [k]: v });
  return (
    <ul className="plain list-editor">
      {entries.map(([k, v]) => (
        <li key={k} className="row">
          <label className="grow">
            {k}
            <input type={numeric ? 'number' : 'text'} value={v === undefined ? '' : String(v)} onChange={(e) => put(k, numeric ? Number(e.target.value) : e.target.value)} />
          </label>
          <button
            type="button"
            aria-label={`Remove ${k}`}
            onClick={() => {
              const { [k]: _gone, ...rest } = value;
              onChange(Object.keys(rest).length ? rest : undefined);
            }}
          >
            Remove
          </button>
        </li>
      ))}
      <li className="row">
        <label>
          New {label.toLowerCase()} key
          <input type="text" value={newKey} onChange={(e) => setNewKey(e.target.value)} />
        </label>
        <button
          type="button"
          disabled={!newKey.trim() || newKey.trim() in value}
          onClick={() => {
            put(newKey.trim(), numeric ? 1 : '');
            setNewKey('');
          }}
        >
          Add
        </button>
      </li>
    </ul>
  );
}

export function Section({ name, path, schema, value, required, onChange, ctx, top }: Props & { top?: boolean }) {
  const present = value !== undefined;
  const obj = (value ?? {}) as Record<string, unknown>;
  const legend = labelOf(name);
  // Where some keys apply at once and others wait for a restart, each field says which.
  const mixed = path === 'render' || path === '';
  if (top) {
    // The whole config: its sections, without a frame of their own.
    return (
      <div className="section-top">
        {orderedKeys(path, schema).map((key) => (
          <SchemaField key={key} name={key} path={key} schema={schema.properties![key]!} value={obj[key]} required={schema.required?.includes(key)} onChange={(v) => onChange(withValue(obj, key, v))} ctx={{ ...ctx, mixedParent: true }} />
        ))}
      </div>
    );
  }
  return (
    <fieldset className="section" data-path={path}>
      <legend>
        {legend} {mixed || !path ? null : <Liveness path={path} ctx={ctx} />}
      </legend>
      {schema.description ? <p className="hint">{schema.description}</p> : null}
      {!required && path ? (
        <label className="check">
          <input type="checkbox" checked={present} onChange={(e) => onChange(e.target.checked ? seed(schema) : undefined)} />
          Use {legend.toLowerCase()} settings
        </label>
      ) : null}
      {present || required || !path
        ? orderedKeys(path, schema).map((key) => (
            <SchemaField
              key={key}
              name={key}
              path={path ? `${path}.${key}` : key}
              schema={schema.properties![key]!}
              value={obj[key]}
              required={schema.required?.includes(key)}
              onChange={(v) => onChange(withValue(obj, key, v))}
              ctx={{ ...ctx, mixedParent: mixed }}
            />
          ))
        : null}
      {ctx.problems.get(path) ? <p className="problem">{ctx.problems.get(path)}</p> : null}
    </fieldset>
  );
}

/** A new section: its required lists empty and its required sections seeded, for the person to fill in. */
function seed(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of schema.required ?? []) {
    const s = schema.properties?.[key];
    if (s?.type === 'array') out[key] = [];
    else if (s?.type === 'object') out[key] = seed(s);
  }
  return out;
}

export function SchemaField(props: Props) {
  const { name, path, schema, value, onChange, ctx } = props;
  const label = labelOf(name);
  const widget = widgetFor(name, schema);
  const badge = ctx.mixedParent ? <Liveness path={path} ctx={ctx} /> : null;
  const fromText = (text: string) => (text === '' ? undefined : text);
  const fromNumber = (text: string) => (text === '' ? undefined : Number(text));

  switch (widget) {
    case 'section':
      return <Section {...props} />;
    case 'text':
      return (
        <Labelled label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          {(ids) => <input id={ids.input} type="text" value={(value as string | undefined) ?? ''} onChange={(e) => onChange(fromText(e.target.value))} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} />}
        </Labelled>
      );
    case 'path':
      return (
        <div className="field" data-path={path}>
          <PathField label={label} value={(value as string | undefined) ?? ''} onChange={(v) => onChange(fromText(v))} hint={schema.description} />
          {ctx.problems.get(path) ? <p className="problem">{label} {ctx.problems.get(path)}</p> : null}
        </div>
      );
    case 'integer':
    case 'number':
      return (
        <Labelled label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          {(ids) => (
            <input
              id={ids.input}
              type="number"
              step={widget === 'integer' ? 1 : 'any'}
              min={schema.minimum}
              max={schema.maximum}
              value={value === undefined ? '' : String(value)}
              placeholder={DEFAULT_OPTION}
              onChange={(e) => onChange(fromNumber(e.target.value))}
              aria-describedby={ids.describedBy}
              aria-invalid={ids.invalid}
            />
          )}
        </Labelled>
      );
    case 'boolean':
      return (
        <Labelled label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          {(ids) => (
            <select id={ids.input} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')} aria-describedby={ids.describedBy}>
              <option value="">{DEFAULT_OPTION}</option>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          )}
        </Labelled>
      );
    case 'choice':
      return (
        <Labelled label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          {(ids) => (
            <select id={ids.input} value={value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} aria-describedby={ids.describedBy} aria-invalid={ids.invalid}>
              <option value="">{DEFAULT_OPTION}</option>
              {schema.enum!.map((o) => (
                <option key={String(o)} value={String(o)}>
                  {String(o)}
                </option>
              ))}
            </select>
          )}
        </Labelled>
      );
    case 'choice-set': {
      const chosen = (value as string[] | undefined) ?? [];
      return (
        <Group label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          <div className="checks">
            {schema.items!.enum!.map((o) => (
              <label key={String(o)} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(String(o))}
                  onChange={(e) => {
                    const next = e.target.checked ? [...chosen, String(o)] : chosen.filter((x) => x !== o);
                    onChange(next.length ? next : undefined);
                  }}
                />
                {String(o)}
              </label>
            ))}
          </div>
        </Group>
      );
    }
    case 'text-list':
    case 'path-list':
      return (
        <Group label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          <ListEditor label={itemLabelOf(name)} path={path} items={(value as string[] | undefined) ?? []} onChange={(v) => onChange(v.length || props.required ? v : undefined)} paths={widget === 'path-list'} ctx={ctx} />
        </Group>
      );
    case 'bool-or-list': {
      const mode = value === undefined ? '' : value === true ? 'true' : value === false ? 'false' : 'list';
      return (
        <Group label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          <label>
            {label}: which
            <select value={mode} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'list' ? [] : e.target.value === 'true')}>
              <option value="">{DEFAULT_OPTION}</option>
              <option value="true">this platform's</option>
              <option value="false">none</option>
              <option value="list">these folders</option>
            </select>
          </label>
          {mode === 'list' ? <ListEditor label={itemLabelOf(name)} path={path} items={value as string[]} onChange={onChange} paths ctx={ctx} /> : null}
        </Group>
      );
    }
    case 'map':
      return (
        <Group label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          <MapEditor label={label} value={(value as Record<string, unknown> | undefined) ?? {}} valueSchema={schema.additionalProperties as JsonSchema} onChange={onChange} />
        </Group>
      );
    case 'object-list': {
      const items = (value as Record<string, unknown>[] | undefined) ?? [];
      const item = itemLabelOf(name);
      return (
        <Group label={label} path={path} schema={schema} ctx={ctx} badge={<Liveness path={path} ctx={ctx} />}>
          {items.map((it, i) => (
            <div key={i} className="list-item">
              <Section name={`${item} ${i + 1}`} path={`${path}.${i}`} schema={schema.items!} value={it} required onChange={(v) => onChange(items.map((x, j) => (j === i ? v : x)) as unknown[])} ctx={ctx} />
              <button type="button" onClick={() => onChange(items.length > 1 ? items.filter((_, j) => j !== i) : undefined)}>
                Remove {item.toLowerCase()} {i + 1}
              </button>
            </div>
          ))}
          <button type="button" onClick={() => onChange([...items, seed(schema.items!)])}>
            Add a {item.toLowerCase()}
          </button>
        </Group>
      );
    }
    default:
      return (
        <Labelled label={label} path={path} schema={schema} ctx={ctx} badge={badge}>
          {(ids) => <JsonInput id={ids.input} value={value} onChange={onChange} describedBy={ids.describedBy} />}
        </Labelled>
      );
  }
}

/** A value the form has no widget for, as JSON text. */
function JsonInput({ id, value, onChange, describedBy }: { id: string; value: unknown; onChange(v: unknown): void; describedBy?: string }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  return (
    <textarea
      id={id}
      value={text}
      aria-describedby={describedBy}
      onChange={(e) => {
        setText(e.target.value);
        try {
          onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
        } catch {
          // kept as typed until it parses
        }
      }}
    />
  );
}

