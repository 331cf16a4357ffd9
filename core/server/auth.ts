/**
 * Who may call the API. Loopback without a token is the default (a laptop on set); any
 * other address needs a token, and with a token every request but the health check must
 * carry it as `Authorization: Bearer <token>`, or a session cookie a browser got for it
 * (sessions.ts).
 *
 * Without a token, "loopback" alone would let any web page the DIT opens drive the daemon
 * through their browser, so requests from browsers are held to what a page cannot forge:
 * see refuseCrossSite.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { RushesError } from '../errors.ts';
import { HttpError } from './http.ts';
import type { Sessions } from './sessions.ts';

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function assertSafeBinding(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new RushesError('USAGE', `listening on ${host} (not loopback) requires an API token: pass --token, set RUSHES_TOKEN, or "token" in the config`);
  }
  if (token !== undefined && token.length < 16) throw new RushesError('USAGE', 'the API token must be at least 16 characters');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the request carries the token as a bearer (compared in constant time). */
export function hasToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  return timingSafeEqual(digest(given), digest(token));
}

/** Throws 401 unless the request carries the token or a live session cookie. */
export function checkToken(req: IncomingMessage, token: string | undefined, sessions: Sessions): void {
  if (!token || hasToken(req, token) || sessions.valid(req)) return;
  throw new HttpError(401, 'UNAUTHORIZED', 'this API needs "Authorization: Bearer <token>" (a browser: POST /api/session with it once, for a session cookie)', undefined, { 'www-authenticate': 'Bearer' });
}

/** The host part of a Host header or an origin's host (`[::1]:7420` → `::1`). */
function hostname(hostHeader: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader) ?? /^([^:]+)(?::\d+)?$/.exec(hostHeader);
  return (m?.[1] ?? hostHeader).toLowerCase();
}

/**
 * Refuses what a web page in the user's browser could send on their behalf (writes without
 * JSON are refused by requireJsonWrites, once the route and method are known):
 *  - a request whose Origin is not this server;
 *  - without a token, a Host that is not a loopback name (DNS rebinding: a page whose
 *    domain resolves to 127.0.0.1 would otherwise read the API as "same origin").
 */
export function refuseCrossSite(req: IncomingMessage, tokenRequired: boolean): void {
  const host = req.headers.host ?? '';
  if (!tokenRequired && !isLoopback(hostname(host))) {
    throw new HttpError(403, 'FORBIDDEN_HOST', `Host "${host}" is not a loopback name; without a token this API answers only to localhost, 127.0.0.1 or [::1]`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {
      // an Origin that is not a URL is not ours either
    }
    if (originHost.toLowerCase() !== host.toLowerCase()) throw new HttpError(403, 'FORBIDDEN_ORIGIN', `requests from ${origin} are not allowed`);
  } else if (origin === 'null') {
    throw new HttpError(403, 'FORBIDDEN_ORIGIN', 'requests from an opaque origin (a sandboxed page or file) are not allowed');
  }
}

/**
 * A write (any method but GET/HEAD) must say `content-type: application/json`: a page can
 * post a form cross-site, but not JSON without a CORS preflight, which we never grant.
 * Checked after the method, so a method the route does not have gets its 405.
 */
export function requireJsonWrites(req: IncomingMessage): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `${method} requests must say "content-type: application/json" (the body may be empty), not "${type || 'none'}"`);
    }
  }
}
