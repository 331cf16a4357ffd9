/**
 * The volumes this machine has mounted, with their size and free space: what a person
 * choosing an offload's source and destinations picks from (the UI's folder browser). On
 * Linux they come from /proc/self/mounts, minus the kernel's own filesystems; on macOS from
 * /Volumes. The root filesystem is always there.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface Space {
  totalBytes: number;
  freeBytes: number;
}

export interface Volume extends Space {
  /** Where it is mounted. */
  path: string;
  /** The name to show: the mount folder's name ("/" for the root). */
  name: string;
  fsType?: string;
  /** Mounted where removable media are (/media, /run/media, /Volumes, /mnt): a card or a shuttle drive. */
  removable: boolean;
}

/** Smaller than this, a mount holds no footage (a container's secrets, a config file system). */
const MIN_VOLUME_BYTES = 1 << 20;

/** Filesystems that hold no footage: the kernel's, and containers' plumbing. */
const PSEUDO_FS = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'securityfs', 'cgroup', 'cgroup2', 'pstore', 'bpf', 'tracefs', 'debugfs', 'mqueue',
  'hugetlbfs', 'fusectl', 'configfs', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs', 'efivarfs', 'ramfs', 'squashfs', 'overlay', 'fuse.portal', 'fuse.gvfsd-fuse',
]);
/** Folders whose mounts are the system's, never a card or a RAID. */
const SYSTEM_PREFIXES = ['/proc', '/sys', '/dev', '/run', '/boot', '/snap', '/var/lib', '/etc', '/usr'];
const REMOVABLE_PREFIXES = ['/media/', '/run/media/', '/Volumes/', '/mnt/'];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);

/** One line of /proc/self/mounts: spaces and other bytes in paths are octal escapes (`\040`). */
export function parseMountLine(line: string): { device: string; path: string; fsType: string } | undefined {
  const [device, path, fsType] = line.split(' ');
  if (!device || !path || !fsType) return undefined;
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return { device: unescape(device), path: unescape(path), fsType };
}

/** Whether a mount is one a person would offload from or to. */
export function isUserMount(m: { path: string; fsType: string }): boolean {
  if (m.path === '/') return true;
  if (PSEUDO_FS.has(m.fsType)) return false;
  if (REMOVABLE_PREFIXES.some((p) => m.path.startsWith(p))) return true;
  return !SYSTEM_PREFIXES.some((p) => under(m.path, p));
}

export const isRemovablePath = (path: string) => REMOVABLE_PREFIXES.some((p) => path.startsWith(p));

/** Size and free space of the volume that holds `path`, or would hold it (its nearest existing ancestor's). */
export async function spaceAt(path: string): Promise<Space> {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = await fsp.statfs(p);
      return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
    } catch (e) {
      if (dirname(p) === p) throw e;
    }
  }
}

async function mountedPaths(): Promise<{ path: string; fsType?: string }[]> {
  if (process.platform === 'darwin') {
    const names = await fsp.readdir('/Volumes').catch(() => [] as string[]);
    return [{ path: '/' }, ...names.filter((n) => !n.startsWith('.')).map((n) => ({ path: join('/Volumes', n) }))];
  }
  const text = await fsp.readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const mounts = text.split('\n').flatMap((l) => parseMountLine(l) ?? []);
  return [{ path: '/' }, ...mounts.filter(isUserMount)];
}

export async function listVolumes(): Promise<Volume[]> {
  const seen = new Set<string>();
  const volumes: Volume[] = [];
  for (const m of await mountedPaths()) {
    if (seen.has(m.path)) continue;
    seen.add(m.path);
    // A bind-mounted file (a container's /etc/hosts) or a mount we may not read is no place to offload.
    const isFolder = await fsp.stat(m.path).then((s) => s.isDirectory(), () => false);
    if (!isFolder) continue;
    const space = await spaceAt(m.path).catch(() => undefined);
    if (!space || (m.path !== '/' && space.totalBytes < MIN_VOLUME_BYTES)) continue;
    volumes.push({ path: m.path, name: m.path === '/' ? '/' : basename(m.path), fsType: m.fsType, removable: isRemovablePath(m.path), ...space });
  }
  return volumes.sort((a, b) => Number(b.removable) - Number(a.removable) || a.path.localeCompare(b.path));
}
