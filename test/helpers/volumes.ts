/**
 * Real filesystems on loop devices, as DITs meet them: exFAT camera cards and shuttle drives
 * (exfatprogs + exfat-fuse, the FUSE driver many Linux carts use), and ext4 RAIDs. Needs
 * root; `volumeSupport()` says why not otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll } from 'vitest';
import { closeSync, mkdirSync, openSync, ftruncateSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export type VolumeKind = 'exfat' | 'ext4';

export interface Volume {
  /** Where it is mounted. */
  path: string;
  kind: VolumeKind;
  /** Mounts it again read-only (a card in a write-protected reader). */
  remountReadOnly(): void;
  remove(): void;
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** Undefined when volumes can be made here, else why not. */
export function volumeSupport(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting loop devices needs root';
  const missing = ['losetup', 'mkfs.exfat', 'mount.exfat-fuse', 'mkfs.ext4'].filter((t) => !has(t));
  return missing.length ? `missing ${missing.join(', ')} (Debian: exfatprogs exfat-fuse e2fsprogs)` : undefined;
}

function mount(kind: VolumeKind, device: string, dir: string, readOnly: boolean): void {
  if (kind === 'exfat') execFileSync('mount.exfat-fuse', [...(readOnly ? ['-o', 'ro'] : []), device, dir], { stdio: 'pipe' });
  else execFileSync('mount', ['-t', 'ext4', ...(readOnly ? ['-o', 'ro'] : []), device, dir], { stdio: 'pipe' });
}

function unmount(dir: string): void {
  for (let i = 0; i < 50; i++) {
    if (spawnSync('umount', [dir]).status === 0) return;
    // A FUSE mount is busy for a moment after its last file closes.
    spawnSync('sleep', ['0.1']);
  }
  execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

/** Makes and mounts a `sizeMiB` volume of `kind` under `base` (image file, loop device, mount point). */
export function makeVolume(base: string, name: string, kind: VolumeKind, sizeMiB: number): Volume {
  const image = join(base, `${name}.img`);
  const path = join(base, name);
  mkdirSync(path, { recursive: true });
  const fd = openSync(image, 'w');
  ftruncateSync(fd, sizeMiB * 1024 * 1024);
  closeSync(fd);
  if (kind === 'exfat') execFileSync('mkfs.exfat', ['-L', name.slice(0, 11).toUpperCase(), image], { stdio: 'pipe' });
  else execFileSync('mkfs.ext4', ['-q', '-F', '-L', name.slice(0, 16), image], { stdio: 'pipe' });
  const device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
  mount(kind, device, path, false);
  return {
    path,
    kind,
    remountReadOnly() {
      unmount(path);
      mount(kind, device, path, true);
    },
    remove() {
      unmount(path);
      spawnSync('losetup', ['-d', device]);
      rmSync(image, { force: true });
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * A maker of real small filesystems (tmpfs), so "disk full" and "read-only" are the
 * kernel's, not a mock's (needs root). Call it after scratchFolders(): hooks run as a stack,
 * so the mounts go before their folders.
 */
export function tmpfsMounter(): (at: string, options: string) => void {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  });
  return (at, options) => {
    mkdirSync(at, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', at]);
    mounts.push(at);
  };
}
