/**
 * Bytes from the local copy to the wire with bounded memory: a fixed pool of part-sized
 * buffers shared by every upload of a sync (the pool is the memory budget), parts read in
 * 1 MiB chunks and hashed as they are read (the event loop gets a turn between chunks),
 * and request bodies streamed from a buffer in chunks metered by the bandwidth limit.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { RushesError } from '../errors.ts';
import type { Hasher } from '../hash/index.ts';
import type { PartHasher } from './integrity.ts';
import type { Bandwidth } from './throttle.ts';

const READ_CHUNK = 1024 * 1024;

/**
 * The memory budget for bytes in flight, shared by every upload of a sync: a part or a
 * small file waits until its bytes fit. Part-sized buffers are kept and reused (a part is
 * the common case, and reuse spares the garbage collector); anything else gets a buffer of
 * its own size, so a small file holds 40 KB of the budget, not a part's worth.
 */
export class BufferPool {
  private used = 0;
  private readonly free: Buffer[] = [];
  private readonly waiting: { size: number; wake: () => void }[] = [];

  constructor(
    readonly bufferSize: number,
    readonly budget: number,
  ) {}

  async acquire(size: number, signal?: AbortSignal): Promise<Buffer> {
    // One request larger than the whole budget still goes, alone.
    if (this.waiting.length > 0 || (this.used > 0 && this.used + size > this.budget)) await this.wait(size, signal);
    else this.used += size;
    if (size !== this.bufferSize) return Buffer.allocUnsafeSlow(size);
    const b = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize);
    this.trim();
    return b;
  }

  release(b: Buffer): void {
    this.used -= b.length;
    if (b.length === this.bufferSize) this.free.push(b);
    this.trim();
    while (this.waiting.length > 0 && (this.used === 0 || this.used + this.waiting[0].size <= this.budget)) {
      const next = this.waiting.shift()!;
      this.used += next.size; // reserved here, so a later arrival cannot take it first
      next.wake();
    }
  }

  /** Kept buffers count against the budget too. */
  private trim(): void {
    while (this.free.length > 0 && this.used + this.free.length * this.bufferSize > this.budget) this.free.pop();
  }

  private wait(size: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const entry = {
        size,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
}

/**
 * Reads `length` bytes at `offset` into `into`, feeding each chunk to the part's hashers and
 * to the whole file's hasher (in file order, so the caller must read parts in order).
 * A file that ends early changed under us: that is the caller's SOURCE_CHANGED.
 */
export async function readPart(fh: FileHandle, path: string, offset: number, length: number, into: Buffer, part: PartHasher, file?: Hasher): Promise<Buffer> {
  let done = 0;
  while (done < length) {
    const want = Math.min(READ_CHUNK, length - done);
    const { bytesRead } = await fh.read(into, done, want, offset + done);
    if (bytesRead === 0) {
      throw new RushesError('SOURCE_CHANGED', `${path} ended at ${offset + done} bytes while it was read for upload (expected ${offset + length}); it changed`, { path });
    }
    const chunk = into.subarray(done, done + bytesRead);
    part.update(chunk);
    file?.update(chunk);
    done += bytesRead;
  }
  return into.subarray(0, length);
}

/**
 * A request body streamed from memory in chunks the bandwidth limit allows. A stream rather
 * than the buffer itself also spares the SDK a SHA-256 of every payload for the signature
 * (it signs a stream as UNSIGNED-PAYLOAD): Content-MD5, which the store checks, is the proof.
 */
export function meteredBody(data: Buffer, bandwidth: Bandwidth, signal?: AbortSignal): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    let at = 0;
    while (at < data.length) {
      const n = Math.min(bandwidth.chunkSize(), data.length - at);
      try {
        await bandwidth.take(n, signal);
      } catch (e) {
        // Cancelled: the request is being aborted by the same signal; the body just ends.
        if (signal?.aborted) return;
        throw e;
      }
      yield data.subarray(at, at + n);
      at += n;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
