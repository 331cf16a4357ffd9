/**
 * The pure parts of core/sync: the bandwidth schedule and meter, part plans, the ETag and
 * checksum arithmetic, the bucket layout, error classification, backoff and endpoint
 * defaults. The servers' side is in sync-rgw.test.ts and sync-moto.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Bandwidth, checkKeyLayout, describeEndpoint, limitAt, parseLimit, renderKey, resolveEndpoint, type BandwidthSchedule } from '../core/sync/index.ts';
import type { RushesError } from '../core/errors.ts';
import { failureKind, syncError } from '../core/sync/errors.ts';
import { compositeChecksum, confirms, multipartEtag, PartHasher } from '../core/sync/integrity.ts';
import { MAX_PARTS, partLength, planParts } from '../core/sync/multipart.ts';
import { backoffDelay, DEFAULT_RETRY } from '../core/sync/retry.ts';

const MiB = 1024 * 1024;
/** Local time on a given weekday of a known week (2026-03-01 is a Sunday). */
const at = (day: number, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(2026, 2, 1 + day, h, m);
};

describe('bandwidth schedule', () => {
  const schedule: BandwidthSchedule = {
    limit: 4 * MiB,
    windows: [
      { from: '20:00', to: '06:00', limit: null }, // full speed at night
      { days: [0, 6], from: '00:00', to: '00:00', limit: 16 * MiB }, // weekends all day
    ],
  };

  it('is full speed inside a window past midnight, on both sides of it', () => {
    expect(limitAt(schedule, at(1, '20:00'))).toBeNull();
    expect(limitAt(schedule, at(1, '23:59'))).toBeNull();
    expect(limitAt(schedule, at(2, '00:00'))).toBeNull();
    expect(limitAt(schedule, at(2, '05:59'))).toBeNull();
  });

  it('is the default limit outside every window, with the end exclusive', () => {
    expect(limitAt(schedule, at(2, '06:00'))).toBe(4 * MiB);
    expect(limitAt(schedule, at(3, '12:30'))).toBe(4 * MiB);
    expect(limitAt(schedule, at(3, '19:59'))).toBe(4 * MiB);
  });

  it('lets the first window that holds decide, and days limit a window', () => {
    expect(limitAt(schedule, at(6, '12:00'))).toBe(16 * MiB); // Saturday noon
    expect(limitAt(schedule, at(6, '21:00'))).toBeNull(); // the night window comes first
    expect(limitAt(schedule, at(5, '12:00'))).toBe(4 * MiB); // Friday noon
  });

  it('gives the morning part of a window past midnight to the next day only', () => {
    const fridayNight: BandwidthSchedule = { limit: 1000, windows: [{ days: [5], from: '22:00', to: '02:00', limit: 5000 }] };
    expect(limitAt(fridayNight, at(5, '23:00'))).toBe(5000);
    expect(limitAt(fridayNight, at(6, '01:00'))).toBe(5000);
    expect(limitAt(fridayNight, at(5, '01:00'))).toBe(1000);
  });

  it('reads rates as rclone does and refuses nonsense', () => {
    expect(parseLimit('8M')).toBe(8 * MiB);
    expect(parseLimit('512k')).toBe(512 * 1024);
    expect(parseLimit('1.5G')).toBe(1.5 * 1024 * MiB);
    expect(parseLimit('off')).toBeNull();
    expect(parseLimit('2000')).toBe(2000);
    expect(() => parseLimit('fast')).toThrow(/512k, 8M/);
    expect(() => new Bandwidth({ limit: null, windows: [{ from: '25:00', to: '06:00', limit: null }] })).toThrow(/HH:MM/);
  });
});

describe('bandwidth meter', () => {
  it('holds the limit across senders and applies a change while they run', async () => {
    const bw = new Bandwidth(2 * MiB);
    const t0 = Date.now();
    // 2 MiB at 2 MiB/s from two senders: about a second (less the quarter second of burst).
    await Promise.all([0, 1].map(async () => {
      for (let i = 0; i < 16; i++) await bw.take(64 * 1024);
    }));
    const first = (Date.now() - t0) / 1000;
    expect(first).toBeGreaterThan(0.6);
    expect(first).toBeLessThan(1.6);
    bw.set(null);
    const t1 = Date.now();
    for (let i = 0; i < 100; i++) await bw.take(MiB);
    expect(Date.now() - t1).toBeLessThan(100);
  });
});

