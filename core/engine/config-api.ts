/**
 * The daemon's config file through the engine API (the UI's Settings page): read it with the
 * schema that describes it, save a new one once it validates, apply at once what the engine
 * can change while it runs, and say which changes wait for a restart.
 *
 * The API token is never sent out nor taken in here: a page that holds a session must not
 * be able to read the token, nor change it; it is edited in the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RushesError } from '../errors.ts';
import { PACKAGE_ROOT } from '../util/package-root.ts';
import { checkConfig, loadConfig, saveConfig, type DaemonConfig } from './config.ts';

/** What the engine applies while it runs; every other key is read once, at start. */
export const LIVE_KEYS: readonly string[] = ['ingest', 'webhooks', 'render.thumbnails', 'render.proxies'];

/** The parts of a config the engine can take while it runs. */
export type LiveConfig = Pick<DaemonConfig, 'ingest' | 'webhooks' | 'render'>;

export interface ConfigView {
  /** The file the daemon reads at start and the API saves to; absent for an engine without one. */
  file?: string;
  config: DaemonConfig;
  /** schemas/config.schema.json, without the token. */
  schema: unknown;
  liveKeys: readonly string[];
  /** Saved changes the running daemon has not taken yet. */
  restartRequired: string[];
}

export interface ConfigSaved {
  file: string;
  config: DaemonConfig;
  /** Keys that changed and were applied at once. */
  applied: string[];
  /** Keys that changed and take effect at the next start. */
  restartRequired: string[];
}

export interface ConfigApi {
  read(): ConfigView;
  save(next: DaemonConfig): Promise<ConfigSaved>;
}

type Plain = Record<string, unknown>;

function valueAt(config: DaemonConfig, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Plain)[k] : undefined), config);
}

/** The keys a config may differ in: each top-level key, and each of render's own (some of render's are live, some not). */
function keysOf(...configs: DaemonConfig[]): string[] {
  const keys = new Set<string>();
  for (const c of configs) {
    for (const [k, v] of Object.entries(c)) {
      if (k === '$schema' || k === 'token') continue;
      if (k === 'render' && v && typeof v === 'object') Object.keys(v).forEach((r) => keys.add(`render.${r}`));
      else keys.add(k);
    }
  }
  return [...keys].sort();
}

/** Which keys differ between the config running and a new one, split into those applied live and those that need a restart. */
export function configChanges(running: DaemonConfig, next: DaemonConfig): { live: string[]; restart: string[] } {
  const changed = keysOf(running, next).filter((k) => JSON.stringify(valueAt(running, k)) !== JSON.stringify(valueAt(next, k)));
  return { live: changed.filter((k) => LIVE_KEYS.includes(k)), restart: changed.filter((k) => !LIVE_KEYS.includes(k)) };
}

/** The config running after `next` was applied live: its live keys, and the rest as they were. */
export function afterLiveApply(running: DaemonConfig, next: DaemonConfig): DaemonConfig {
  const { ingest, webhooks, render } = next;
  const { thumbnails: _t, proxies: _p, ...renderAtStart } = running.render ?? {};
  const liveRender = { ...renderAtStart, ...(render?.thumbnails !== undefined ? { thumbnails: render.thumbnails } : {}), ...(render?.proxies ? { proxies: render.proxies } : {}) };
  const out: DaemonConfig = { ...running, ingest, webhooks, render: Object.keys(liveRender).length ? liveRender : undefined };
  for (const k of ['ingest', 'webhooks', 'render'] as const) if (out[k] === undefined) delete out[k];
  return out;
}

function withoutToken(config: DaemonConfig): DaemonConfig {
  const { token: _token, ...rest } = config;
  return rest;
}

let schemaView: unknown;
function configSchema(): unknown {
  if (!schemaView) {
    const schema = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schemas', 'config.schema.json'), 'utf8')) as { properties: Plain };
    const { token: _token, $schema: _s, ...properties } = schema.properties;
    schemaView = { ...schema, properties };
  }
  return schemaView;
}

export interface ConfigDeps {
  file?: string;
  /** The config the engine started with (command-line overrides aside). */
  startedWith: DaemonConfig;
  /** Applies the live parts of a config to the running engine. */
  apply(live: LiveConfig): Promise<void>;
}

export function configApi(d: ConfigDeps): ConfigApi {
  let running = d.startedWith;
  const onDisk = (): DaemonConfig => (d.file && existsSync(d.file) ? loadConfig(d.file) : {});

  return {
    read() {
      const config = d.file ? onDisk() : running;
      return { file: d.file, config: withoutToken(config), schema: configSchema(), liveKeys: LIVE_KEYS, restartRequired: configChanges(running, config).restart };
    },

    async save(next) {
      if (!d.file) throw new RushesError('WRONG_STATE', 'this engine was started without a config file; there is nowhere to save settings');
      if (next && typeof next === 'object' && 'token' in next) throw new RushesError('USAGE', `the API token is not changed through the API: edit ${d.file} and restart`, { path: d.file });
      // The token (and the $schema note) stay as the file has them.
      const current = onDisk();
      const kept = { ...(current.$schema ? { $schema: current.$schema } : {}), ...(current.token ? { token: current.token } : {}) };
      const merged = checkConfig({ ...next, ...kept }, 'the new config', d.file);
      const { live, restart } = configChanges(running, merged);
      await saveConfig(d.file, merged);
      if (live.length) {
        await d.apply({ ingest: merged.ingest, webhooks: merged.webhooks, render: merged.render });
        running = afterLiveApply(running, merged);
      }
      return { file: d.file, config: withoutToken(merged), applied: live, restartRequired: restart };
    },
  };
}
