/**
 * `daemon.json` in the data home says which daemon owns that home and where its API is, so
 * that a second daemon refuses to start on the same store and `rushes jobs` can talk to the
 * running one. A file left by a daemon that was killed is recognised by its dead pid.
 *
 * The file is claimed with an exclusive create, so two daemons started at once on the same
 * home cannot both win; a stale file is taken over only after its pid is found dead, and a
 * daemon removes the file only while it still names that daemon.
 */
import { processAlive } from '../util/process.ts';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errno, RushesError } from '../errors.ts';

export interface DaemonInfo {
  pid: number;
  /** Empty until the API listens. */
  url: string;
  startedAt: string;
}

const fileIn = (home: string) => join(home, 'daemon.json');

function readInfo(home: string): DaemonInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(fileIn(home), 'utf8')) as DaemonInfo;
    return Number.isInteger(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The daemon running on `home`, if one is (not this process). */
export function runningDaemon(home: string): DaemonInfo | undefined {
  const info = readInfo(home);
  return info && info.pid !== process.pid && processAlive(info.pid) ? info : undefined;
}

function refuse(home: string, other: DaemonInfo): never {
  throw new RushesError('USAGE', `a daemon (pid ${other.pid}${other.url ? `, ${other.url}` : ''}) already runs on ${home}; stop it first or use another --home`, { path: home });
}

/**
 * Makes this process the daemon of `home`, or throws naming the one that is. Call before
 * opening anything; `publishDaemonUrl` fills in the API address once it listens.
 */
export function claimDaemonHome(home: string): void {
  mkdirSync(home, { recursive: true });
  const mine: DaemonInfo = { pid: process.pid, url: '', startedAt: new Date().toISOString() };
  for (let tries = 0; tries < 3; tries++) {
    try {
      writeFileSync(fileIn(home), JSON.stringify(mine, null, 2) + '\n', { flag: 'wx' });
      return;
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw new RushesError('STORE', `cannot write ${fileIn(home)}: ${(e as Error).message}`, { path: fileIn(home), cause: e });
    }
    const other = readInfo(home);
    if (other && other.pid !== process.pid && processAlive(other.pid)) refuse(home, other);
    // Left by a daemon that died (or half-written by one): take it over. If another starter
    // removes it first, our exclusive create below fails and we look again.
    rmSync(fileIn(home), { force: true });
  }
  const other = runningDaemon(home);
  if (other) refuse(home, other);
  throw new RushesError('STORE', `cannot claim ${fileIn(home)}: another process keeps replacing it`, { path: fileIn(home) });
}

/** Records where the API listens, if the file is still ours. */
export function publishDaemonUrl(home: string, url: string): void {
  const info = readInfo(home);
  if (!info || info.pid !== process.pid) return;
  const tmp = `${fileIn(home)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...info, url }, null, 2) + '\n');
  renameSync(tmp, fileIn(home));
}

/** Removes the file at shutdown, only while it names this process. */
export function releaseDaemonHome(home: string): void {
  if (readInfo(home)?.pid === process.pid) rmSync(fileIn(home), { force: true });
}
