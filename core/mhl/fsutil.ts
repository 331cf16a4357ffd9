/**
 * The two file operations a history needs: read a small file whole (bounded), and publish
 * a file atomically (temporary name, fsync, rename, fsync the folder) so that a crash
 * leaves either the old state or the complete new file, never half a manifest.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RushesError, destinationError, errno } from '../errors.ts';
import { MAX_XML_BYTES } from './xml-dom.ts';

/** Reads an MHL or chain file; a read error names the file. */
export async function readMhlFile(path: string): Promise<Buffer> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    const st = await fh.stat();
    if (!st.isFile()) throw new RushesError('MHL_INVALID', `${path}: not a regular file`, { path });
    if (st.size > MAX_XML_BYTES) throw new RushesError('MHL_INVALID', `${path}: file is ${st.size} bytes, more than the ${MAX_XML_BYTES} an MHL file may have`, { path });
    return await fh.readFile();
  } catch (e) {
    if (e instanceof RushesError) throw e;
    const code = errno(e);
    if (code === 'ELOOP') throw new RushesError('MHL_INVALID', `${path}: is a symbolic link; history files must be regular files`, { path, cause: e });
    throw new RushesError('MHL_INVALID', `${path}: cannot be read (${code ?? (e instanceof Error ? e.message : String(e))})`, { path, cause: e });
  } finally {
    await fh?.close();
  }
}

export async function fsyncFolder(dir: string): Promise<void> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, 'r');
    await fh.sync();
  } catch (e) {
    // Some filesystems (exFAT via FUSE, SMB) refuse fsync on a folder; the rename is still atomic there.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EACCES', 'ENOTSUP', 'EBADF'].includes(errno(e) ?? '')) throw e;
  } finally {
    await fh?.close();
  }
}

/**
 * Writes `data` to `path` via a temporary file in the same folder. With `exclusive`, an
 * existing file at `path` is an error and is left untouched (nothing is overwritten).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: { exclusive?: boolean } = {}): Promise<void> {
  const dir = dirname(path);
  // The temporary name ends in .tmp, so no MHL reader ever takes it for a manifest.
  const temp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await fsp.open(temp, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (options.exclusive) {
      const exists = await fsp.lstat(path).then(
        () => true,
        (e: unknown) => (errno(e) === 'ENOENT' ? false : Promise.reject(e)),
      );
      if (exists) throw new RushesError('DEST_CONFLICT', `${path} already exists; a history file is never overwritten`, { path });
    }
    await fsp.rename(temp, path);
    await fsyncFolder(dir);
  } catch (e) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    if (e instanceof RushesError) throw e;
    throw destinationError(e, path);
  }
}
