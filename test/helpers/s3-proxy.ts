/**
 * A loopback HTTP proxy in front of an S3 server, for what the tests must see and break:
 * it counts every request, can flip a byte in the body of chosen requests (a corrupted
 * part in flight), can answer chosen requests itself with an S3 error (a store that is
 * busy), and can play a link that is down (connections cut at once). It keeps
 * the Host header, so SigV4 signatures made for the proxy's address still verify.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { Transform } from 'node:stream';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export interface S3Proxy {
  url: string;
  requests: SeenRequest[];
  /** Requests that uploaded a part (PUT with partNumber), as part numbers. */
  partsSent(): number[];
  /** Flips one byte in the body of the next `times` requests that `match`. */
  corrupt(match: (r: SeenRequest) => boolean, times?: number): void;
  /** Answers the next `times` requests that `match` with this HTTP status and S3 error code, without passing them on. */
  refuse(match: (r: SeenRequest) => boolean, status: number, code: string, times?: number): void;
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
  const refusals: { match: (r: SeenRequest) => boolean; left: number; status: number; code: string }[] = [];
  let down = false;
  const server: Server = createServer((req: IncomingMessage, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const u = new URL(req.url ?? '/', 'http://proxy');
    const seen: SeenRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers };
    requests.push(seen);
    const refusal = refusals.find((r) => r.left > 0 && r.match(seen));
    if (refusal) {
      refusal.left--;
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal.code}</Code><Message>refused by the test proxy</Message></Error>`;
      // The request body is read first, as a store does, so the connection stays usable.
      req.resume();
      req.on('end', () => res.writeHead(refusal.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body));
      return;
    }
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
    refuse: (match, status, code, times = 1) => void refusals.push({ match, left: times, status, code }),
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
