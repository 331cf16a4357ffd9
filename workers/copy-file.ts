/**
 * Copies one source file to several destination files in a single read: each chunk is
 * hashed once and written to every destination concurrently. Runs in a worker thread (the
 * hashing is CPU work the main thread must not do); core/offload/copy.ts is its caller.
 *
 * Destination files are written under their temporary names and fsynced; renaming is the
 * caller's job, after verification, so a final name always means a complete file.
 */
import { promises as fsp } from 'node:fs';
import { RushesError, destinationError, errno } from '../core/errors.ts';
import { MultiHasher, type Digests, type HashFormat } from '../core/hash/index.ts';

export const COPY_CHUNK = 4 * 1024 * 1024;

export interface CopyInput {
  source: string;
  /** Size and times as the card was listed: any difference after the read means the file changed. */
  size: number;
  mtimeNs: bigint;
  atimeNs: bigint;
  /** Temporary paths to write, in the caller's order; null for a destination already out of the running. */
  targets: (string | null)[];
  formats: HashFormat[];
}

export interface CopyOutput {
  digests: Digests;
  hashedAt: Date;
  /** Per target: why this destination failed for this file (the other destinations carried on). */
  targetErrors: (RushesError | undefined)[];
}

interface Target {
  path: string | null;
  handle?: fsp.FileHandle;
  error?: RushesError;
}

/** Reused chunk buffers: a card of 10,000 files must not allocate 10,000 × 8 MiB. */
const bufferPool: Buffer[] = [];
function takeBuffer(): Buffer {
  return bufferPool.pop() ?? Buffer.allocUnsafeSlow(COPY_CHUNK);
}
function giveBuffer(b: Buffer): void {
  if (bufferPool.length < 16) bufferPool.push(b);
}

function sourceReadError(e: unknown, path: string): RushesError {
  if (e instanceof RushesError) return e;
  const code = errno(e);
  if (code === 'ENOENT') return new RushesError('SOURCE_CHANGED', `source file vanished while it was copied: ${path}`, { path, cause: e });
  return new RushesError('SOURCE_UNREADABLE', `cannot read source file ${path}: ${code ?? (e as Error).message}`, { path, cause: e });
}

function changedError(path: string, what: string): RushesError {
  return new RushesError('SOURCE_CHANGED', `source file changed while it was copied (${what}): ${path}`, { path });
}

const live = (t: Target): boolean => t.path !== null && !t.error;

/** Opens each target's temporary file, replacing a partial one from an interrupted run. */
async function openTargets(targets: Target[]): Promise<void> {
  await Promise.all(
    targets.filter(live).map(async (t) => {
      try {
        t.handle = await fsp.open(t.path!, 'w');
      } catch (e) {
        t.error = destinationError(e, t.path!);
      }
    }),
  );
}

/**
 * Streams the source into every target. Throws (a RushesError) when the source fails — then
 * no target holds a good copy. A failing destination only sets its own entry in `targetErrors`.
 */
export async function copyFile(input: CopyInput, options: { onBytes?: (n: number) => void; signal?: Pick<AbortSignal, 'throwIfAborted'> } = {}): Promise<CopyOutput> {
  const { source, size } = input;
  const hasher = await MultiHasher.create(input.formats);
  const targets: Target[] = input.targets.map((path) => ({ path }));
  const result = (hashedAt: Date): CopyOutput => ({ digests: hasher.digests(), hashedAt, targetErrors: targets.map((t) => t.error) });
  let src: fsp.FileHandle;
  try {
    src = await fsp.open(source, 'r');
  } catch (e) {
    throw sourceReadError(e, source);
  }
  await openTargets(targets);
  const buffers = [takeBuffer(), takeBuffer()];
  try {
    // One check after the read covers the whole copy: any change since the card was listed
    // (size or time differ from the listing) is caught there, so no stat is needed before.
    let position = 0;
    let turn = 0;
    let pendingRead = readChunk(src, buffers[0], position, source);
    for (;;) {
      options.signal?.throwIfAborted();
      const bytes = await pendingRead;
      if (bytes === 0) break;
      const chunk = buffers[turn].subarray(0, bytes);
      // Read the next chunk while this one is hashed and written: the source is the slow side.
      // Past the listed size there is nothing to read (growth shows in the stat below).
      turn ^= 1;
      pendingRead = position + bytes >= size ? Promise.resolve(0) : readChunk(src, buffers[turn], position + bytes, source);
      hasher.update(chunk);
      await writeToAll(targets, chunk, position);
      position += bytes;
      options.onBytes?.(bytes);
      if (!targets.some(live)) {
        await pendingRead.catch(() => 0);
        break;
      }
    }
    const hashedAt = new Date();
    if (!targets.some(live)) return result(hashedAt);
    if (position !== size) throw changedError(source, `read ${position} bytes, expected ${size}`);
    const after = await src.stat({ bigint: true });
    if (Number(after.size) !== size || after.mtimeNs !== input.mtimeNs) throw changedError(source, 'modified during the copy');

    await Promise.all(targets.map((t) => finishTarget(t, input)));
    return result(hashedAt);
  } catch (e) {
    if (isAbort(e)) throw e;
    throw sourceReadError(e, source);
  } finally {
    await Promise.all(targets.map((t) => t.handle?.close().catch(() => undefined)));
    await src.close().catch(() => undefined);
    buffers.forEach(giveBuffer);
  }
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

async function readChunk(src: fsp.FileHandle, buf: Buffer, position: number, path: string): Promise<number> {
  try {
    const { bytesRead } = await src.read(buf, 0, buf.length, position);
    return bytesRead;
  } catch (e) {
    throw sourceReadError(e, path);
  }
}

async function writeToAll(targets: Target[], chunk: Buffer, position: number): Promise<void> {
  await Promise.all(
    targets.map(async (t) => {
      if (!live(t) || !t.handle) return;
      try {
        let written = 0;
        while (written < chunk.length) {
          const { bytesWritten } = await t.handle.write(chunk, written, chunk.length - written, position + written);
          written += bytesWritten;
        }
      } catch (e) {
        t.error = destinationError(e, t.path!);
      }
    }),
  );
}

/** Sets the source's times on the copy and forces its bytes to the device. */
async function finishTarget(t: Target, input: CopyInput): Promise<void> {
  if (!live(t) || !t.handle) return;
  try {
    await t.handle.utimes(Number(input.atimeNs) / 1e9, Number(input.mtimeNs) / 1e9);
    await t.handle.sync();
  } catch (e) {
    t.error = destinationError(e, t.path!);
  }
}
