/**
 * Where the offload benchmark puts the card and its two destinations.
 *
 * - `disk`: card and both destinations on the machine's one disk, so every contender shares
 *   one device (a laptop copying to its own drive; the figures of earlier days).
 * - `set`: the card on the machine's disk, each destination on its own fast device: an ext4
 *   filesystem on a loop device backed by a file in /dev/shm. O_DIRECT and fsync behave
 *   there as on a real disk (the loop device is a block device; its page cache is dropped
 *   with the others), but it is much faster than the card, as RAID or NVMe shuttles are on
 *   set, so the card's read is the floor.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const LAYOUTS = ['disk', 'set'] as const;
export type LayoutName = (typeof LAYOUTS)[number];

export interface Layout {
  name: LayoutName;
  /** The two destination folders (each empty between contenders). */
  destinations: [string, string];
  /** Unmounts and frees whatever the layout made. */
  remove(): void;
}

export function makeLayout(name: LayoutName, root: string, cardBytes: number): Layout {
  if (name === 'disk') {
    const destinations: [string, string] = [join(root, 'disk-1'), join(root, 'disk-2')];
    destinations.forEach((d) => mkdirSync(d, { recursive: true }));
    return { name, destinations, remove: () => destinations.forEach((d) => rmSync(d, { recursive: true, force: true })) };
  }
  // Room for one copy of the card plus ext4's own (journal, inode tables), with a margin.
  const mib = Math.ceil((cardBytes * 1.3) / 2 ** 20) + 512;
  const volumes = [ramBackedExt4(root, 'set-1', mib), ramBackedExt4(root, 'set-2', mib)];
  return {
    name,
    destinations: [volumes[0].path, volumes[1].path],
    remove: () => volumes.forEach((v) => v.remove()),
  };
}

/** An ext4 filesystem on a loop device over a file in /dev/shm, mounted under `root`. */
function ramBackedExt4(root: string, name: string, mib: number): { path: string; remove(): void } {
  const image = join('/dev/shm', `rushes-bench-${process.pid}-${name}.img`);
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  const fd = openSync(image, 'w');
  ftruncateSync(fd, mib * 2 ** 20);
  closeSync(fd);
  let device: string | undefined;
  try {
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', name, image], { stdio: 'pipe' });
    // `-f --show` finds a free device and attaches in one step, so other users of loop devices never race us.
    device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
    execFileSync('mount', ['-t', 'ext4', device, path], { stdio: 'pipe' });
  } catch (e) {
    if (device) spawnSync('losetup', ['-d', device]);
    rmSync(image, { force: true });
    throw e;
  }
  return {
    path,
    remove() {
      for (let i = 0; i < 50 && spawnSync('umount', [path]).status !== 0; i++) spawnSync('sleep', ['0.1']);
      spawnSync('losetup', ['-d', device!]);
      rmSync(image, { force: true });
    },
  };
}

/** Undefined when the set layout can be made here, else why not. */
export function setLayoutSupport(): string | undefined {
  if (process.getuid?.() !== 0) return 'the set layout mounts loop devices, which needs root';
  const missing = ['losetup', 'mkfs.ext4', 'mount'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  return missing.length ? `the set layout needs ${missing.join(', ')}` : undefined;
}
