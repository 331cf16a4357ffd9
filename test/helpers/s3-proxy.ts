/**
 * A loopback HTTP proxy in front of an S3 server, for what the tests must see and break:
 * it counts every request, can flip a byte in the body of chosen requests (a corrupted
 * part in flight), and can play a link that is down (connections cut at once). It keeps
 * the Host header, so SigV4 signatures made for the proxy's address still verify.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { Transform } from 'node:stream';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface S3Proxy {
  url: string;
  requests: SeenRequest[];
  /** Requests that uploaded a part (PUT with partNumber), as part numbers. */
  partsSent(): number[];
  /** Flips one byte in the body of the next `times` requests that `match`. */
  corrupt(match: (r: SeenRequest) => boolean, times?: number): void;
  /** While down, every new connection and request is cut. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

function flipOneByte(at: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (seen <= at && at < seen + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[at - seen] ^= 0x01;
      }
      seen += chunk.length;
      done(null, chunk);
    },
  });
}

export async function startProxy(target: string): Promise<S3Proxy> {
  const to = new URL(target);
  const requests: SeenRequest[] = [];
  const rules: { match: (r: SeenRequest) => boolean; left: number }[] = [];
  let down = false;
  const server: Server = createServer((req: IncomingMessage, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const u = new URL(req.url ?? '/', 'http://proxy');
    const seen: SeenRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams };
    requests.push(seen);
    const rule = rules.find((r) => r.left > 0 && r.match(seen));
    if (rule) rule.left--;
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    (rule ? req.pipe(flipOneByte(1000)) : req).pipe(upstream);
  });
  server.on('connection', (socket) => {
    if (down) socket.destroy();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    partsSent: () => requests.filter((r) => r.method === 'PUT' && r.query.has('partNumber')).map((r) => Number(r.query.get('partNumber'))),
    corrupt: (match, times = 1) => void rules.push({ match, left: times }),
    setDown: (d) => {
      down = d;
      if (d) server.closeAllConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
