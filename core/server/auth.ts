/**
 * Who may call the API. Loopback without a token is the default (a laptop on set); any
 * other address needs a token, and with a token every request but the health check must
 * carry it as `Authorization: Bearer <token>`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { RushesError } from '../errors.ts';
import { HttpError } from './http.ts';

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

/** Throws 401 unless the request carries the token (compared in constant time). */
export function checkToken(req: IncomingMessage, token: string | undefined): void {
  if (!token) return;
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new HttpError(401, 'UNAUTHORIZED', 'this API needs "Authorization: Bearer <token>"', undefined, { 'www-authenticate': 'Bearer' });
  }
}
