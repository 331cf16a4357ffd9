/**
 * Copies one source file to several destination files in a single read: each chunk is
 * hashed once and written to every destination concurrently. Runs in a worker thread (the
 * hashing is CPU work the main thread must not do); ./copy.ts is its caller.
 *
 * Destination files are written under their temporary names and left open: the caller
 * forces them to the device (./durability.ts) and closes them. So a worker's task ends when
 * the bytes are in the page cache, and the next file copies while this one's fsync runs,
 * with many fsyncs in flight that the filesystem commits together. Renaming is the caller's
 * job too, after verification, so a final name always means a complete file.
 *
 * In a worker a blocking call holds up only that thread, so calls that never wait for a
 * device (open, write into the page cache, fstat, futimes, close) are synchronous: each
 * spares a hand-off to libuv's shared thread pool, which is what 10,000 small files cost.
 * Source reads, which wait for the device, stay asynchronous, so the next chunk is read while
 * this one is hashed and written, and other files' tasks go on.
 */
import { closeSync, fstatSync, futimesSync, openSync, writeSync } from 'node:fs';
import { RushesError, destinationError, errno } from '../errors.ts';
import { MultiHasher, type Digests, type HashFormat } from '../hash/index.ts';
import { readAsync } from '../hash/medium.ts';

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
  /**
   * Per target: the descriptor of the written temporary file, still open and not yet fsynced
   * (file descriptors belong to the process, so any thread may finish them). The caller must
   * fsync and close each one. Undefined where the target failed or the source did.
   */
  fds: (number | undefined)[];
}

interface Target {
  path: string | null;
  fd?: number;
  error?: RushesError;
}

/**
 * Reused chunk buffers: a card of 10,000 files must not allocate 10,000 × 8 MiB. Each
 * worker keeps two copies' worth; every worker holds its own, so more would add up in the
 * process's peak memory (`npm run bench -- offload` limits it to 300 MB).
 */
const bufferPool: Buffer[] = [];
function takeBuffer(): Buffer {
  return bufferPool.pop() ?? Buffer.allocUnsafeSlow(COPY_CHUNK);
}
function giveBuffer(b: Buffer): void {
  if (bufferPool.length < 4) bufferPool.push(b);
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

/** Runs one destination's step; a failure takes only that destination out of this file. */
function onTarget(t: Target, step: (fd: number) => void): void {
  if (!live(t) || t.fd === undefined) return;
  try {
    step(t.fd);
  } catch (e) {
    t.error = destinationError(e, t.path!);
  }
}

/**
 * Streams the source into every target. Throws (a RushesError) when the source fails — then
 * no target holds a good copy. A failing destination only sets its own entry in `targetErrors`.
 */
export async function copyFile(input: CopyInput, options: { onBytes?: (n: number) => void; signal?: Pick<AbortSignal, 'throwIfAborted'> } = {}): Promise<CopyOutput> {
  const { source, size } = input;
  const hasher = await MultiHasher.create(input.formats);
  const targets: Target[] = input.targets.map((path) => ({ path }));
  const result = (hashedAt: Date): CopyOutput => ({ digests: hasher.digests(), hashedAt, targetErrors: targets.map((t) => t.error), fds: targets.map((t) => (live(t) ? t.fd : undefined)) });
  let src: number;
  try {
    src = openSync(source, 'r');
  } catch (e) {
    throw sourceReadError(e, source);
  }
  // Opening with 'w' replaces a partial file from an interrupted run.
  for (const t of targets) {
    if (!live(t)) continue;
    try {
      t.fd = openSync(t.path!, 'w');
    } catch (e) {
      t.error = destinationError(e, t.path!);
    }
  }
  const buffers = [takeBuffer(), takeBuffer()];
  let handedOver = false;
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
      for (const t of targets) onTarget(t, (fd) => writeAll(fd, chunk, position));
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
    const after = fstatSync(src, { bigint: true });
    if (Number(after.size) !== size || after.mtimeNs !== input.mtimeNs) throw changedError(source, 'modified during the copy');

    // Give the copy the source's times; the caller forces its bytes to the device.
    for (const t of targets) onTarget(t, (fd) => futimesSync(fd, Number(input.atimeNs) / 1e9, Number(input.mtimeNs) / 1e9));
    const copied = result(hashedAt);
    handedOver = true;
    return copied;
  } catch (e) {
    if (isAbort(e)) throw e;
    throw sourceReadError(e, source);
  } finally {
    // Descriptors of live targets now belong to the caller; every other one is closed here.
    for (const t of targets) if (t.fd !== undefined && !(handedOver && live(t))) closeQuietly(t.fd);
    closeQuietly(src);
    buffers.forEach(giveBuffer);
  }
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

async function readChunk(src: number, buf: Buffer, position: number, path: string): Promise<number> {
  try {
    return await readAsync(src, buf, position);
  } catch (e) {
    throw sourceReadError(e, path);
  }
}

function writeAll(fd: number, chunk: Buffer, position: number): void {
  for (let written = 0; written < chunk.length; ) written += writeSync(fd, chunk, written, chunk.length - written, position + written);
}

/** Closes a descriptor whose file is settled: fsynced, or failed (nothing left to lose either way). */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // A close error changes nothing: the bytes were fsynced already, or the copy failed.
  }
}
