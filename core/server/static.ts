/**
 * The web UI's files (renderer/, built into dist/renderer/), served beside the API so the
 * browser and the desktop window load the same pages from the same origin.
 *
 * - Only files inside the UI folder: every path segment is decoded once and refused if it is
 *   `..`, `.`, hidden, or holds a slash, backslash or NUL; the real path (links resolved)
 *   must still be inside the folder.
 * - The HTML carries a strict Content-Security-Policy: scripts, styles and connections from
 *   this origin only, no inline script, no eval, no framing.
 * - Vite names built assets by content hash (`/assets/index-3f2a9c.js`): those are cached
 *   for a year; everything else is revalidated (ETag) so a new build shows at once.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { HttpError } from './http.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const contentTypeOf = (path: string) => CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

/** Headers every UI response carries: no sniffing, no framing, no referrer leaving the page. */
const SAFE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * The file under `root` a request path names, or a 404 naming the path: the request path is
 * split and each segment decoded on its own, so `%2e%2e%2f` is refused, not resolved.
 */
export function staticFilePath(root: string, pathname: string): string {
  const refuse = () => new HttpError(404, 'NOT_FOUND', `no file ${pathname}`);
  const segments = pathname.split('/').slice(1);
  if (segments.length === 1 && segments[0] === '') return join(root, 'index.html');
  const decoded = segments.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw refuse();
    }
  });
  if (decoded.some((s) => s === '' || s.startsWith('.') || /[/\\\0]/.test(s))) throw refuse();
  return join(root, ...decoded);
}

const inside = (root: string, path: string) => path.startsWith(root.endsWith(sep) ? root : root + sep);

export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, pathname: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}; use GET, HEAD`, undefined, { allow: 'GET, HEAD' });
  const realRoot = await fsp.realpath(root).catch(() => {
    throw new HttpError(503, 'UI_NOT_BUILT', `the web UI is not built (no ${root}): run "npm run build"`);
  });
  const wanted = staticFilePath(realRoot, pathname);
  // A link inside the folder must not lead out of it.
  const real = await fsp.realpath(wanted).catch(() => undefined);
  const st = real && inside(realRoot, real) ? await fsp.stat(real) : undefined;
  if (!real || !st?.isFile()) throw new HttpError(404, 'NOT_FOUND', `no file ${pathname}`);

  const etag = `W/"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
  const hashed = pathname.startsWith('/assets/');
  const type = contentTypeOf(real);
  const headers: Record<string, string | number> = {
    ...SAFE_HEADERS,
    'content-type': type,
    etag,
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...(type.startsWith('text/html') ? { 'content-security-policy': CONTENT_SECURITY_POLICY } : {}),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': st.size });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(real);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}
