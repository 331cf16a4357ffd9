/**
 * Hash a file as it is on the medium, in the calling thread. Verification must prove the
 * bytes that reached the disk, so reads use O_DIRECT where the filesystem supports it: the
 * kernel then fetches from the device instead of serving the page cache that the copy
 * itself just filled. This runs inside the worker threads (workers/tasks.ts) and `rushes-fn`;
 * the engine reaches it through a `Hashing` (./hashing.ts).
 */
import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { errno } from '../errors.ts';
import { MultiHasher } from './index.ts';
import type { Digests, HashFormat } from './types.ts';

/** Size of one read; a multiple of every device's logical block size. */
export const READ_CHUNK = 4 * 1024 * 1024;
const WASM_PAGE = 64 * 1024;
/** What an O_DIRECT read's length is rounded up to: a multiple of every device's logical block size. */
const DIRECT_ALIGN = 4096;

/**
 * O_DIRECT needs a block-aligned buffer address. Node cannot align a Buffer, but a
 * WebAssembly.Memory is mapped on a page boundary, so a view over it always qualifies.
 * Buffers are pooled: a verify of 10,000 files must not map 10,000 memories. The pool
 * keeps as many as a worker may read at once (mhl reads 16 small files at a time): with
 * fewer, each file maps a new memory, and `npm run bench -- mhl` verify took 3× as long.
 * A buffer only costs memory for the pages a read has touched.
 */
const pool: Uint8Array[] = [];
function takeAlignedBuffer(): Uint8Array {
  return pool.pop() ?? new Uint8Array(new WebAssembly.Memory({ initial: READ_CHUNK / WASM_PAGE }).buffer);
}
function returnAlignedBuffer(buf: Uint8Array): void {
  if (pool.length < 16) pool.push(buf);
}

export type ReadMode = 'direct' | 'cached';

export interface FileHashResult {
  digests: Digests;
  bytes: number;
  /** 'direct' when every byte came from the device; 'cached' when the filesystem refused O_DIRECT. */
  mode: ReadMode;
}

export interface ReadOptions {
  direct?: boolean;
  onBytes?: (n: number) => void;
  signal?: Pick<AbortSignal, 'throwIfAborted'>;
}

/** The file's descriptor: O_DIRECT when asked for and the filesystem allows it. */
function openForVerify(path: string, direct: boolean): { fd: number; mode: ReadMode } {
  if (direct && constants.O_DIRECT !== undefined) {
    try {
      return { fd: openSync(path, constants.O_RDONLY | constants.O_DIRECT), mode: 'direct' };
    } catch (e) {
      // tmpfs and some FUSE filesystems reject O_DIRECT; there the page cache *is* the medium.
      if (errno(e) !== 'EINVAL') throw e;
    }
  }
  return { fd: openSync(path, 'r'), mode: 'cached' };
}

/**
 * Reads a whole file once and returns its digests in every requested format.
 * `onBytes` reports progress after each chunk; `signal` aborts between chunks.
 *
 * This runs in a worker thread, where a blocking call holds up only that thread: calls that
 * never wait for a device (open, close) are synchronous, which spares each one a hand-off
 * to libuv's shared thread pool (what dominated 10,000 small files); reads, which wait for
 * the device, stay asynchronous so other files' tasks in this worker go on meanwhile.
 */
export async function hashFileHere(path: string, formats: readonly HashFormat[], options: ReadOptions = {}): Promise<FileHashResult> {
  const hasher = await MultiHasher.create(formats);
  const { fd, mode } = openForVerify(path, options.direct ?? true);
  const buf = takeAlignedBuffer();
  let bytes = 0;
  try {
    // An O_DIRECT read that reaches past the end of a file has the kernel zero the rest of
    // the buffer (ext4 maps it as a hole) before it answers the short count: 4 MiB zeroed for
    // every 32 KiB frame, most of the CPU of a 10,000-file offload, and every buffer made
    // resident. So each read asks for what is left of the file, rounded up to a block; past
    // the listed size (a file that grew) reads go on at full length until the end.
    const listed = mode === 'direct' ? fstatSync(fd).size : Infinity;
    for (let last = buf.length; ; ) {
      options.signal?.throwIfAborted();
      const want = bytes < listed ? Math.min(buf.length, roundUp(listed - bytes, DIRECT_ALIGN)) : buf.length;
      // After a short read the next one almost always meets the end of the file, which the
      // kernel answers at once without I/O: asked synchronously, it costs no hand-off.
      const bytesRead = last < want || bytes >= listed ? readSync(fd, buf, 0, want, bytes) : await readAsync(fd, buf, bytes, want);
      if (bytesRead === 0) break;
      hasher.update(buf.subarray(0, bytesRead));
      bytes += bytesRead;
      last = bytesRead;
      options.onBytes?.(bytesRead);
    }
  } finally {
    returnAlignedBuffer(buf);
    closeSync(fd);
  }
  return { digests: hasher.digests(), bytes, mode };
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** One asynchronous positioned read into `buf` (its first `length` bytes, all by default); resolves with the bytes read. */
export function readAsync(fd: number, buf: Uint8Array, position: number, length = buf.length): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, length, position, (e, n) => (e ? reject(e) : resolve(n))));
}
