/**
 * Hash a file as it is on the medium, in the calling thread. Verification must prove the
 * bytes that reached the disk, so reads use O_DIRECT where the filesystem supports it: the
 * kernel then fetches from the device instead of serving the page cache that the copy
 * itself just filled. This runs inside the worker threads (workers/tasks.ts), `rushes-fn`, and
 * the thread of a CLI command that owns it (`rushes verify`, `rushes mhl …`); the engine
 * reaches it through a `Hashing` (./hashing.ts).
 */
import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { errno } from '../errors.ts';
import { digestFunction, loadedDigestFunctions, MultiHasher } from './index.ts';
import type { Digests, HashFormat } from './types.ts';

/** Size of one read; a multiple of every device's logical block size. */
export const READ_CHUNK = 4 * 1024 * 1024;
const WASM_PAGE = 64 * 1024;

/**
 * How much to ask of one read when `expected` bytes are left (by the file's size when opened):
 * what is left, rounded up to a 64 KiB multiple (aligned for O_DIRECT on any device), at most
 * READ_CHUNK. Asking a 4 KiB file for 4 MiB with O_DIRECT makes the kernel pin the whole
 * buffer: on 10,000 files of 4 KiB that took 5× as long as asking for 64 KiB. A file that
 * grew since is still read to its end, by further reads.
 */
export function readLength(expected: number): number {
  return Math.min(READ_CHUNK, Math.max(WASM_PAGE, Math.ceil(expected / WASM_PAGE) * WASM_PAGE));
}

/**
 * O_DIRECT needs a block-aligned buffer address. Node cannot align a Buffer, but a
 * WebAssembly.Memory is mapped on a page boundary, so a view over it always qualifies.
 * Buffers are pooled: a verify of 10,000 files must not map 10,000 memories. The pool
 * keeps as many as a worker may read at once (mhl's small files: up to 4 batches of 4 reads
 * each, core/mhl/hashing.ts and batch.ts): with fewer, each file maps a new memory, and
 * `npm run bench -- mhl` verify took 3× as long. A buffer only costs memory for the pages
 * a read has touched, and only large files touch more than 64 KiB (see readLength); but
 * each reserves address space for its guard region, which V8 bounds per process.
 */
const POOLED_BUFFERS = 16;
const pool: Uint8Array[] = [];
function takeAlignedBuffer(): Uint8Array {
  return pool.pop() ?? new Uint8Array(new WebAssembly.Memory({ initial: READ_CHUNK / WASM_PAGE }).buffer);
}
function returnAlignedBuffer(buf: Uint8Array): void {
  if (pool.length < POOLED_BUFFERS) pool.push(buf);
}

/** A cached read of a file below this size may be one synchronous read (see smallCachedRead). */
const SYNC_CACHED_READ = 1024 * 1024;

/**
 * How this thread reads small files through the page cache. When the cache holds them, one
 * synchronous read each: a hand-off to libuv's thread pool costs twice the read itself
 * (10,000 files of 4 KiB, warm: 114 ms read synchronously, 244 ms with 16 reads in flight).
 * When they come from the device, a synchronous read waits for it with nothing else in
 * flight, so once one read took as long as a device read, the next go to the thread pool
 * (many at once). Now and then one is still read synchronously, to see whether the cache
 * holds the files again: after 16 files, and twice as many after each probe that met the
 * device again, up to 1,024. Such a probe waits behind the reads in flight: one every 16
 * files kept the thread waiting for 40 % of a cold `mhl create` (10,000 files of 4 KiB).
 */
