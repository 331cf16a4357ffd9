/**
 * Durable writes, one way for every writer (offload copies, MHL manifests and chains, card
 * histories, render outputs): the bytes go to a hidden temporary name beside the final one,
 * are fsynced, renamed to the final name, and the folder is fsynced so the rename survives a
 * power cut. A crash leaves the old state or the complete new file, never half of one.
 *
 * Every temporary name ends in TEMP_MARK, so walks and readers can tell one at a glance and
 * a leftover is never taken for content.
 */
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RushesError, destinationError, errno } from '../errors.ts';

export const TEMP_MARK = '.rushes-part';
const MAX_NAME_BYTES = 255;

/**
 * The temporary name of `finalPath`: hidden, in the same folder (so the rename stays on one
 * filesystem), ending in TEMP_MARK. Without `unique`, the name is the same at every run, so
 * a resumed copy replaces what an interrupted one left (the folder's lock guarantees one
 * writer); `unique` adds a random tag for writers that hold no lock. Names too long for the
 * mark fall back to a digest of the name.
 */
export function temporaryPath(finalPath: string, options: { unique?: boolean } = {}): string {
  const name = basename(finalPath);
  const tag = options.unique ? `.${process.pid}-${randomBytes(4).toString('hex')}` : '';
  const temp = `.${name}${tag}${TEMP_MARK}`;
  if (Buffer.byteLength(temp) <= MAX_NAME_BYTES) return join(dirname(finalPath), temp);
  return join(dirname(finalPath), `.${createHash('sha1').update(name).digest('hex')}${tag}${TEMP_MARK}`);
}

export function isTemporaryName(name: string): boolean {
  return name.endsWith(TEMP_MARK);
}

/** Errors of a folder fsync that mean "this filesystem does not do that" (exFAT via FUSE, SMB, some NAS). */
const FOLDER_SYNC_UNSUPPORTED = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF', 'ENOSYS']);

/**
 * Makes the entries of `dir` (renames, new files) durable. A filesystem that refuses an
 * fsync on a folder still renames atomically, and has no other way to flush its folder, so
 * that refusal is not an error; any other failure (EIO) is.
 */
export async function fsyncFolder(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    await fh.sync();
  } catch (e) {
    if (!FOLDER_SYNC_UNSUPPORTED.has(errno(e) ?? '')) throw e;
  } finally {
    await fh?.close();
  }
}

/** Forces a written file's bytes to its device. */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await fsp.open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return fsp.lstat(path).then(
    () => true,
    (e: unknown) => (errno(e) === 'ENOENT' ? false : Promise.reject(e)),
  );
}

/**
 * Gives a complete, fsynced temporary file (or folder) its final name and makes the rename
 * durable. With `exclusive`, an entry already at `finalPath` is a DEST_CONFLICT and stays
 * untouched (the caller's lock rules out a writer racing between the check and the rename).
 */
export async function commitTemporary(temp: string, finalPath: string, options: { exclusive?: boolean } = {}): Promise<void> {
  if (options.exclusive && (await exists(finalPath))) {
    throw new RushesError('DEST_CONFLICT', `${finalPath} already exists and is never overwritten`, { path: finalPath });
  }
  await fsp.rename(temp, finalPath);
  await fsyncFolder(dirname(finalPath));
}

/**
 * Creates `path` (never replacing an entry) with `data` and fsyncs it. Only for a file inside
 * a temporary folder that is committed as a whole (commitTemporary): its own name is then
 * as good as a temporary one, and one fsync of that folder covers all its entries.
 */
export async function writeNewFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await fsp.open(path, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `data` to `path` durably (temporary name, fsync, rename, folder fsync). */
export async function writeFileDurably(path: string, data: string | Uint8Array, options: { exclusive?: boolean } = {}): Promise<void> {
  const temp = temporaryPath(path, { unique: true });
  try {
    await writeNewFileSynced(temp, data);
    await commitTemporary(temp, path, options);
  } catch (e) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    if (e instanceof RushesError) throw e;
    throw destinationError(e, path);
  }
}

/**
 * Copies `from` to `to` durably; `check` (given the fsynced temporary copy) may refuse it
 * before it takes the final name, e.g. after reading it back from the medium.
 */
export async function copyFileDurably(from: string, to: string, options: { exclusive?: boolean; check?: (temp: string) => Promise<void> } = {}): Promise<void> {
  const temp = temporaryPath(to, { unique: true });
  try {
    await fsp.copyFile(from, temp, constants.COPYFILE_EXCL);
    await fsyncFile(temp);
    await options.check?.(temp);
    await commitTemporary(temp, to, options);
  } catch (e) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    if (e instanceof RushesError) throw e;
    throw destinationError(e, to);
  }
}
