/**
 * Copies one source file to several destination files in a single read: each chunk is
 * hashed once and written to every destination concurrently. Destination files are
 * written under their temporary names and fsynced; renaming is the caller's job, after
 * verification, so a final name always means a complete file.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { RushesError, destinationError, errno } from '../errors.ts';
import { MultiHasher, type Digests, type HashFormat } from '../hash/index.ts';
import type { SourceFile } from './walk.ts';

export const COPY_CHUNK = 4 * 1024 * 1024;

/** One destination file being written. `error` is set when this destination failed for this file. */
export interface WriteTarget {
  destination: string;
  tempPath: string;
  error?: RushesError;
}

export interface CopyResult {
  digests: Digests;
  hashedAt: Date;
}

/** Reused chunk buffers: a card of 10,000 files must not allocate 10,000 × 8 MiB. */
const bufferPool: Buffer[] = [];
function takeBuffer(): Buffer {
  return bufferPool.pop() ?? Buffer.allocUnsafeSlow(COPY_CHUNK);
}
function giveBuffer(b: Buffer): void {
  if (bufferPool.length < 16) bufferPool.push(b);
}

function sourceReadError(e: unknown, file: SourceFile): RushesError {
  if (e instanceof RushesError) return e;
  const code = errno(e);
  if (code === 'ENOENT') return new RushesError('SOURCE_CHANGED', `source file vanished while it was copied: ${file.abs}`, { path: file.abs, cause: e });
  return new RushesError('SOURCE_UNREADABLE', `cannot read source file ${file.abs}: ${code ?? (e as Error).message}`, { path: file.abs, cause: e });
}

function changedError(file: SourceFile, what: string): RushesError {
  return new RushesError('SOURCE_CHANGED', `source file changed while it was copied (${what}): ${file.abs}`, { path: file.abs });
}

/** Opens each target's temporary file, replacing a partial one from an interrupted run. */
async function openTargets(targets: WriteTarget[], created: Set<string>): Promise<(fsp.FileHandle | undefined)[]> {
  return Promise.all(
    targets.map(async (t) => {
      try {
        const dir = dirname(t.tempPath);
        if (!created.has(dir)) {
          await fsp.mkdir(dir, { recursive: true });
          created.add(dir);
        }
        return await fsp.open(t.tempPath, 'w');
      } catch (e) {
        t.error = destinationError(e, t.tempPath);
        return undefined;
      }
    }),
  );
}

/**
 * Streams `file` into every target. Throws (a RushesError) when the source fails — then no
 * target holds a good copy. A failing destination only marks its own target's `error`.
 */
export async function copyToTargets(
  file: SourceFile,
  targets: WriteTarget[],
  formats: readonly HashFormat[],
  options: { createdDirs: Set<string>; onBytes?: (n: number) => void; signal?: AbortSignal },
): Promise<CopyResult> {
  const hasher = await MultiHasher.create(formats);
  let src: fsp.FileHandle;
  try {
    src = await fsp.open(file.abs, 'r');
  } catch (e) {
    throw sourceReadError(e, file);
  }
  const handles = await openTargets(targets, options.createdDirs);
  const buffers = [takeBuffer(), takeBuffer()];
  try {
    // One check after the read covers the whole copy: any change since the card was listed
    // (size or time differ from the listing) is caught there, so no stat is needed before.
    let position = 0;
    let turn = 0;
    let pendingRead = readChunk(src, buffers[0], position, file);
    for (;;) {
      options.signal?.throwIfAborted();
      const bytes = await pendingRead;
      if (bytes === 0) break;
      const chunk = buffers[turn].subarray(0, bytes);
      // Read the next chunk while this one is hashed and written: the source is the slow side.
      // Past the listed size there is nothing to read (growth shows in the stat below).
      turn ^= 1;
      pendingRead = position + bytes >= file.size ? Promise.resolve(0) : readChunk(src, buffers[turn], position + bytes, file);
      hasher.update(chunk);
      await writeToAll(targets, handles, chunk, position);
      position += bytes;
      options.onBytes?.(bytes);
      if (targets.every((t) => t.error)) {
        await pendingRead.catch(() => 0);
        break;
      }
    }
    const hashedAt = new Date();
    if (targets.every((t) => t.error)) return { digests: hasher.digests(), hashedAt };
    if (position !== file.size) throw changedError(file, `read ${position} bytes, expected ${file.size}`);
    const after = await src.stat({ bigint: true });
    if (Number(after.size) !== file.size || after.mtimeNs !== file.mtimeNs) throw changedError(file, 'modified during the copy');

    await Promise.all(targets.map((t, i) => finishTarget(t, handles[i], file)));
    return { digests: hasher.digests(), hashedAt };
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw sourceReadError(e, file);
  } finally {
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
    await src.close().catch(() => undefined);
    buffers.forEach(giveBuffer);
  }
}

async function readChunk(src: fsp.FileHandle, buf: Buffer, position: number, file: SourceFile): Promise<number> {
  try {
    const { bytesRead } = await src.read(buf, 0, buf.length, position);
    return bytesRead;
  } catch (e) {
    throw sourceReadError(e, file);
  }
}

async function writeToAll(targets: WriteTarget[], handles: (fsp.FileHandle | undefined)[], chunk: Buffer, position: number): Promise<void> {
  await Promise.all(
    targets.map(async (t, i) => {
      const h = handles[i];
      if (t.error || !h) return;
      try {
        let written = 0;
        while (written < chunk.length) {
          const { bytesWritten } = await h.write(chunk, written, chunk.length - written, position + written);
          written += bytesWritten;
        }
      } catch (e) {
        t.error = destinationError(e, t.tempPath);
      }
    }),
  );
}

/** Sets the source's times on the copy and forces its bytes to the device. */
async function finishTarget(t: WriteTarget, h: fsp.FileHandle | undefined, file: SourceFile): Promise<void> {
  if (t.error || !h) return;
  try {
    await h.utimes(Number(file.atimeNs) / 1e9, Number(file.mtimeNs) / 1e9);
    await h.sync();
  } catch (e) {
    t.error = destinationError(e, t.tempPath);
  }
}
