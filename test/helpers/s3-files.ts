/** Files to upload and objects to read back, for the sync tests. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashBytes } from '../../core/hash/index.ts';
import { pseudoRandomBytes } from './card.ts';

export interface TestFile {
  path: string;
  size: number;
  sha256: string;
  xxh64: string;
}

/** Writes `size` bytes of seeded noise at dir/name. */
export async function makeFile(dir: string, name: string, size: number, seed = 1): Promise<TestFile> {
  const data = pseudoRandomBytes(size, seed);
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return { path, size, sha256: createHash('sha256').update(data).digest('hex'), xxh64: await hashBytes('xxh64', data) };
}

/** The object's bytes as the store serves them, hashed. */
export async function objectSha256(client: S3Client, bucket: string, key: string): Promise<{ sha256: string; size: number; metadata: Record<string, string> }> {
  const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await r.Body!.transformToByteArray());
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, metadata: r.Metadata ?? {} };
}
