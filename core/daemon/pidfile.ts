/**
 * `daemon.json` in the data home says which daemon owns that home and where its API is, so
 * that a second daemon refuses to start on the same store and `rushes jobs` can talk to the
 * running one. A file left by a daemon that was killed is recognised by its dead pid.
 */
import { readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { RushesError } from '../errors.ts';

export interface DaemonInfo {
  pid: number;
  url: string;
  startedAt: string;
}

const fileIn = (home: string) => join(home, 'daemon.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The daemon running on `home`, if one is. */
export function runningDaemon(home: string): DaemonInfo | undefined {
  let info: DaemonInfo;
  try {
    info = JSON.parse(readFileSync(fileIn(home), 'utf8')) as DaemonInfo;
  } catch {
    return undefined;
  }
  return info.pid !== process.pid && alive(info.pid) ? info : undefined;
}

export function assertNoDaemon(home: string): void {
  const other = runningDaemon(home);
  if (other) throw new RushesError('USAGE', `a daemon (pid ${other.pid}, ${other.url}) already runs on ${home}; stop it first or use another --home`, { path: home });
}

export function writeDaemonInfo(home: string, info: DaemonInfo): void {
  const tmp = fileIn(home) + '.tmp';
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n');
  renameSync(tmp, fileIn(home));
}

export function removeDaemonInfo(home: string): void {
  rmSync(fileIn(home), { force: true });
}
