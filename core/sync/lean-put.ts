/**
 * PutObject for a small object without the SDK's request pipeline: node:http(s) on a
 * keep-alive agent, signed by sigv4.ts. The SDK's per-request middleware costs about
 * 0.5 ms of CPU per request, which for thousands of small files on a 2-core box is most of
 * the time (docs/benchmarks.md, sync). Everything else — multipart, HEAD, listing,
 * deletes — stays on the SDK.
 *
 * It is the same request the SDK makes (the same headers, Content-MD5, the flexible
 * checksum header, UNSIGNED-PAYLOAD, the same endpoint, credentials, region and clock
 * offset, taken from the SDK client itself) and fails the same way: an error answer becomes
 * an error shaped like the SDK's (name and Code from the store's XML, $metadata's status),
 * a link that drops gives Node's own error, a stalled one a TimeoutError — so errors.ts and
 * retry.ts classify both paths alike.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { amzDate, authorization, encodePath, UNSIGNED_PAYLOAD, type SigningCredentials, type SigningScope } from './sigv4.ts';
import type { Bandwidth } from './throttle.ts';

export interface LeanPutRequest {
  key: string;
  body: Buffer;
  /** Binary MD5 of the body, sent as Content-MD5 (the store checks it: BadDigest). */
  md5: Buffer;
  /** The flexible checksum header (`x-amz-checksum-crc32c`) and its base64 value, when the endpoint uses one. */
  checksum?: { header: string; value: string };
  contentType?: string;
  /** Object metadata, sent as x-amz-meta-NAME (ASCII values). */
  metadata: Readonly<Record<string, string>>;
  bandwidth: Bandwidth;
  signal?: AbortSignal;
}

/** What the store answered: its ETag and the flexible checksum it computed, if it sent one. */
export interface LeanPutAnswer {
  etag?: string;
  checksum?: string;
}

/** A store's error answer, in the shape the SDK gives its service exceptions (what errors.ts reads). */
export class S3ResponseError extends Error {
  readonly Code?: string;
  readonly $metadata: { httpStatusCode: number };
  readonly $fault: 'client' | 'server';

