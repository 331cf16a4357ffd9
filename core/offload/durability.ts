/**
 * Forces written copies to their devices: the step between the copy (./copy.ts, which hands
 * back each temporary file still open) and the read-back (./settle.ts). A copy counts only
 * once its fsync succeeded, as before; what changed is where the fsync waits. Here it runs
 * on the main thread's side, in its own lane (./execute.ts), so the worker that copied the
 * file is already copying the next one, and the fsyncs of many files are in flight together,
 * which a journaling filesystem answers with one commit for all of them.
 */
import { fsync } from 'node:fs';
import { destinationError } from '../errors.ts';
import type { WriteTarget } from './copy.ts';
import { closeQuietly } from './copy-file.ts';

/**
 * Fsyncs and closes every open target of one file, all at once. A target whose fsync fails
 * (a full disk found at write-back, an I/O error) gets its `error`; its descriptor is closed
 * all the same.
 */
export async function makeDurable(targets: readonly WriteTarget[]): Promise<void> {
  await Promise.all(
    targets.map(async (t) => {
      const fd = t.fd;
      if (fd === undefined) return;
      t.fd = undefined;
      try {
        if (!t.error) await syncFd(fd);
      } catch (e) {
        t.error = destinationError(e, t.tempPath);
      } finally {
        // After its fsync a file has nothing left to flush, so closing it never waits for a
        // device: done at once, it spares a hand-off to libuv's thread pool per copy.
        closeQuietly(fd);
      }
    }),
  );
}

function syncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
}
