/**
 * Hashes against independent references: xxhsum 0.8.1, md5sum and sha1sum on real files, the
 * published C4 ID vectors, and the kernel's own I/O accounting for "read from the medium".
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, constants, fsyncSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errno, RushesError } from '../core/errors.ts';
import { BACKEND_FORMATS, backendFor, createBackendHasher, pickBackend, type Backend } from '../core/hash/backends.ts';
import { c4FromSha512, createHasher, HASH_FORMATS, hashBytes, isC4Id, MultiHasher, parseHashFormats, type HashFormat } from '../core/hash/index.ts';
import { hashFile, hashFiles } from '../core/runtime/hashing.ts';
import { hashFilesHere } from '../core/hash/batch.ts';
import { READ_CHUNK } from '../core/hash/medium.ts';

const MiB = 1024 * 1024;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rushes-hash-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file and forces it to the device, so later reads have a medium to come from. */
function writeDurable(name: string, data: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  const fd = openSync(path, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  return path;
}

/** The reference tool for each format (c4 has none; it is checked against published IDs). */
const TOOL: Record<Exclude<HashFormat, 'c4'>, [string, ...string[]]> = {
  xxh64: ['xxhsum', '-H1'],
  xxh128: ['xxhsum', '-H2'],
  xxh3: ['xxhsum', '-H3'],
  md5: ['md5sum'],
  sha1: ['sha1sum'],
};

/** Runs a tool; xxhsum 0.8.1 prints -H3 BSD-style ("XXH3 (f) = hex"), the rest "hex  f". */
function toolDigest(format: Exclude<HashFormat, 'c4'>, path: string): string {
  const [cmd, ...args] = TOOL[format];
  const line = execFileSync(cmd, [...args, path], { encoding: 'utf8', stdio: 'pipe' }).trim();
  const hex = /= ([0-9a-f]+)$/.exec(line)?.[1] ?? /^([0-9a-f]+)\s/.exec(line)?.[1];
  if (!hex) throw new Error(`no digest in ${cmd} output: ${line}`);
  return hex;
}

/** Feeds `data` to a hasher in pieces of the given sizes, cycling through them. */
function feed(h: { update(d: Uint8Array): void }, data: Uint8Array, sizes: readonly number[]): void {
  for (let at = 0, i = 0; at < data.length; i++) {
    const end = Math.min(data.length, at + sizes[i % sizes.length]);
    h.update(data.subarray(at, end));
    at = end;
  }
}

const ODD_SIZES = [1, 7, 4093, 65537, MiB + 3, 31];

describe('digests match the reference tools on real files', () => {
  // Fixed edges, then random sizes either side of one and two read chunks, logged on failure.
  const sizes = [
    0,
    1,
    // A read asks for what is left of the file in 64 KiB steps (readLength): either side of one step.
    64 * 1024 - 1,
    64 * 1024,
    64 * 1024 + 1,
    READ_CHUNK - 1,
    READ_CHUNK,
    READ_CHUNK + 1,
    randomInt(READ_CHUNK - 4096, READ_CHUNK + 4096),
    randomInt(2 * READ_CHUNK - 4096, 2 * READ_CHUNK + 4096),
    randomInt(1, 3 * READ_CHUNK),
  ];

  it.each(sizes)('%i bytes: hashFile equals xxhsum -H1/-H2/-H3, md5sum, sha1sum', async (size) => {
    const path = writeDurable(`file-${size}.bin`, randomBytes(size));
    const { digests, bytes } = await hashFile(path, HASH_FORMATS);
    expect(bytes).toBe(size);
    for (const format of Object.keys(TOOL) as (keyof typeof TOOL)[]) {
      expect(digests[format], `${format} of ${size} bytes`).toBe(toolDigest(format, path));
    }
    expect(isC4Id(digests.c4!)).toBe(true);
  });

  it('a 5 MiB file fed in odd-sized chunks gives the one-shot digest', async () => {
    const data = randomBytes(5 * MiB);
    const path = writeDurable('five.bin', data);
    const streamed = await MultiHasher.create(HASH_FORMATS);
    feed(streamed, data, ODD_SIZES);
    const oneShot: Record<string, string> = {};
    for (const f of HASH_FORMATS) oneShot[f] = await hashBytes(f, data);

    expect(streamed.digests()).toEqual(oneShot);
    expect((await hashFile(path, HASH_FORMATS)).digests).toEqual(oneShot);
    expect(oneShot.xxh64).toBe(toolDigest('xxh64', path));
  });
});

describe('every backend agrees with createHasher', () => {
  const data = randomBytes(3 * MiB + 17);
  const pairs = (Object.entries(BACKEND_FORMATS) as [Backend, readonly HashFormat[]][]).flatMap(([b, fs]) => fs.map((f) => [b, f] as const));

  it.each(pairs)('%s %s', async (backend, format) => {
    const h = await createBackendHasher(format, backend);
    feed(h, data, ODD_SIZES);
    expect(h.digest()).toBe(await hashBytes(format, data));
  });

  it('falls back to WebAssembly when the native xxhash binding cannot load', () => {
    expect(pickBackend('xxh64', false)).toBe('hash-wasm');
    expect(pickBackend('xxh3', false)).toBe('hash-wasm');
    for (const f of HASH_FORMATS) expect(BACKEND_FORMATS[pickBackend(f, false)]).toContain(f);
    for (const f of HASH_FORMATS) expect(BACKEND_FORMATS[backendFor(f)]).toContain(f);
  });
});

describe('C4 ID (SMPTE ST 2114)', () => {
  // Published by the reference implementation: Avalanche-io/c4, id_test.go
  // (TestEncoding/TestNILID, TestIdentify, TestIdentification, TestParse, TestAll0000/TestAllFFFF).
  const vectors: [string, string][] = [
    ['', 'c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6a58hBXmRQdZrAkZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT'],
    ['foo', 'c45xZeXwMSpqXjpDumcHMA6mhoAmGHkUo7r9WmN2UgSEQzj9KjgseaQdkEJ11fGb5S1WEENcV3q8RFWwEeVpC7Fjk2'],
    ['alfa', 'c43zYcLni5LF9rR4Lg4B8h3Jp8SBwjcnyyeh4bc6gTPHndKuKdjUWx1kJPYhZxYt3zV6tQXpDs2shPsPYjgG81wZM1'],
    ['bravo', 'c42jd8KUQG9DKppN1qt5aWS3PAmdPmNutXyVTb8H123FcuU3shPxpUXsVdcouSALZ4PaDvMYzQSMYCWkb6rop9zhDa'],
    ['charlie', 'c44erLietE8C1iKmQ3y4ENqA9g82Exdkoxox3KEHops2ux5MTsuMjfbFRvUPsPdi9Pxc3C2MRvLxWT8eFw5XKbRQGw'],
    ['delta', 'c42Sv2Wi2Qo8AKbJKnUP6YTSdz8pt9aDaf2Ltx44HF1UDdXANM8Ltk6qEzpncvmVbw6FZxgBumw9Eo2jtGyaQ5gDSC'],
    ['india', 'c41nJ6CvPN7m7UkUA3oS2yjXYNSZ7WayxEQXWPae6wFkWwW8WChQWTu61bSeuCERu78BDK1LUEny1qHZnye3oU7DtY'],
    [
      'This is a pretend asset file, for testing asset id generation.\n',
      'c43ucjRutKqZSCrW43QGU1uwRZTGoVD7A7kPHKQ1z4X1Ge8mhW4Q1gk48Ld8VFpprQBfUC8JNvHYVgq453hCFrgf9D',
    ],
  ];

  it.each(vectors)('identifies %j', async (text, id) => {
    const data = Buffer.from(text, 'utf8');
    expect(await hashBytes('c4', data)).toBe(id);
    for (const backend of ['node:crypto', 'hash-wasm'] as const) {
      const h = await createBackendHasher('c4', backend);
      feed(h, data, [1]);
      expect(h.digest(), backend).toBe(id);
    }
  });

  it('encodes the extreme digests, keeping the 90-character length', () => {
    expect(c4FromSha512(new Uint8Array(64))).toBe('c4' + '1'.repeat(88));
    expect(c4FromSha512(new Uint8Array(64).fill(0xff))).toBe(
      'c467rpwLCuS5DGA8KGZXKsVQ7dnPb9goRLoKfgGbLfQg9WoLUgNY77E2jT11fem3coV9nAkguBACzrU1iyZM4B8roQ',
    );
  });
});

describe('parseHashFormats', () => {
  it('accepts a list in any case, with spaces and repeats', () => {
    expect(parseHashFormats(' XXH64, md5 ,xxh64,C4')).toEqual(['xxh64', 'md5', 'c4']);
  });

  it.each(['', ' , ,'])('rejects an empty list %j as a usage error', (list) => {
    expect(() => parseHashFormats(list)).toThrowError(expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(/no hash format given; choose from xxh64, xxh3/) }));
  });

  it('rejects an unknown name, naming it and the choices', () => {
    let caught: unknown;
    try {
      parseHashFormats('xxh64,sha256');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RushesError);
    expect((caught as RushesError).code).toBe('USAGE');
    expect((caught as RushesError).message).toBe('unknown hash format "sha256"; choose from xxh64, xxh3, xxh128, md5, sha1, c4');
  });
});

