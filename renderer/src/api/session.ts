/**
 * Signing the page in. The desktop window (and a link the daemon's owner shares) opens the
 * UI at `/#token=…`: the fragment never reaches a server or a log. The page trades the token
 * once for an HttpOnly session cookie (POST /api/session), then drops it from the address.
 * A daemon without a token answers without one; one with a token and no live cookie asks
 * for it (the sign-in form).
 */
import { ApiError, get, request } from './client.ts';

/** The token in `#token=…`, removed from the address bar and history. */
export function takeTokenFromLocation(location: Location, history: History): string | undefined {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}#/cards`);
  return decodeURIComponent(m[1]!);
}

export async function openSession(token: string): Promise<void> {
  await request('POST', '/api/session', {}, { authorization: `Bearer ${token}` });
}

/**
 * The page's first request, which also says whether it is signed in: its answer (the
 * cards, which the first page shows), or undefined when the daemon wants the token.
 */
export async function firstLoad<T>(path: string): Promise<T | undefined> {
  try {
    return await get<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return undefined;
    throw e;
  }
}
