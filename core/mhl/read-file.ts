/**
 * Reads a history file whole, bounded in size; writes go through core/fs/durable.ts.
 */
import { constants, promises as fsp } from 'node:fs';
import { RushesError, errno } from '../errors.ts';
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