describe('hashFiles: many files in one call', () => {
  const sizes = [0, 1, 4095, 4096, 4097, 65536, 70_000, 3];
  const batchers = {
    'in this thread': hashFilesHere,
    'in a pool worker': hashFiles,
  };

  it.each(Object.keys(batchers))('%s: outcomes in the files\' order, each the reference digest; a missing file fails alone', async (where) => {
    const paths = sizes.map((size, i) => writeDurable(`batch-${where}-${i}.bin`, randomBytes(size)));
    const missing = join(dir, `batch-${where}-missing.bin`);
    const files = [...paths.slice(0, 3), missing, ...paths.slice(3)].map((path) => ({ path, formats: ['xxh64', 'md5'] as HashFormat[] }));
    const outcomes = await batchers[where as keyof typeof batchers](files, { direct: true });

    expect(outcomes).toHaveLength(files.length);
    const failed = outcomes[3] as { error: unknown };
    expect(errno(failed.error)).toBe('ENOENT');
    outcomes.forEach((o, i) => {
      if (i === 3) return;
      if ('error' in o) throw o.error;
      expect(o.bytes, files[i].path).toBe(sizes[i < 3 ? i : i - 1]);
      expect(o.digests.xxh64, files[i].path).toBe(toolDigest('xxh64', files[i].path));
      expect(o.digests.md5, files[i].path).toBe(toolDigest('md5', files[i].path));
    });
  });

  it.each([true, false])('direct %s: a file one read returns whole (hashed in one call) and one that takes several (streamed) give every format\'s streaming digest', async (direct) => {
    const lengths = [0, 1, 4096, 70_000, READ_CHUNK - 65536, READ_CHUNK - 1, READ_CHUNK, READ_CHUNK + 1];
    const datas = lengths.map((n) => randomBytes(n));
    const files = datas.map((d, i) => ({ path: writeDurable(`whole-${direct}-${i}.bin`, d), formats: HASH_FORMATS }));
    const outcomes = await hashFilesHere(files, { direct });
    for (const [i, o] of outcomes.entries()) {
      if ('error' in o) throw o.error;
      expect(o.bytes).toBe(lengths[i]);
      for (const format of HASH_FORMATS) {
        const h = await createHasher(format);
        h.update(datas[i]!);
        expect(o.digests[format], `${format} of ${lengths[i]} bytes`).toBe(h.digest());
      }
    }
  });

  it.each([true, false])('direct %s: a size as listed that no longer holds (the file grew or shrank since) changes nothing: every byte to the end is hashed', async (direct) => {
    const lengths = [4096, 65_536, 70_000, READ_CHUNK + 1];
    for (const [i, n] of lengths.entries()) {
      const data = randomBytes(n);
      const path = writeDurable(`stale-size-${direct}-${i}.bin`, data);
      for (const listed of [0, 1, n - 1, n + 1, 10 * n]) {
        const [o] = await hashFilesHere([{ path, formats: ['xxh64', 'md5'], size: listed }], { direct });
        if ('error' in o) throw o.error;
        expect(o.bytes, `${n} bytes listed as ${listed}`).toBe(n);
        expect(o.digests.md5, `${n} bytes listed as ${listed}`).toBe(toolDigest('md5', path));
      }
    }
  });

  it('cancelling rejects the whole batch with the signal\'s reason', async () => {
    const files = Array.from({ length: 40 }, (_, i) => ({ path: writeDurable(`cancel-${i}.bin`, randomBytes(4096)), formats: ['xxh64'] as HashFormat[] }));
    const controller = new AbortController();
    const reason = new Error('stop');
    const e = await hashFilesHere(files, { direct: false, lanes: 2, signal: controller.signal, onBytes: () => controller.abort(reason) }).catch((x: unknown) => x);
    expect(e).toBe(reason);
  });
});

