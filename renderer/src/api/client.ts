/**
 * Calls to the daemon's API from the page: same origin, the session cookie does the
 * authorising. A failure becomes an ApiError carrying the API's own code, message and the
 * file it names, so the UI can show exactly what the daemon said.
 */
import type { ApiErrorBody } from './types.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as ApiErrorBody | undefined;
  if (body?.error) return new ApiError(res.status, body.error.code, body.error.message, body.error.path);
  return new ApiError(res.status, 'HTTP', `the daemon answered ${res.status} ${res.statusText}`);
}

export async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      // Every write says JSON, even with no body: the API refuses writes that do not (a cross-site form could send those).
      headers: method === 'GET' ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'UNREACHABLE', `the daemon cannot be reached (${(e as Error).message})`);
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, body);

/** `/api/clips?q=…&limit=…`: a path with its query, leaving out empty values. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