const smallCachedRead = {
  /**
   * Longer than the page cache takes to answer for a small file (a few µs for 4 KiB), shorter
   * than a device read (~80 µs here). A file near 1 MiB may count as read from the device: it
   * then goes through the thread pool, where its copy outweighs the hand-off anyway.
   */
  DEVICE_READ_MS: 0.05,
  /** What copying out of the page cache may add per byte (2 GB/s, slower than memory here): a cached read of a few hundred KiB is no device read. */
  CACHED_MS_PER_BYTE: 1 / 2e6,
  FIRST_PROBE: 16,
  LAST_PROBE: 1024,
  fromDevice: false,
  probeEvery: 16,
  sinceProbe: 0,
  synchronously(): boolean {
    if (!this.fromDevice || ++this.sinceProbe >= this.probeEvery) return ((this.sinceProbe = 0), true);
    return false;
  },
  took(ms: number, bytes: number): void {
    const fromDevice = ms > this.DEVICE_READ_MS + bytes * this.CACHED_MS_PER_BYTE;
    this.probeEvery = !fromDevice ? this.FIRST_PROBE : this.fromDevice ? Math.min(this.LAST_PROBE, this.probeEvery * 2) : this.probeEvery;
    this.fromDevice = fromDevice;
  },
};

export type ReadMode = 'direct' | 'cached';

export interface FileHashResult {
  digests: Digests;
  bytes: number;
  /** 'direct' when every byte came from the device; 'cached' when the filesystem refused O_DIRECT. */
  mode: ReadMode;
}

