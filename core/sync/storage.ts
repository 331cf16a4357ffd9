/**
 * `s3://bucket/prefix/…` as a place functions read from and write to (runtime/storage.ts):
 * an input is downloaded into a scratch folder and checked against the xxh64 it was uploaded
 * with; outputs are staged in a local folder and uploaded on commit, each proven the way
 * every sync is (sync.ts), a plate's folder frame by frame. The function itself only ever
 * sees local paths, so the same function runs on a laptop and in a cloud container. A bucket
 * is also where this machine and tasks on others meet (shared-objects.ts).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RushesError } from '../errors.ts';
import { createHasher } from '../hash/index.ts';
import type { Storage } from '../runtime/storage.ts';
import type { Db } from '../store/db.ts';
import { createS3Client, type S3Endpoint } from './client.ts';
import { XXH64_META, type SyncFile } from './context.ts';
import { DEFAULT_RETRY, withRetry } from './retry.ts';
import type { SyncRecords } from './store.ts';
import { syncFailure, syncFiles } from './sync.ts';
import { sharedObjects } from './shared-objects.ts';
import { parseS3Uri, s3Uri } from './target.ts';
import type { Bandwidth } from './throttle.ts';

export interface S3StorageOptions {
  endpoint: S3Endpoint;
  /** Where inputs are downloaded and outputs staged. */
  scratch: string;
  /** Where uploads under way and synced objects are recorded (opened when first needed). */
  store(): Db | SyncRecords;
  bandwidth?: Bandwidth;
}

/** The object's key below a location: an input names one object; it may not be a "folder". */
function objectOf(uri: string): { bucket: string; key: string } {
  const { bucket, prefix } = parseS3Uri(uri);
  const key = prefix.replace(/\/$/, '');
  if (key === '' || uri.endsWith('/')) throw new RushesError('USAGE', `${uri} names a folder; a function's input is one object`);
  return { bucket, key };
}

async function download(client: S3Client, uri: string, to: string): Promise<void> {
  const { bucket, key } = objectOf(uri);
  await withRetry('download of', { bucket, key, path: to }, { policy: DEFAULT_RETRY }, async () => {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hasher = await createHasher('xxh64');
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hasher.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(r.Body as NodeJS.ReadableStream, hashing, createWriteStream(to));
    const recorded = r.Metadata?.[XXH64_META];
    const got = hasher.digest();
    if (recorded !== undefined && got !== recorded) throw new RushesError('SYNC_INTEGRITY', `${uri} downloaded as xxh64 ${got}, but it was uploaded as ${recorded}`, { path: to });
  });
}

/** The files of staged outputs: a file as itself, a folder of frames frame by frame, under `prefix`. */
async function stagedFiles(dir: string, names: readonly string[], bucketPrefix: string): Promise<{ name: string; files: SyncFile[] }[]> {
  const out: { name: string; files: SyncFile[] }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const frames = (await stat(path)).isDirectory() ? (await readdir(path)).sort() : undefined;
    const files = frames ? frames.map((f) => ({ path: join(path, f), key: `${bucketPrefix}${name}/${f}` })) : [{ path, key: `${bucketPrefix}${name}` }];
    out.push({ name, files });
  }
  return out;
}

export function s3Storage(o: S3StorageOptions): Storage {
  let client: S3Client | undefined;
  const clientOf = () => (client ??= createS3Client(o.endpoint));
  return {
    async localInput(uri) {
      const { key } = objectOf(uri);
      await mkdir(o.scratch, { recursive: true });
      const dir = await mkdtemp(join(o.scratch, 'input-'));
      const to = join(dir, basename(key));
      await download(clientOf(), uri, to);
      return to;
    },
    async stageOutputs(uri, id) {
      const { bucket, prefix } = parseS3Uri(uri.endsWith('/') ? uri : `${uri}/`);
      await mkdir(o.scratch, { recursive: true });
      const dir = await mkdtemp(join(o.scratch, `out-${id}-`));
      return {
        dir,
        async commit(names) {
          const outputs = await stagedFiles(dir, names, prefix);
          const summary = await syncFiles({ endpoint: o.endpoint, bucket }, outputs.flatMap((x) => x.files), { store: o.store(), client: clientOf(), bandwidth: o.bandwidth });
          const failure = syncFailure(summary);
          if (failure) throw failure;
          await rm(dir, { recursive: true, force: true });
          return new Map(outputs.map((x) => [x.name, s3Uri({ bucket, prefix }, x.files.length === 1 && x.files[0]!.key === `${prefix}${x.name}` ? x.name : `${x.name}/`)]));
        },
        discard: () => rm(dir, { recursive: true, force: true }),
      };
    },
    shared: sharedObjects({ endpoint: o.endpoint, scratch: o.scratch, store: o.store, client: clientOf, bandwidth: o.bandwidth }),
  };
}