describe('hashFile reads from the medium, not the page cache', () => {
  /** Bytes this process has caused to be fetched from a block device (Linux task I/O accounting). */
  function deviceReadBytes(): number {
    const m = /^read_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    if (!m) throw new Error('/proc/self/io has no read_bytes line');
    return Number(m[1]);
  }

  const TMPFS_MAGIC = 0x01021994;
  const RAMFS_MAGIC = 0x858458f6;

  /** Why this check cannot run here, or null when it can. Detected on the real file, not assumed. */
  function whyUnsupported(path: string): string | null {
    try {
      readFileSync('/proc/self/io');
    } catch {
      return 'no /proc/self/io (not Linux, or no task I/O accounting) to observe device reads';
    }
    if (constants.O_DIRECT === undefined) return 'this platform has no O_DIRECT';
    const fsType = statfsSync(path).type;
    if (fsType === TMPFS_MAGIC || fsType === RAMFS_MAGIC) return `${dir} is a RAM filesystem: there is no medium behind the page cache`;
    try {
      closeSync(openSync(path, constants.O_RDONLY | constants.O_DIRECT));
    } catch (e) {
      if (errno(e) === 'EINVAL') return `the filesystem holding ${dir} refuses O_DIRECT`;
      throw e;
    }
    return null;
  }

  it('a direct read of a cached file still fetches every byte from the device', async (ctx) => {
    const data = randomBytes(8 * MiB + 1234); // not a whole number of blocks: the tail read is short
    const path = writeDurable('medium.bin', data);
    const reason = whyUnsupported(path);
    if (reason) ctx.skip(reason);

    readFileSync(path); // now the page cache holds the whole file
    const before = deviceReadBytes();
    const result = await hashFile(path, ['xxh64'], { direct: true });
    const fetched = deviceReadBytes() - before;

    expect(result.mode).toBe('direct');
    expect(result.bytes).toBe(data.length);
    expect(result.digests.xxh64).toBe(toolDigest('xxh64', path));
    expect(fetched).toBeGreaterThanOrEqual(data.length);

    // The control: the same file read through the cache costs the device (almost) nothing,
    // so the counter really tells the two apart.
    const beforeCached = deviceReadBytes();
    const cached = await hashFile(path, ['xxh64'], { direct: false });
    expect(cached.mode).toBe('cached');
    expect(deviceReadBytes() - beforeCached).toBeLessThan(data.length / 2);
  });

  it('a batch of small cached files read directly fetches every one of them from the device', async (ctx) => {
    const files = Array.from({ length: 64 }, (_, i) => ({ path: writeDurable(`small-${i}.bin`, randomBytes(4096 + i)), formats: ['xxh64'] as HashFormat[] }));
    const reason = whyUnsupported(files[0].path);
    if (reason) ctx.skip(reason);
    for (const f of files) readFileSync(f.path); // all in the page cache now

    const before = deviceReadBytes();
    const outcomes = await hashFiles(files, { direct: true });
    const fetched = deviceReadBytes() - before;

    const total = files.reduce((n, _, i) => n + 4096 + i, 0);
    expect(outcomes.every((o) => 'mode' in o && o.mode === 'direct')).toBe(true);
    expect(outcomes.reduce((n, o) => n + ('bytes' in o ? o.bytes : 0), 0)).toBe(total);
    expect(fetched).toBeGreaterThanOrEqual(total);
  });
});

describe('createHasher', () => {
  it('gives each hasher its own state', async () => {
    const [a, b] = await Promise.all([createHasher('xxh64'), createHasher('xxh64')]);
    a.update(Buffer.from('abc'));
    expect(a.digest()).toBe('44bc2cf5ad770999'); // xxhsum -H1 of "abc"
    expect(b.digest()).toBe('ef46db3751d8e999'); // xxhsum -H1 of an empty file
  });
});