export interface ReadOptions {
  direct?: boolean;
  /** The file's size as just listed, when known: it spares an fstat (the size only shapes the reads). */
  size?: number;
  onBytes?: (n: number) => void;
  signal?: Pick<AbortSignal, 'throwIfAborted' | 'aborted'>;
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
 * This runs in a thread where a short blocking call holds up nothing that matters (a worker,
 * a CLI command's own): calls that never wait for a device (open, close) are synchronous,
 * which spares each one a hand-off to libuv's shared thread pool (what dominated 10,000
 * small files); reads, which wait for the device, stay asynchronous so other files' reads
 * in this thread go on meanwhile.
 *
 * A file that one read returns whole is hashed in one call per format (`hashBytes`): the
 * first chunk waits, and the read that finds the end of the file lands beside it in the
 * buffer, at a 64 KiB boundary (aligned for O_DIRECT). A streaming hasher made per file
 * cost 57–121 ms of CPU on 10,000 files of 4 KiB, the one-shot calls 6 ms. The same bytes
 * are hashed, read the same way; a file that needs more reads streams as before.
 */
export async function hashFileHere(path: string, formats: readonly HashFormat[], options: ReadOptions = {}): Promise<FileHashResult> {
  const { fd, mode } = openForVerify(path, options.direct ?? true);
  let buf: Uint8Array;
  try {
    buf = takeAlignedBuffer();
  } catch (e) {
    closeSync(fd); // no buffer (address space for WebAssembly memories exhausted): the descriptor is not kept
    throw e;
  }
  let bytes = 0;
  /** The file's first chunk, not hashed yet: while it is all there is, it may be the whole file. */
  let first: Uint8Array | undefined;
  let hasher: MultiHasher | undefined;
  const streaming = async (): Promise<MultiHasher> => {
    const h = await MultiHasher.create(formats);
    if (first) h.update(first);
    first = undefined;
    return h;
  };
  try {
    // The size only shapes the reads; what counts is what the reads return, up to end of file.
    const size = options.size ?? fstatSync(fd).size;
    for (let atEnd = false; ; ) {
      options.signal?.throwIfAborted();
      const length = readLength(size - bytes);
      // Where this read lands: after the waiting first chunk when there is room, else (once that is hashed) at the start.
      let at = 0;
      if (first) {
        const after = Math.ceil(first.length / WASM_PAGE) * WASM_PAGE;
        if (after + length <= buf.length) at = after;
        else hasher = await streaming();
      }
      const target = buf.subarray(at, at + length);
      // After a short read, or once the size is read, the next read almost always meets the end
      // of the file, which the kernel answers at once without I/O: asked synchronously, it costs no hand-off.
      // So is a cached read of a small file while the page cache holds what is read (see smallCachedRead).
      const small = mode === 'cached' && bytes === 0 && size < SYNC_CACHED_READ;
      let bytesRead: number;
      if (atEnd) bytesRead = readSync(fd, target, 0, length, bytes);
      else if (small && smallCachedRead.synchronously()) {
        const started = performance.now();
        bytesRead = readSync(fd, target, 0, length, bytes);
        smallCachedRead.took(performance.now() - started, bytesRead);
      } else bytesRead = await readAsync(fd, target, bytes);
      if (bytesRead === 0) break;
      const chunk = target.subarray(0, bytesRead);
      if (hasher) hasher.update(chunk);
      else if (!first) first = chunk;
      else (hasher = await streaming()).update(chunk);
      bytes += bytesRead;
      options.onBytes?.(bytesRead);
      if (endsAtListedSize(bytesRead, length, bytes, size)) break;
      atEnd = bytesRead < length || bytes >= size;
    }
    // Before the buffer goes back to the pool: the first chunk is still in it.
    return { digests: hasher ? hasher.digests() : await digestsOfWhole(formats, first ?? new Uint8Array(0)), bytes, mode };
  } finally {
    returnAlignedBuffer(buf);
    closeSync(fd);
  }
}

/**
 * A small file read through the page cache in one synchronous call and hashed whole, with no
 * promise: what the files of a frame sequence just written or read are, one after another.
 * On 10,000 files of 4 KiB hashFileHere's awaits cost about as much as the reads. Undefined
 * (and the file is left to hashFileHere) unless the caller asked for the page cache (`direct`
 * false), the listed size fits one read, the cache is answering (smallCachedRead) and the
 * digest functions have loaded; also when the file now fills that whole read, or a read past
 * its end finds more (it grew since it was listed). The same bytes are read as hashFileHere reads.
 */
export function hashSmallCachedFileNow(path: string, formats: readonly HashFormat[], options: Pick<ReadOptions, 'direct' | 'size' | 'onBytes'>): FileHashResult | undefined {
  const size = options.size;
  if ((options.direct ?? true) || size === undefined || size >= SYNC_CACHED_READ) return undefined;
  const digests = loadedDigestFunctions(formats);
  if (!digests || !smallCachedRead.synchronously()) return undefined;
  const buf = takeAlignedBuffer();
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    // One byte more than listed, so that a file of exactly a 64 KiB multiple still ends short of the read.
    const length = readLength(size + 1);
    const started = performance.now();
    const bytes = readSync(fd, buf, 0, length, 0);
    smallCachedRead.took(performance.now() - started, bytes);
    if (bytes === length) return undefined;
    if (!endsAtListedSize(bytes, length, bytes, size) && readSync(fd, buf, Math.ceil(bytes / WASM_PAGE) * WASM_PAGE, WASM_PAGE, bytes) !== 0) return undefined;
    if (bytes > 0) options.onBytes?.(bytes);
    const data = buf.subarray(0, bytes);
    const out: Digests = {};
    for (let i = 0; i < formats.length; i++) out[formats[i]] = digests[i](data);
    return { digests: out, bytes, mode: 'cached' };
  } finally {
    returnAlignedBuffer(buf);
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether a read has met the end of the file without asking again: it returned less than
 * asked and the file is now exactly the size just listed (or fstat()ed). Any other short
 * read is followed by one that must return nothing: a file that grew while read, or a
 * filesystem that answers short before the end, is read on. (One more read per file was
 * 10,000 syscalls on a card of frames, ~3 % of `mhl create`.)
 */
function endsAtListedSize(bytesRead: number, asked: number, bytes: number, size: number): boolean {
  return bytesRead < asked && bytes === size;
}

/** A whole file's digests, one call per format. */
async function digestsOfWhole(formats: readonly HashFormat[], data: Uint8Array): Promise<Digests> {
  const out: Digests = {};
  for (const format of formats) out[format] = (await digestFunction(format))(data);
  return out;
}

/** One asynchronous positioned read into `buf`; resolves with the bytes read. */
export function readAsync(fd: number, buf: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, position, (e, n) => (e ? reject(e) : resolve(n))));
}
