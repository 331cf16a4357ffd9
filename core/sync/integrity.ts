/**
 * The checksums an upload is proven with, computed from the bytes as they are read:
 * - Content-MD5 of every part and small object, which every S3 store checks on arrival;
 * - the ETag the store then reports: the MD5 of a single-request object, and for a
 *   multipart object the MD5 of the parts' binary MD5s followed by "-N";
 * - a flexible checksum (CRC32C or SHA-256) per part, and the object's composite checksum
 *   (the checksum of the parts' binary checksums, "-N"), where the store supports them.
 */
import { createHash, type Hash } from 'node:crypto';
import { createCRC32, type IHasher } from 'hash-wasm';
import type { FlexibleChecksum } from './client.ts';

/** The Castagnoli polynomial (reversed), which makes hash-wasm's CRC32 a CRC32C. */
const CASTAGNOLI = 0x82f63b78;

/** The digests of one part or one small object. */
export interface PartDigest {
  /** Binary MD5 (16 bytes). */
  md5: Buffer;
  /** Binary flexible checksum, when the endpoint uses one. */
  checksum?: Buffer;
}

interface Streaming {
  update(data: Uint8Array): void;
  digest(): Buffer;
}

function nodeHash(h: Hash): Streaming {
  return { update: (d) => void h.update(d), digest: () => h.digest() };
}

function wasmHash(h: IHasher): Streaming {
  return { update: (d) => void h.update(d), digest: () => Buffer.from(h.digest('binary')) };
}

async function flexibleHasher(algorithm: FlexibleChecksum): Promise<Streaming | undefined> {
  if (algorithm === 'CRC32C') return wasmHash(await createCRC32(CASTAGNOLI));
  if (algorithm === 'SHA256') return nodeHash(createHash('sha256'));
  return undefined;
}

/** MD5 and the flexible checksum of one part, fed chunk by chunk as the part is read. */
export class PartHasher {
  private constructor(
    private readonly md5: Streaming,
    private readonly flexible: Streaming | undefined,
  ) {}

  static async create(algorithm: FlexibleChecksum): Promise<PartHasher> {
    return new PartHasher(nodeHash(createHash('md5')), await flexibleHasher(algorithm));
  }

  update(data: Uint8Array): void {
    this.md5.update(data);
    this.flexible?.update(data);
  }

  digest(): PartDigest {
    const md5 = this.md5.digest();
    return this.flexible ? { md5, checksum: this.flexible.digest() } : { md5 };
  }
}

/** An ETag as stores send it ("\"abc…\"", sometimes in upper case) in one comparable form. */
export function normaliseEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/"/g, '').trim().toLowerCase();
}

/** The ETag a store reports for an object sent in one request. */
export function singleEtag(md5: Buffer): string {
  return md5.toString('hex');
}

/** The ETag a store reports for a multipart object: MD5 of the concatenated part MD5s, "-", the part count. */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  const h = createHash('md5');
  for (const m of partMd5s) h.update(m);
  return `${h.digest('hex')}-${partMd5s.length}`;
}

/** The composite checksum of a multipart object: the checksum of the parts' binary checksums, base64, "-N". */
export async function compositeChecksum(algorithm: FlexibleChecksum, partChecksums: readonly Buffer[]): Promise<string | undefined> {
  const h = await flexibleHasher(algorithm);
  if (!h) return undefined;
  for (const c of partChecksums) h.update(c);
  return `${h.digest().toString('base64')}-${partChecksums.length}`;
}

/** The SDK's input and output field for a flexible checksum. */
export function checksumField(algorithm: FlexibleChecksum): 'ChecksumCRC32C' | 'ChecksumSHA256' | undefined {
  return algorithm === 'CRC32C' ? 'ChecksumCRC32C' : algorithm === 'SHA256' ? 'ChecksumSHA256' : undefined;
}

/** The same checksum as an HTTP header, for requests made without the SDK (lean-put.ts). */
export function checksumHeader(algorithm: FlexibleChecksum): 'x-amz-checksum-crc32c' | 'x-amz-checksum-sha256' | undefined {
  return algorithm === 'CRC32C' ? 'x-amz-checksum-crc32c' : algorithm === 'SHA256' ? 'x-amz-checksum-sha256' : undefined;
}

/**
 * Whether the store's answer confirms what was sent. A store that does not return a
 * flexible checksum (RGW ignores them) is judged by the ETag alone; one that returns a
 * different checksum is a mismatch. A composite checksum may come back with or without "-N".
 */
export function confirms(expected: { etag: string; checksum?: string }, got: { etag?: string; checksum?: string }, etagIsMd5 = true): boolean {
  if (etagIsMd5 && normaliseEtag(got.etag) !== expected.etag) return false;
  if (expected.checksum === undefined || got.checksum === undefined) return true;
  const bare = (c: string) => c.replace(/-\d+$/, '');
  return bare(got.checksum) === bare(expected.checksum);
}