describe('parts and integrity arithmetic', () => {
  it('cuts files into parts within S3 limits', () => {
    expect(planParts(20 * MiB, 8 * MiB)).toEqual({ partSize: 8 * MiB, count: 3 });
    expect(partLength({ partSize: 8 * MiB, count: 3 }, 20 * MiB, 3)).toBe(4 * MiB);
    expect(planParts(20 * MiB, MiB).partSize).toBe(5 * MiB); // S3's minimum
    const huge = planParts(200 * 1024 ** 3, 8 * MiB);
    expect(huge.count).toBeLessThanOrEqual(MAX_PARTS);
    expect(huge.partSize % MiB).toBe(0);
  });

  it('computes the multipart ETag as the MD5 of the part MD5s with the count', () => {
    const parts = [Buffer.from('one'), Buffer.from('two')];
    const md5s = parts.map((p) => createHash('md5').update(p).digest());
    const expected = createHash('md5').update(Buffer.concat(md5s)).digest('hex') + '-2';
    expect(multipartEtag(md5s)).toBe(expected);
  });

  it('computes CRC32C (Castagnoli) and composite checksums', async () => {
    const h = await PartHasher.create('CRC32C');
    h.update(Buffer.from('1234'));
    h.update(Buffer.from('56789'));
    const d = h.digest();
    // The CRC32C check value of "123456789" is 0xE3069283.
    expect(d.checksum!.toString('hex')).toBe('e3069283');
    expect(d.md5.toString('hex')).toBe(createHash('md5').update('123456789').digest('hex'));
    const composite = await compositeChecksum('CRC32C', [d.checksum!, d.checksum!]);
    const again = await PartHasher.create('CRC32C');
    again.update(Buffer.concat([d.checksum!, d.checksum!]));
    expect(composite).toBe(`${again.digest().checksum!.toString('base64')}-2`);
    expect(await compositeChecksum('none', [])).toBeUndefined();
  });

  it('accepts an answer only when ETag and any returned checksum agree', () => {
    expect(confirms({ etag: 'abc', checksum: 'x==' }, { etag: '"ABC"' })).toBe(true);
    expect(confirms({ etag: 'abc', checksum: 'x==-2' }, { etag: '"abc"', checksum: 'x==' })).toBe(true);
    expect(confirms({ etag: 'abc', checksum: 'x==' }, { etag: '"abc"', checksum: 'y==' })).toBe(false);
    expect(confirms({ etag: 'abc' }, { etag: '"abd"' })).toBe(false);
    expect(confirms({ etag: 'abc' }, { etag: '"kms-etag"' }, false)).toBe(true);
  });
});

describe('bucket layout', () => {
  const card = { project: 'Show', date: new Date(2026, 0, 5), identity: { camera: 'arri', roll: 'A001', volumeLabel: 'A001_CARD' } };

  it('renders a key from the card and the file path', () => {
    expect(renderKey('{project}/{date}/{roll}/{path}', { ...card, path: 'Clips/A001C003.mxf' })).toBe('Show/2026-01-05/A001/Clips/A001C003.mxf');
    expect(renderKey('{project}/{camera}/{unit}/{label}/{path}', { ...card, path: 'x.mov' })).toBe('Show/ARRI/A/A001_CARD/x.mov');
  });

  it('keeps every segment safe and refuses keys S3 would', () => {
    expect(renderKey('{project}/{roll}/{path}', { ...card, project: '../up', path: 'a/../b\u0001.mov' })).toBe('.._up/A001/a/_/b_.mov');
    expect(() => renderKey('{roll}/{path}', { ...card, path: 'x'.repeat(1100) })).toThrow(/1024/);
  });

  it('checks templates where they are configured', () => {
    expect(() => checkKeyLayout('{project}/{roll}/{path}')).not.toThrow();
    expect(() => checkKeyLayout('{project}/{roll}')).toThrow(/must end in/);
    expect(() => checkKeyLayout('{project}/{reel}/{path}')).toThrow(/unknown field \{reel\}/);
    expect(() => checkKeyLayout('/{roll}/{path}')).toThrow(/relative/);
  });
});

