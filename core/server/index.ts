/**
 * The daemon's HTTP API on node:http; docs/api.md lists the routes. One JSON log line per
 * request; a bad request never takes the server down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineApi } from '../engine/api.ts';
import { RushesError } from '../errors.ts';
import { silentLogger, type Logger } from '../util/log.ts';
import { assertSafeBinding, checkToken, refuseCrossSite, requireJsonWrites } from './auth.ts';
import { Sessions } from './sessions.ts';
import { HttpError, sendError, toHttpError } from './http.ts';
import { ROUTES } from './routes.ts';
import { serveStatic } from './static.ts';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../util/package-root.ts';

export interface ServerOptions {
  host: string;
  port: number;
  token?: string;
  log?: Logger;
  /** Largest request body; default 1 MiB. */
  maxBodyBytes?: number;
  /** The built web UI served at `/` (default dist/renderer/). */
  uiDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting connections, ends event streams, and resolves when the server is closed. */
  close(): Promise<void>;
}

export async function startServer(api: EngineApi, options: ServerOptions): Promise<RunningServer> {
  assertSafeBinding(options.host, options.token);
  const log = options.log ?? silentLogger;
  const streams = new Set<() => void>();
  const sessions = new Sessions();
  const uiDir = options.uiDir ?? join(PACKAGE_ROOT, 'dist', 'renderer');
  // A request already on its way when close() ran would open a stream nobody ends.
  let closing = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t0 = performance.now();
    let path = req.url ?? '/';
    try {
      if (closing) throw new HttpError(503, 'SHUTTING_DOWN', 'the server is shutting down', undefined, { connection: 'close' });
      const url = parseTarget(path);
      path = url.pathname;
      const route = ROUTES.find((r) => r.pattern.test(url.pathname));
      const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
      if (!route && isApi) throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
      refuseCrossSite(req, options.token !== undefined);
      // The UI's files hold no data and no secret: open, like the health check.
      if (!route) return await serveStatic(req, res, uiDir, url.pathname);
      if (!route.open) checkToken(req, options.token, sessions);
      const handler = route.methods[req.method ?? ''];
      const allow = Object.keys(route.methods).join(', ');
      if (!handler) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}; use ${allow}`, undefined, { allow });
      requireJsonWrites(req);
      const params = url.pathname.match(route.pattern)!.slice(1);
      await handler({ api, req, res, url, params, maxBodyBytes: options.maxBodyBytes ?? 1 << 20, streams, sessions, token: options.token });
    } catch (e) {
      const err = toHttpError(e);
      if (err.status >= 500) log.error('request failed', { error: err.message, code: err.code });
      sendError(res, err);
    } finally {
      log.info('request', { method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - t0) });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Only a failure while reporting a failure gets here: drop the connection, keep serving.
      log.error('request handling failed', { error: e instanceof Error ? e.message : String(e) });
      res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new RushesError('USAGE', `cannot listen on ${options.host}:${options.port}: ${e.message}`, { cause: e })));
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const closeStream of [...streams]) closeStream();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** The request target as a URL; a target that is not a path (`//`, `http://x`) is a 400, not a crash. */
function parseTarget(target: string): URL {
  if (!target.startsWith('/') || target.startsWith('//')) throw new HttpError(400, 'BAD_TARGET', `"${target}" is not a request path`);
  try {
    return new URL(target, 'http://localhost');
  } catch {
    throw new HttpError(400, 'BAD_TARGET', `"${target}" is not a request path`);
  }
}
