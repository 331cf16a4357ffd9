/**
 * Small HTTP helpers for the API: JSON replies, errors as `{ error: { code, message, path } }`
 * with the status that fits, and request bodies read with a size limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_POLICY, isRushesError } from '../errors.ts';

/** An error meant for the client, with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (isRushesError(e)) return new HttpError(ERROR_POLICY[e.code].http, e.code, e.message, e.path);
  return new HttpError(500, 'INTERNAL', e instanceof Error ? e.message : String(e));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status, { error: { code: e.code, message: e.message, ...(e.path ? { path: e.path } : {}) } }, e.headers);
}

/** Reads a JSON body: 415 unless it says JSON, 413 past `limit` bytes (reading stops there), 400 if it does not parse. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJson(await readBody(req, limit));
}

/** Reads a body that says JSON (it may be empty), up to `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `the body must be JSON (content-type: application/json), not "${type || 'none'}"`);
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new HttpError(413, 'BODY_TOO_LARGE', `the body is ${declared} bytes; the limit is ${limit}`, undefined, { connection: 'close' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'BODY_TOO_LARGE', `the body is over the limit of ${limit} bytes`, undefined, { connection: 'close' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'BAD_JSON', `the body is not valid JSON: ${(e as Error).message}`);
  }
}