describe('failures', () => {
  const sdkError = (name: string, status?: number) => Object.assign(new Error(name === 'x' ? 'boom' : 'UnknownError'), { name, $metadata: { httpStatusCode: status } });
  const ref = { bucket: 'b', key: 'k/clip.mov', path: '/raid/A001/clip.mov' };

  it('waits out a store that is down or busy and a link that dropped', () => {
    for (const e of [sdkError('SlowDown', 503), sdkError('InternalError', 500), sdkError('ServiceUnavailable', 503), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), new Error('socket hang up'), sdkError('TimeoutError')]) {
      expect(failureKind(e)).toBe('transient');
    }
  });

  it('sends again at once what arrived corrupted', () => {
    expect(failureKind(sdkError('BadDigest', 400))).toBe('corrupt');
    expect(failureKind(sdkError('XAmzContentChecksumMismatch', 400))).toBe('corrupt');
  });

  it('names the code, the object and the file for what is final', () => {
    const cases: [string, number, string][] = [
      ['InvalidAccessKeyId', 403, 'SYNC_AUTH'],
      ['SignatureDoesNotMatch', 403, 'SYNC_AUTH'],
      ['NoSuchBucket', 404, 'SYNC_NO_BUCKET'],
      ['AccessDenied', 403, 'SYNC_DENIED'],
      ['QuotaExceeded', 403, 'SYNC_QUOTA'],
      ['NotImplemented', 501, 'SYNC_REFUSED'],
    ];
    for (const [name, status, code] of cases) {
      const e = sdkError(name, status);
      expect(failureKind(e)).toBe('final');
      const r = syncError(e, 'upload of', ref) as RushesError;
      expect(r.code).toBe(code);
      expect(r.message).toContain('s3://b/k/clip.mov (from /raid/A001/clip.mov)');
      expect(r.message).toContain(name);
      expect(r.path).toBe(ref.path);
    }
  });

  it('leaves what is neither the store nor the link unclassified, and reads missing credentials as SYNC_AUTH', () => {
    const bug = new TypeError('x is undefined');
    expect(syncError(bug, 'upload of', ref)).toBe(bug);
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect((syncError(noCredentials, 'upload of', ref) as RushesError).code).toBe('SYNC_AUTH');
  });

  it('backs off exponentially with jitter, within the ceiling', () => {
    const p = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(0, p, () => 0)).toBe(50);
    expect(backoffDelay(0, p, () => 1)).toBe(100);
    expect(backoffDelay(3, p, () => 1)).toBe(800);
    expect(backoffDelay(10, p, () => 1)).toBe(1000);
    expect(backoffDelay(10, p, () => 0)).toBe(500);
  });
});

describe('endpoints', () => {
  it('defaults checksums per provider', () => {
    expect(resolveEndpoint({ url: 'http://127.0.0.1:7480', provider: 'ceph' })).toMatchObject({ requestChecksumCalculation: 'WHEN_REQUIRED', checksum: 'none', pathStyle: true });
    expect(resolveEndpoint({ region: 'eu-west-1' })).toMatchObject({ provider: 'aws', requestChecksumCalculation: 'WHEN_SUPPORTED', checksum: 'CRC32C', pathStyle: false });
    expect(resolveEndpoint({ url: 'https://s3.example.com' })).toMatchObject({ provider: 'other', requestChecksumCalculation: 'WHEN_REQUIRED' });
    expect(resolveEndpoint({ url: 'http://x:1', provider: 'ceph', requestChecksumCalculation: 'WHEN_SUPPORTED', checksum: 'SHA256' })).toMatchObject({ requestChecksumCalculation: 'WHEN_SUPPORTED', checksum: 'SHA256' });
    expect(() => resolveEndpoint({ url: 'ftp://x' })).toThrow(/http/);
  });

  it('never shows a secret', () => {
    const d = JSON.stringify(describeEndpoint({ url: 'http://x:1', credentials: { accessKeyId: 'AKIAEXAMPLEKEY', secretAccessKey: 'very-secret-value' } }));
    expect(d).not.toContain('very-secret-value');
    expect(d).not.toContain('AKIAEXAMPLEKEY');
  });
});
