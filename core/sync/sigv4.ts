/**
 * AWS Signature Version 4 for one request in the Authorization header, as S3 and every
 * S3-compatible store check it. Written here (node:crypto only) so that the lean request
 * path for small objects (lean-put.ts) does not pay the SDK's per-request middleware; the
 * SDK still signs everything else. S3's own rule applies: the path is URI-encoded once (not
 * twice, as other AWS services do), and a key's "/" stays as it is.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What a request is signed for: the region and service name of the credential scope. */
export interface SigningScope {
  region: string;
  service: string;
}

export interface RequestToSign {
  method: string;
  /** The canonical URI: already encoded (`encodePath`), exactly as it goes on the wire. */
  path: string;
  /** Query parameters (unencoded); none for a plain PUT. */
  query?: Readonly<Record<string, string>>;
  /** Every header to sign, host included; names in any case, values as sent. */
  headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD (the value of x-amz-content-sha256). */
  payloadHash: string;
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * RFC 3986 percent-encoding as SigV4 wants it: everything but A–Z a–z 0–9 - . _ ~ is
 * encoded as %XX of its UTF-8 bytes, in upper case. encodeURIComponent leaves ! ' ( ) *
 * alone, so those are done by hand.
 */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An object path: each segment encoded, the slashes between them kept (`a b/ü` → `a%20b/%C3%BC`). */
export function encodePath(path: string): string {
  return path.split('/').map(uriEncode).join('/');
}

/** `20130524T000000Z` and `20130524` for a time. */
export function amzDate(ms: number): { stamp: string; day: string } {
  const stamp = new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return { stamp, day: stamp.slice(0, 8) };
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * The signing key of one day, region and service. It changes once a day, so the last one is
 * kept: four HMACs per request saved. (The secret itself is in memory anyway, with the SDK.)
 */
let lastKey: { secret: string; day: string; region: string; service: string; key: Buffer } | undefined;
export function signingKey(secret: string, day: string, scope: SigningScope): Buffer {
  const k = lastKey;
  if (k && k.secret === secret && k.day === day && k.region === scope.region && k.service === scope.service) return k.key;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), scope.region), scope.service), 'aws4_request');
  lastKey = { secret, day, ...scope, key };
  return key;
}

/** The canonical request and the signed-header list (lower-case names, sorted; values trimmed, inner spaces folded). */
export function canonicalRequest(req: RequestToSign): { text: string; signedHeaders: string } {
  const headers = Object.entries(req.headers)
    .map(([k, v]) => [k.toLowerCase(), String(v).trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(';');
  const query = Object.entries(req.query ?? {})
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const text = [req.method, req.path, query, headers.map(([k, v]) => `${k}:${v}\n`).join(''), signedHeaders, req.payloadHash].join('\n');
  return { text, signedHeaders };
}

/**
 * The Authorization header's value for a request made at `stamp` (x-amz-date, which must be
 * among the signed headers, as must host).
 */
export function authorization(req: RequestToSign, credentials: SigningCredentials, scope: SigningScope, stamp: string): string {
  const day = stamp.slice(0, 8);
  const credentialScope = `${day}/${scope.region}/${scope.service}/aws4_request`;
  const { text, signedHeaders } = canonicalRequest(req);
  const stringToSign = `${ALGORITHM}\n${stamp}\n${credentialScope}\n${sha256Hex(text)}`;
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, scope)).update(stringToSign, 'utf8').digest('hex');
  return `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
