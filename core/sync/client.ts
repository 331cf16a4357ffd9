/**
 * An S3 client for one endpoint: AWS itself or any S3-compatible store (Ceph RGW, MinIO,
 * Wasabi, Backblaze B2, …), with the checksum behaviour each of them accepts.
 *
 * Since early 2025 the SDK adds a CRC32 checksum to every upload by default, as an
 * `aws-chunked` body with a trailer when the body is a stream. Many S3-compatible stores
 * refuse that (Ceph RGW answers 411 MissingContentLength, Swift 501), so the SDK's own
 * checksum calculation is a per-endpoint setting, with a default per provider. Rushes
 * computes its own checksums anyway (Content-MD5 everywhere, a flexible checksum where the
 * store supports one) and sends them as plain headers, which every store takes.
 */
import type { Agent as HttpAgent } from 'node:http';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { RushesError } from '../errors.ts';

import { S3_PROVIDERS, type S3Provider } from './names.ts';

export { S3_PROVIDERS, type S3Provider };

/** The flexible checksum each part and object carries beside Content-MD5, or none. */
export type FlexibleChecksum = 'CRC32C' | 'SHA256' | 'none';
export type ChecksumMode = 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where objects go and how to talk to it. Everything but the bucket, which a sync target names. */
export interface S3Endpoint {
  /** The endpoint's name in the store's records (uploads under way, synced objects); default its URL, or aws:REGION. */
  name?: string;
  /** The store's URL (`https://s3.example.com`, `http://127.0.0.1:7480`); omitted for AWS, where the region decides. */
  url?: string;
  /** Default `us-east-1` (most S3-compatible stores accept any region name). */
  region?: string;
  /** `bucket` in the path rather than the host name; default true everywhere but AWS. */
  pathStyle?: boolean;
  /** Decides the checksum defaults below; default `aws` without a URL, else `other`. */
  provider?: S3Provider;
  /** Explicit credentials; without them the standard AWS chain is used (environment, shared config and credentials files, SSO, …). */
  credentials?: S3Credentials;
  /** A profile of the shared config files, for the standard chain. */
  profile?: string;
  /** The SDK's own request checksums (and `aws-chunked` bodies); default per provider. */
  requestChecksumCalculation?: ChecksumMode;
  /** Whether the SDK validates checksums of downloaded objects; default per provider. */
  responseChecksumValidation?: ChecksumMode;
  /** The flexible checksum Rushes sends with each part and object; default per provider. */
  checksum?: FlexibleChecksum;
  /**
   * Whether the store's ETag is the MD5 of what it received (default true). Not so with
   * SSE-KMS or SSE-C encryption on AWS; then Content-MD5 (checked by the store on arrival)
   * and the flexible checksum are the proof.
   */
  etagIsMd5?: boolean;
}

interface ProviderDefaults {
  pathStyle: boolean;
  sdkChecksums: ChecksumMode;
  checksum: FlexibleChecksum;
}

/**
 * What each provider accepts. AWS validates every flexible checksum; MinIO validates
 * CRC32C headers but its older releases refuse the SDK's aws-chunked trailers; Ceph RGW
 * (before Squid), Wasabi and Backblaze B2 ignore or refuse flexible checksums, so Content-MD5
 * — which they all check — is what protects the bytes there. An unknown store gets the
 * conservative choice.
 */
export const PROVIDER_DEFAULTS: Readonly<Record<S3Provider, ProviderDefaults>> = {
  aws: { pathStyle: false, sdkChecksums: 'WHEN_SUPPORTED', checksum: 'CRC32C' },
  minio: { pathStyle: true, sdkChecksums: 'WHEN_REQUIRED', checksum: 'CRC32C' },
  ceph: { pathStyle: true, sdkChecksums: 'WHEN_REQUIRED', checksum: 'none' },
  wasabi: { pathStyle: true, sdkChecksums: 'WHEN_REQUIRED', checksum: 'none' },
  backblaze: { pathStyle: true, sdkChecksums: 'WHEN_REQUIRED', checksum: 'none' },
  other: { pathStyle: true, sdkChecksums: 'WHEN_REQUIRED', checksum: 'none' },
};

