/**
 * One writer per folder: a lock file beside the folder (`.<name>.rushes-lock`), created
 * exclusively and holding who took it (pid, host, process start, purpose). It lives beside
 * the folder, not in it, so a lock left by a crash is never taken for content by a verify.
 *
 * Like flock, it is advisory and dies with its holder: a lock whose holder on this host is
 * gone (its pid is dead, or now names a process that started later) is stale and taken
 * over. A holder on another host (a shared RAID or NAS) cannot be asked, so the holder
 * refreshes the file's time while it runs and a lock not refreshed for STALE_AFTER_MS is
 * stale. Only one process may break a stale lock at a time (a second exclusive file).
 */
import { processAlive } from '../util/process.ts';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { RushesError, destinationError, errno } from '../errors.ts';

export const LOCK_MARK = '.rushes-lock';
const REFRESH_MS = 10_000;
/** How often a waiting writer looks again. */
const LOCK_POLL_MS = 1_000;
const STALE_AFTER_MS = 120_000;
/** A breaker that died mid-break leaves its file; past this age it is ignored. */
const BREAKER_STALE_MS = 30_000;

export interface LockHolder {
  pid: number;
  host: string;
  /** When the holding process started (Linux: clock ticks after boot), to tell a reused pid. */
  processStart?: string;
  since: string;
  purpose: string;
  token: string;
}

export interface FolderLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): Promise<void>;
}

export function lockPathFor(folder: string): string {
  return join(dirname(folder), `.${basename(folder)}${LOCK_MARK}`);
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces). */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' && typeof h.token === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Why a lock no longer holds, or undefined while its holder may still be writing. */
async function staleness(path: string, holder: LockHolder | undefined): Promise<string | undefined> {
  const st = await fsp.stat(path).catch(() => undefined);
  if (!st) return 'gone';
  // Unreadable or half-written: its writer died between create and write (the write is one call).
  if (!holder) return Date.now() - st.mtimeMs > BREAKER_STALE_MS ? 'unreadable' : undefined;
  if (holder.host === hostname()) {
    if (!processAlive(holder.pid)) return `process ${holder.pid} is gone`;
    const start = processStart(holder.pid);
    if (holder.processStart && start && start !== holder.processStart) return `process ${holder.pid} is gone (its pid was reused)`;
    return undefined;
  }
  return Date.now() - st.mtimeMs > STALE_AFTER_MS ? `not refreshed by ${holder.host} for ${Math.round((Date.now() - st.mtimeMs) / 1000)} s` : undefined;
}

export function describeHolder(h: LockHolder): string {
  return `${h.purpose} (pid ${h.pid} on ${h.host}, since ${h.since})`;
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if (errno(e) === 'EEXIST') return false;
    throw destinationError(e, path);
  }
  try {
    writeSync(fd, JSON.stringify(holder) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Removes a stale lock, unless another process is already breaking it or it changed meanwhile. */
async function breakStale(path: string, seen: LockHolder | undefined): Promise<void> {
  const breaker = `${path}.break`;
  const old = await fsp.stat(breaker).catch(() => undefined);
  if (old && Date.now() - old.mtimeMs > BREAKER_STALE_MS) await fsp.rm(breaker, { force: true });
  let fd: number;
  try {
    fd = openSync(breaker, 'wx');
  } catch (e) {
    if (errno(e) === 'EEXIST') return; // someone else is breaking it; look again
    throw destinationError(e, breaker);
  }
  closeSync(fd);
  try {
    const now = readHolder(path);
    // Only the lock we judged stale goes: a holder that took it meanwhile keeps it.
    if ((now?.token ?? '') === (seen?.token ?? '') && (await staleness(path, now))) await fsp.rm(path, { force: true });
  } finally {
    await fsp.rm(breaker, { force: true });
  }
}

/**
 * Takes the lock of `folder` for `purpose`, or throws DEST_LOCKED naming its holder.
 * The folder itself need not exist yet; its parent must.
 */
export async function lockFolder(folder: string, purpose: string): Promise<FolderLock> {
  const path = lockPathFor(folder);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    processStart: processStart(process.pid),
    since: new Date().toISOString(),
    purpose,
    token: randomBytes(8).toString('hex'),
  };
  await fsp.mkdir(dirname(path), { recursive: true }).catch((e: unknown) => {
    throw destinationError(e, dirname(path));
  });
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, holder)) break;
    const other = readHolder(path);
    const stale = await staleness(path, other);
    if (!stale) {
      const who = other ? describeHolder(other) : 'another process';
      throw new RushesError('DEST_LOCKED', `${folder} is being written by ${who}; wait until it finishes (if that process is gone for good, remove ${path})`, { path: folder });
    }
    if (attempt >= 5) throw new RushesError('DEST_LOCKED', `${folder}: cannot take over the stale lock ${path} (${stale}); another process keeps taking it`, { path: folder });
    await breakStale(path, other);
  }
  // Holders on other hosts judge this lock by its time: keep it fresh while the folder is written.
  const timer = setInterval(() => {
    const now = new Date();
    void fsp.utimes(path, now, now).catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  let released = false;
  return {
    path,
    holder,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      // Never remove a lock someone else took over (after ours was judged stale).
      if (readHolder(path)?.token === holder.token) await fsp.rm(path, { force: true });
    },
  };
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Called once, with the DEST_LOCKED error, when the wait begins. */
  onBlocked?: (e: RushesError) => void;
}

export interface FolderLocks {
  locks: FolderLock[];
  /** Folders whose lock could not even be written (a read-only or missing volume): the caller decides. */
  unlockable: Map<string, RushesError>;
  release(): Promise<void>;
}

/**
 * Takes the locks of several folders at once (in a fixed order, so two callers cannot
 * deadlock). A folder locked by another writer is a DEST_LOCKED error and nothing stays
 * locked, or, with `wait`, the call waits until that writer is done (or the signal aborts).
 */
export async function lockFolders(folders: readonly string[], purpose: string, wait?: WaitOptions): Promise<FolderLocks> {
  let told = false;
  for (;;) {
    const locks: FolderLock[] = [];
    const unlockable = new Map<string, RushesError>();
    const release = async () => void (await Promise.all(locks.map((l) => l.release())));
    try {
      for (const f of [...folders].sort()) {
        try {
          locks.push(await lockFolder(f, purpose));
        } catch (e) {
          if (!(e instanceof RushesError) || e.code === 'DEST_LOCKED') throw e;
          unlockable.set(f, e);
        }
      }
      return { locks, unlockable, release };
    } catch (e) {
      await release();
      if (!wait || !(e instanceof RushesError) || e.code !== 'DEST_LOCKED') throw e;
      if (!told) wait.onBlocked?.(e);
      told = true;
      await delay(LOCK_POLL_MS, wait.signal);
    }
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    };
    const abort = () => {
      done();
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
