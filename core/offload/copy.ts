/**
 * Copies one source file to several destination files in a single read, hashing it in the
 * same read. The copy itself runs in a worker thread (./copy-file.ts, the pool's `copyFile`); this side
 * creates the destination folders and turns the worker's answer back into the engine's
 * errors. Destination files are written under their temporary names and come back open, not
 * yet fsynced: ./durability.ts forces them to the device. Renaming is the caller's job,
 * after verification, so a final name always means a complete file.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { RushesError, destinationError } from '../errors.ts';
import type { Digests, HashFormat } from '../hash/index.ts';
import { runTask } from '../runtime/pool.ts';
import { fromWire, type WireError } from '../runtime/wire.ts';
import { closeQuietly, type CopyInput, type CopyOutput } from './copy-file.ts';
import type { SourceFile } from './walk.ts';

/** One destination file being written. `error` is set when this destination failed for this file. */
export interface WriteTarget {
  destination: string;
  tempPath: string;
  error?: RushesError;
  /** The written file, open until ./durability.ts has fsynced and closed it. */
  fd?: number;
}

/** What the `copyFile` task answers: the copy's result, its errors as data (workers/tasks.ts). */
export interface CopyTaskOutput extends Omit<CopyOutput, 'targetErrors'> {
  targetErrors: (WireError | undefined)[];
}

export interface CopyResult {
  digests: Digests;
  hashedAt: Date;
}

/** Creates each target's folder once per offload (`created` remembers them). */
async function makeFolders(targets: WriteTarget[], created: Set<string>): Promise<void> {
  await Promise.all(
    targets.map(async (t) => {
      const dir = dirname(t.tempPath);
      if (created.has(dir)) return;
      try {
        await fsp.mkdir(dir, { recursive: true });
        created.add(dir);
      } catch (e) {
        t.error = destinationError(e, t.tempPath);
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
  await makeFolders(targets, options.createdDirs);
  const input = {
    source: file.abs,
    size: file.size,
    mtimeNs: file.mtimeNs,
    atimeNs: file.atimeNs,
    targets: targets.map((t) => (t.error ? null : t.tempPath)),
    formats: [...formats],
  };
  const release = (out: CopyTaskOutput) => out.fds.forEach((fd) => fd !== undefined && closeQuietly(fd));
  const { digests, hashedAt, targetErrors, fds } = await runTask<CopyInput, CopyTaskOutput>('copyFile', input, { ...options, release });
  targetErrors.forEach((e, i) => {
    if (e) targets[i].error = fromWire(e) as RushesError;
  });
  fds.forEach((fd, i) => (targets[i].fd = fd));
  return { digests, hashedAt };
}