/**
 * The endpoint a process is pointed at by its environment, where no config names one (the
 * worker image in a cloud batch job, `rushes render --out s3://…`): RUSHES_S3_ENDPOINT (a
 * URL; AWS when unset), RUSHES_S3_PROVIDER, and the region from AWS_REGION. Credentials come
 * from the standard chain, as always without a config.
 */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): S3Endpoint {
  const provider = env.RUSHES_S3_PROVIDER as S3Provider | undefined;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return { ...(env.RUSHES_S3_ENDPOINT ? { url: env.RUSHES_S3_ENDPOINT } : {}), ...(provider ? { provider } : {}), ...(region ? { region } : {}) };
}

/** An endpoint with every default filled in. */
export interface ResolvedEndpoint extends S3Endpoint {
  region: string;
  pathStyle: boolean;
  provider: S3Provider;
  requestChecksumCalculation: ChecksumMode;
  responseChecksumValidation: ChecksumMode;
  checksum: FlexibleChecksum;
  etagIsMd5: boolean;
}

export function resolveEndpoint(e: S3Endpoint): ResolvedEndpoint {
  const provider = e.provider ?? (e.url === undefined ? 'aws' : 'other');
  if (!(S3_PROVIDERS as readonly string[]).includes(provider)) {
    throw new RushesError('USAGE', `unknown S3 provider "${provider}"; choose from ${S3_PROVIDERS.join(', ')}`);
  }
  if (e.url !== undefined && !/^https?:\/\/[^/]/.test(e.url)) throw new RushesError('USAGE', `S3 endpoint URL "${e.url}" must start with http:// or https://`);
  const d = PROVIDER_DEFAULTS[provider];
  return {
    ...e,
    provider,
    region: e.region ?? 'us-east-1',
    pathStyle: e.pathStyle ?? d.pathStyle,
    requestChecksumCalculation: e.requestChecksumCalculation ?? d.sdkChecksums,
    responseChecksumValidation: e.responseChecksumValidation ?? d.sdkChecksums,
    checksum: e.checksum ?? d.checksum,
    etagIsMd5: e.etagIsMd5 ?? true,
  };
}

/** The endpoint's identity in the store's records: its name, else its URL, else AWS and the region. */
export function endpointId(e: S3Endpoint): string {
  if (e.name !== undefined) return e.name;
  return e.url !== undefined ? e.url.replace(/\/+$/, '') : `aws:${e.region ?? 'us-east-1'}`;
}

/** The endpoint for logs and messages: never a secret, only where the credentials come from. */
export function describeEndpoint(e: S3Endpoint): Record<string, unknown> {
  const r = resolveEndpoint(e);
  return {
    endpoint: endpointId(r),
    provider: r.provider,
    region: r.region,
    pathStyle: r.pathStyle,
    checksum: r.checksum,
    credentials: r.credentials ? `explicit (${r.credentials.accessKeyId.slice(0, 4)}…)` : r.profile ? `profile ${r.profile}` : 'standard chain',
  };
}

export interface ClientOptions {
  /** Sockets kept open to the store; every part and small file in flight needs one. */
  maxSockets?: number;
  /** A TCP connection that takes longer than this has failed (and is retried). */
  connectTimeoutMs?: number;
  /** A connection silent for this long, mid request, is dead (a link that went away). */
  idleTimeoutMs?: number;
  /** An agent of the caller's (tests count connections through their own). */
  httpAgent?: HttpAgent;
}

/** A TCP connection not made within this has failed; a connection silent this long mid request is dead. */
export const CONNECT_TIMEOUT_MS = 10_000;
export const IDLE_TIMEOUT_MS = 30_000;

/** The SDK logs a warning through this on every failed streamed request; Rushes reports its own errors. */
const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * An S3 client for the endpoint. The SDK's own retries are off (`maxAttempts: 1`): the
 * callers retry with their own policy, re-reading a part from memory, waiting out a link
 * that is gone, and telling a corrupted part from a store that is down.
 */
export function createS3Client(endpoint: S3Endpoint, options: ClientOptions = {}): S3Client {
  const e = resolveEndpoint(endpoint);
  const config: S3ClientConfig = {
    region: e.region,
    forcePathStyle: e.pathStyle,
    maxAttempts: 1,
    requestChecksumCalculation: e.requestChecksumCalculation,
    responseChecksumValidation: e.responseChecksumValidation,
    logger: quietLogger,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      socketTimeout: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
      httpAgent: options.httpAgent ?? { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
    },
    ...(e.url !== undefined ? { endpoint: e.url } : {}),
    ...(e.credentials ? { credentials: { ...e.credentials } } : {}),
    ...(e.profile !== undefined ? { profile: e.profile } : {}),
  };
  return new S3Client(config);
}