  constructor(status: number, code: string | undefined, message: string | undefined) {
    // As the SDK names it: the store's code, NotFound for a bare 404, else the status.
    super(message ?? code ?? `HTTP ${status}`);
    this.name = code ?? (status === 404 ? 'NotFound' : String(status));
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

export interface LeanPutOptions {
  maxSockets: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
}

/** The bits of the SDK client's resolved config read here (functions or values, as the SDK keeps them). */
type Setting<T> = T | (() => Promise<T>) | undefined;
interface SdkConfig {
  region: Setting<string>;
  credentials: (() => Promise<SigningCredentials>) | undefined;
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  isCustomEndpoint?: boolean;
  forcePathStyle?: boolean;
  useFipsEndpoint?: Setting<boolean>;
  useDualstackEndpoint?: Setting<boolean>;
  useAccelerateEndpoint?: boolean;
  useGlobalEndpoint?: Setting<boolean>;
  systemClockOffset?: number;
  endpointProvider: (params: Record<string, unknown>, context?: unknown) => { url: URL; properties?: { authSchemes?: { name?: string; signingName?: string; signingRegion?: string }[] }; headers?: Record<string, unknown> };
}

const setting = async <T>(s: Setting<T>): Promise<T | undefined> => (typeof s === 'function' ? await (s as () => Promise<T>)() : s);

const MAX_ERROR_BODY = 64 * 1024;
/** The SDK's threshold for a clock that is off. */
const SKEW_MS = 5 * 60_000;

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError' });
}

/** PUTs of whole small objects to one bucket. */
export class LeanPut {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  private constructor(
    private readonly config: SdkConfig,
    private readonly base: URL,
    private readonly scope: SigningScope,
    private readonly options: LeanPutOptions,
  ) {
    const https = base.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets });
    this.send = https ? httpsRequest : httpRequest;
  }

  /**
   * The lean path for `bucket` as the SDK client would reach it, or undefined where the SDK's
   * endpoint rules ask for another signature than SigV4 for S3 (S3 Express sessions,
   * multi-region access points' SigV4a, extra endpoint headers): those stay on the SDK.
   */
  static async create(client: S3Client, bucket: string, options: LeanPutOptions): Promise<LeanPut | undefined> {
    const config = client.config as unknown as SdkConfig;
    if (typeof config.endpointProvider !== 'function' || typeof config.credentials !== 'function') return undefined;
    const region = await setting(config.region);
    let endpoint: string | undefined;
    if (config.isCustomEndpoint && config.endpoint) {
      const e = await config.endpoint();
      endpoint = `${e.protocol}//${e.hostname}${e.port ? `:${e.port}` : ''}${e.path}`;
    }
    const resolved = config.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: (await setting(config.useFipsEndpoint)) ?? false,
      UseDualStack: (await setting(config.useDualstackEndpoint)) ?? false,
      UseGlobalEndpoint: (await setting(config.useGlobalEndpoint)) ?? false,
      ForcePathStyle: config.forcePathStyle ?? false,
      Accelerate: config.useAccelerateEndpoint ?? false,
      ...(endpoint !== undefined ? { Endpoint: endpoint } : {}),
    });
    const auth = resolved.properties?.authSchemes?.[0];
    if (auth?.name !== 'sigv4' || Object.keys(resolved.headers ?? {}).length > 0) return undefined;
    const base = new URL(resolved.url.href);
    if (base.search !== '' || (base.protocol !== 'http:' && base.protocol !== 'https:')) return undefined;
    return new LeanPut(config, base, { region: auth.signingRegion ?? region ?? 'us-east-1', service: auth.signingName ?? 's3' }, options);
  }

  /** Sends the object; resolves with the store's answer to a 2xx, rejects with an SDK-shaped error otherwise. */
  async put(r: LeanPutRequest): Promise<LeanPutAnswer> {
    r.signal?.throwIfAborted();
    const credentials = await this.config.credentials!();
    const { stamp } = amzDate(Date.now() + (this.config.systemClockOffset ?? 0));
    const path = `${this.base.pathname.replace(/\/$/, '')}/${encodePath(r.key)}`;
    const headers: Record<string, string> = {
      host: this.base.host,
      'content-length': String(r.body.length),
      'content-md5': r.md5.toString('base64'),
      // What the SDK sends when no type is given.
      'content-type': r.contentType ?? 'application/octet-stream',
      'x-amz-content-sha256': UNSIGNED_PAYLOAD,
      'x-amz-date': stamp,
    };
    if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
    if (r.checksum) headers[r.checksum.header] = r.checksum.value;
    for (const [k, v] of Object.entries(r.metadata)) headers[`x-amz-meta-${k.toLowerCase()}`] = v;
    headers.authorization = authorization({ method: 'PUT', path, headers, payloadHash: UNSIGNED_PAYLOAD }, credentials, this.scope, stamp);
    return this.exchange(path, headers, r);
  }

  private exchange(path: string, headers: Record<string, string>, r: LeanPutRequest): Promise<LeanPutAnswer> {
    return new Promise<LeanPutAnswer>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const finish = (e: unknown, answer?: LeanPutAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        r.signal?.removeEventListener('abort', onAbort);
        // A store that answered before it had the whole body: that connection is not reused.
        if (!req.writableFinished) req.destroy();
        if (e !== undefined) reject(e);
        else resolve(answer!);
      };
      const req: ClientRequest = this.send({ protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port || undefined, method: 'PUT', path, headers, agent: this.agent });
      const fail = (e: unknown) => {
        req.destroy();
        finish(e);
      };
      const onAbort = () => fail(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
      if (r.signal?.aborted) return onAbort();
      r.signal?.addEventListener('abort', onAbort, { once: true });
      // As the SDK's handler: a connection not made in time, or a socket silent too long mid request, is a TimeoutError.
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => fail(timeoutError(`Socket timed out without establishing a connection within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.setTimeout(this.options.idleTimeoutMs, () => fail(timeoutError(`Connection timed out after ${this.options.idleTimeoutMs} ms`)));
      // A link that dropped: Node's own error (ECONNRESET, EPIPE, …), as the SDK passes it on.
      req.on('error', (e) => finish(e));
      req.on('response', (res: IncomingMessage) => this.answer(res, r, finish));
      // Closed with no whole answer (and no error event): the link dropped, as the SDK's "socket hang up".
      req.on('close', () => finish(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
      this.writeBody(req, r).catch(fail);
    });
  }

  /** The body in the chunks the bandwidth limit allows (one write at full speed for a small file). */
  private async writeBody(req: ClientRequest, r: LeanPutRequest): Promise<void> {
    const data = r.body;
    let at = 0;
    while (at < data.length && !req.destroyed) {
      const n = Math.min(r.bandwidth.chunkSize(), data.length - at);
      await r.bandwidth.take(n, r.signal);
      const chunk = data.subarray(at, at + n);
      at += n;
      if (at < data.length) {
        if (!req.write(chunk)) await new Promise((w) => req.once('drain', w));
      } else req.end(chunk);
    }
    if (data.length === 0 && !req.destroyed) req.end();
  }

  private answer(res: IncomingMessage, r: LeanPutRequest, finish: (e: unknown, a?: LeanPutAnswer) => void): void {
    const status = res.statusCode ?? 0;
    this.correctClock(res.headers.date);
    res.on('error', (e) => finish(e));
    if (status >= 200 && status < 300) {
      const checksum = r.checksum ? res.headers[r.checksum.header] : undefined;
      const answer: LeanPutAnswer = { etag: res.headers.etag, checksum: typeof checksum === 'string' ? checksum : undefined };
      // Read to the end so the socket goes back to the agent for the next request.
      res.on('end', () => finish(undefined, answer));
      res.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(c);
      size += c.length;
    });
    res.on('end', () => {
      const xml = Buffer.concat(chunks).toString('utf8');
      finish(new S3ResponseError(status, xmlText(xml, 'Code'), xmlText(xml, 'Message')));
    });
  }

  /**
   * As the SDK does with every answer: a store whose clock is five minutes or more from ours
   * (RequestTimeTooSkewed refuses every signature) moves the client's clock offset to its
   * time, so the retry — and the SDK's own requests, which share the offset — are signed with it.
   */
  private correctClock(date: string | undefined): void {
    const server = date ? Date.parse(date) : NaN;
    if (Number.isNaN(server)) return;
    const ours = Date.now() + (this.config.systemClockOffset ?? 0);
    if (Math.abs(ours - server) >= SKEW_MS) this.config.systemClockOffset = server - Date.now();
  }

  close(): void {
    this.agent.destroy();
  }
}
