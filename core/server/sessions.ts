/**
 * Browser sessions: a page cannot put the token in an EventSource request or an <img>, so it
 * trades the token once (POST /api/session) for a session cookie — HttpOnly (no script reads
 * it), SameSite=Strict (no other site's page sends it) — that authorises what follows,
 * the event stream included. Sessions live in the daemon's memory: a restart signs pages out.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'rushes_session';
const TTL_MS = 12 * 60 * 60 * 1000;

export class Sessions {
  private readonly expiry = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new session and the Set-Cookie header that hands it to the browser. */
  open(): { id: string; cookie: string } {
    const id = randomBytes(32).toString('base64url');
    this.expiry.set(id, this.now() + TTL_MS);
    return { id, cookie: `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${TTL_MS / 1000}` };
  }

  /** Ends the request's session; the header clears the cookie. */
  close(req: IncomingMessage): string {
    const id = cookieOf(req);
    if (id) this.expiry.delete(id);
    return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  /** Whether the request carries a live session; each use extends it. */
  valid(req: IncomingMessage): boolean {
    const id = cookieOf(req);
    const until = id ? this.expiry.get(id) : undefined;
    if (!id || until === undefined) return false;
    if (until < this.now()) {
      this.expiry.delete(id);
      return false;
    }
    this.expiry.set(id, this.now() + TTL_MS);
    return true;
  }
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}
