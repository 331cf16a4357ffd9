/**
 * Notices cards: a new folder directly under a watched root — a volume mounted under
 * `/media/$USER` or `/Volumes`, or a shuttle drive's folder dropped into a watch folder —
 * and its disappearance (card pulled, volume unmounted). chokidar does the watching; a
 * root that does not exist yet (no card was ever mounted for this user) is picked up when
 * it appears.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir, platform, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { silentLogger, type Logger } from '../util/log.ts';

export interface WatcherOptions {
  roots: string[];
  /** Poll instead of OS events: network shares (NFS, SMB) do not deliver events for remote writes. */
  usePolling?: boolean;
  /** How often to look for roots that did not exist yet. */
  rootCheckMs?: number;
  log?: Logger;
  onAppear(path: string): void;
  onDisappear(path: string): void;
}

/** Where this platform mounts removable volumes. */
export function defaultMountRoots(): string[] {
  if (platform() === 'darwin') return ['/Volumes'];
  if (platform() === 'win32') return [];
  let user = process.env.USER ?? '';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): fall back to $USER
  }
  return [...(user ? [`/media/${user}`, `/run/media/${user}`] : []), '/mnt'].filter((p) => p !== homedir());
}

export class CardWatcher {
  private watcher?: FSWatcher;
  private readonly roots: string[];
  private readonly watched = new Set<string>();
  private rootTimer?: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(private readonly o: WatcherOptions) {
    this.roots = [...new Set(o.roots.map((r) => resolve(r)))];
    this.log = o.log ?? silentLogger;
  }

  /** Starts watching; resolves once the folders already there have been reported. */
  async start(): Promise<void> {
    // Loaded here, not with the engine: a command that watches nothing (rushes verify) skips its ~35 ms.
    const { watch } = await import('chokidar');
    this.watcher = watch([], { depth: 0, ignoreInitial: false, usePolling: this.o.usePolling ?? false, interval: 500, followSymlinks: false });
    this.watcher.on('addDir', (path) => this.isCard(path) && this.o.onAppear(resolve(path)));
    this.watcher.on('unlinkDir', (path) => this.isCard(path) && this.o.onDisappear(resolve(path)));
    this.watcher.on('error', (e) => this.log.warn('watching failed', { error: e instanceof Error ? e.message : String(e) }));
    const ready = new Promise<void>((r) => this.watcher!.once('ready', () => r()));
    // chokidar says 'ready' only after it scanned at least one path.
    if (this.addExistingRoots() > 0) await ready;
    this.rootTimer = setInterval(() => this.addExistingRoots(), this.o.rootCheckMs ?? 5000);
    this.rootTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.rootTimer);
    await this.watcher?.close();
  }

  /** A card is a folder one level below a root (the root itself is not). */
  private isCard(path: string): boolean {
    const abs = resolve(path);
    return this.watched.has(dirname(abs)) && !this.watched.has(abs);
  }

  /** Watches the roots that exist now and were not watched yet; returns how many it added. */
  private addExistingRoots(): number {
    let added = 0;
    for (const root of this.roots) {
      if (this.watched.has(root) || !isFolder(root)) continue;
      this.watched.add(root);
      this.watcher!.add(root);
      this.log.info('watching for cards', { root });
      added++;
    }
    return added;
  }
}

function isFolder(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}
