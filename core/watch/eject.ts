/**
 * Ejecting a card once it is safe: unmounting the volume it is, the way the desktop would
 * (`diskutil eject` on macOS; udisks, which lets the logged-in user unmount what the desktop
 * mounted, else `umount`, on Linux). A card that is a folder dropped into a watch folder is
 * no volume: there is nothing to unmount, and the caller is told so.
 */
import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { RushesError } from '../errors.ts';
import { parseMountLine } from '../fs/volumes.ts';

export interface Command {
  file: string;
  args: string[];
}

/** What to try, in order, to eject the volume mounted at `mountPoint` (from `device`, when known). */
export function ejectCommands(platform: NodeJS.Platform, mountPoint: string, device?: string): Command[] {
  if (platform === 'darwin') return [{ file: 'diskutil', args: ['eject', mountPoint] }];
  const udisks = device?.startsWith('/dev/') ? [{ file: 'udisksctl', args: ['unmount', '--no-user-interaction', '--block-device', device] }] : [];
  return [...udisks, { file: 'umount', args: [mountPoint] }];
}

/** Whether `path` is where a volume is mounted: its device differs from its parent folder's. */
export async function isMountPoint(path: string): Promise<boolean> {
  const [self, parent] = await Promise.all([fsp.stat(path), fsp.stat(dirname(path))]);
  return self.dev !== parent.dev || path === dirname(path);
}

async function deviceOf(mountPoint: string): Promise<string | undefined> {
  const text = await fsp.readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return text
    .split('\n')
    .flatMap((l) => parseMountLine(l) ?? [])
    .filter((m) => m.path === mountPoint)
    .at(-1)?.device;
}

export type Runner = (c: Command) => Promise<void>;

const run: Runner = (c) =>
  new Promise((resolve, reject) =>
    execFile(c.file, c.args, { timeout: 60_000 }, (e, _out, stderr) => (e ? reject(new Error(String(stderr).trim() || e.message)) : resolve())),
  );

/**
 * Unmounts the volume at `path`; resolves `false` when `path` is a plain folder (nothing to
 * eject). Throws WRONG_STATE naming the volume, with each tool's answer, when none managed.
 */
export async function ejectVolume(path: string, o: { runner?: Runner; platform?: NodeJS.Platform } = {}): Promise<boolean> {
  const mounted = await isMountPoint(path).catch((e: unknown) => {
    throw new RushesError('NOT_FOUND', `${path} is not there any more (${(e as Error).message})`, { path });
  });
  if (!mounted) return false;
  const platform = o.platform ?? process.platform;
  const answers: string[] = [];
  for (const c of ejectCommands(platform, path, platform === 'linux' ? await deviceOf(path) : undefined)) {
    try {
      await (o.runner ?? run)(c);
      return true;
    } catch (e) {
      answers.push(`${c.file}: ${(e as Error).message}`);
    }
  }
  throw new RushesError('WRONG_STATE', `could not eject ${path}: ${answers.join('; ')}`, { path });
}
