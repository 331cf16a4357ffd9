/**
 * The `ingest` section of the daemon's config file (schemas/config.schema.json), and the
 * settings the ingest runs with once defaults are filled in and paths resolved.
 */
import { resolve } from 'node:path';
import { RushesError } from '../errors.ts';
import { isHashFormat, type HashFormat } from '../hash/index.ts';
import type { VerifyMode } from '../offload/store.ts';
import { checkLayout, DEFAULT_LAYOUT } from './layout.ts';
import { DEFAULT_IGNORE } from '../mhl/index.ts';
import { CARD_IGNORE } from './scan.ts';
import { defaultMountRoots } from './watcher.ts';

export interface IngestConfig {
  /** Folders whose new sub-folders are cards (shuttle drives copied in, a network drop folder). */
  watch?: string[];
  /** Watch where the system mounts removable volumes: true (default) for this platform's, or a list. */
  mountRoots?: boolean | string[];
  /** Poll instead of OS events (network shares). */
  usePolling?: boolean;
  stableMs?: number;
  pollMs?: number;
  destinations: string[];
  layout?: string;
  project?: string;
  hashes?: string[];
  verify?: VerifyMode;
  sourceVerify?: boolean;
  ignore?: string[];
  /** Volume or folder names (globs) that are never cards, e.g. a system disk under /Volumes. */
  ignoreVolumes?: string[];
  /** Offload as soon as a card is identified (default), or wait for POST /api/cards/:id/offload. */
  autoStart?: boolean;
  /** After a card is verified, copy its ascmhl history onto the card. Off by default: the card stays untouched. */
  writeCardHistory?: boolean;
}

export interface IngestSettings {
  roots: string[];
  mountRoots: string[];
  usePolling: boolean;
  stableMs: number;
  pollMs: number;
  destinations: string[];
  layout: string;
  project: string;
  hashes: HashFormat[];
  verify: VerifyMode;
  sourceVerify: boolean;
  ignore: string[];
  ignoreVolumes: string[];
  autoStart: boolean;
  writeCardHistory: boolean;
}

/** Volumes that appear under mount roots and are never cameras'. */
export const DEFAULT_IGNORED_VOLUMES = ['Macintosh HD', 'Macintosh HD - Data', 'Recovery', 'Preboot', 'VM', 'Update', 'com.apple.TimeMachine.*', '.timemachine', 'Time Machine*', 'cdrom', 'floppy'];

export function ingestSettings(c: IngestConfig): IngestSettings {
  const layout = c.layout ?? DEFAULT_LAYOUT;
  checkLayout(layout);
  const hashes = c.hashes?.length ? c.hashes : ['xxh64'];
  for (const h of hashes) if (!isHashFormat(h)) throw new RushesError('USAGE', `ingest.hashes: unknown hash format "${h}"`);
  if (c.destinations.length === 0) throw new RushesError('USAGE', 'ingest.destinations: give at least one destination root');
  const mountRoots = c.mountRoots === false ? [] : c.mountRoots === true || c.mountRoots === undefined ? defaultMountRoots() : c.mountRoots.map((r) => resolve(r));
  const watch = (c.watch ?? []).map((w) => resolve(w));
  return {
    roots: [...new Set([...watch, ...mountRoots])],
    mountRoots,
    usePolling: c.usePolling ?? false,
    stableMs: c.stableMs ?? 5000,
    pollMs: c.pollMs ?? 500,
    destinations: c.destinations.map((d) => resolve(d)),
    layout,
    project: c.project ?? 'Untitled',
    hashes: [...new Set(hashes)] as HashFormat[],
    verify: c.verify ?? 'full',
    sourceVerify: c.sourceVerify ?? false,
    // The ascmhl history is never card content, whatever the list says: a card whose history
    // Rushes writes back (writeCardHistory) must not look changed, nor copy it as footage.
    ignore: c.ignore ? [...new Set([...DEFAULT_IGNORE, ...c.ignore])] : [...CARD_IGNORE],
    ignoreVolumes: c.ignoreVolumes ?? DEFAULT_IGNORED_VOLUMES,
    autoStart: c.autoStart ?? true,
    writeCardHistory: c.writeCardHistory ?? false,
  };
}
