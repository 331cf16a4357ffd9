/**
 * The HTTP API in-process: a real engine on a temporary store, a real server on 127.0.0.1,
 * real requests. Bad input of every kind gets a 4xx naming the problem.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../core/engine/engine.ts';
import type { Job, JobEvent } from '../core/queue/index.ts';
import { startServer, type RunningServer } from '../core/server/index.ts';
import { makeSmallCard } from './helpers/card.ts';
import { scratchFolders } from './helpers/scratch.ts';
import { readEvents } from './helpers/sse.ts';
import { waitFor } from './helpers/wait.ts';

const scratch = scratchFolders('rushes-server-');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A test kind beside the built-in ones: fails when asked, or waits for its AbortSignal. */
const testHandlers = {
  fail: async () => {
    throw new Error('this job always fails');
  },
  wait: ({ signal }: { signal: AbortSignal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))),
};

async function serve(options: { token?: string; host?: string } = {}): Promise<{ engine: Engine; server: RunningServer; base: string }> {
  const base = scratch();
  const engine = new Engine({ home: join(base, 'home'), handlers: testHandlers, maxAttempts: 1 });
  const server = await startServer(engine.api, { host: options.host ?? '127.0.0.1', port: 0, token: options.token, maxBodyBytes: 64 * 1024 });
  await engine.start();
  cleanup.push(async () => {
    await server.close();
    await engine.stop(1000);
  });
  return { engine, server, base };
}

async function call<T = Record<string, unknown>>(server: RunningServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    method,
    headers: method === 'GET' ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

type ErrorBody = { error: { code: string; message: string; path?: string } };

/** Reads server-sent events until `stop` says enough. */
describe('HTTP API', () => {
  it('POST /api/offloads queues an offload that copies, verifies and writes ASC MHL to every destination', async () => {
    const { server, base } = await serve();
    const card = join(base, 'A001');
    makeSmallCard(card);
    const r = await call<{ job: Job; created: boolean }>(server, 'POST', '/api/offloads', { source: card, destinations: [join(base, 'r1'), join(base, 'r2')], hashes: ['xxh64', 'md5'] });
    expect(r.status).toBe(202);
    expect(r.body.created).toBe(true);
    expect(r.headers.get('location')).toBe(`/api/jobs/${r.body.job.id}`);
    const done = await waitFor('the API to answer', async () => {
      const j = await call<{ job: Job }>(server, 'GET', `/api/jobs/${r.body.job.id}`);
      return j.body.job.state === 'succeeded' || j.body.job.state === 'dead' ? j.body.job : undefined;
    });
    expect(done.state).toBe('succeeded');
    for (const d of ['r1', 'r2']) expect(existsSync(join(base, d, 'A001', 'ascmhl', 'ascmhl_chain.xml'))).toBe(true);
    const list = await call<{ jobs: Job[] }>(server, 'GET', '/api/jobs?state=succeeded&kind=offload');
    expect(list.body.jobs.map((j) => j.id)).toEqual([r.body.job.id]);
  });

  it('the same idempotency key gives the same job', async () => {
    const { server, base } = await serve();
    const card = join(base, 'B001');
    makeSmallCard(card);
    const body = { source: card, destinations: [join(base, 'r1')], verify: 'size', idempotencyKey: 'card-B001' };
    const a = await call<{ job: Job }>(server, 'POST', '/api/offloads', body);
    const b = await call<{ job: Job; created: boolean }>(server, 'POST', '/api/offloads', body);
    expect(a.status).toBe(202);
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ created: false, job: { id: a.body.job.id } });
  });

  it('rejects bad offload requests with a 4xx that names the field or the file', async () => {
    const { server, base } = await serve();
    const card = join(base, 'C001');
    makeSmallCard(card);
    const post = (body: unknown, headers?: Record<string, string>) => call<ErrorBody>(server, 'POST', '/api/offloads', body, headers);

    let r = await post({ source: card, destinations: [join(base, 'r')], colour: 'red' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/unknown key "colour"/);

    r = await post({ source: 42, destinations: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/\/source must be string/);
    expect(r.body.error.message).toMatch(/\/destinations must be array/);

    r = await post({ source: card, destinations: [join(base, 'r')], hashes: ['crc32'], verify: 'sometimes' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/\/hashes\/0 must be one of "xxh64"/);
    expect(r.body.error.message).toMatch(/\/verify must be one of "full", "size", "none"/);

    r = await post({ destinations: [join(base, 'r')] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/must have required property 'source'/);

    r = await post({ source: join(base, 'nowhere'), destinations: [join(base, 'r')] });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'SOURCE_MISSING', path: join(base, 'nowhere') });

    r = await post({ source: card, destinations: [join(card, 'inside')] });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('DEST_INSIDE_SOURCE');
    expect(r.body.error.message).toContain(join(card, 'inside'));

    r = await post('{"source": ');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'BAD_JSON' });

    r = await call<ErrorBody>(server, 'POST', '/api/offloads', undefined, { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);

    r = await post({ source: card, destinations: [join(base, 'r')], comment: 'x'.repeat(100_000) });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('BODY_TOO_LARGE');

    // A huge body sent without a length (chunked) is cut off too.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(server.url + '/api/offloads', { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      for (let i = 0; i < 64; i++) req.write(chunk);
      req.end();
    }).catch(() => 413);
    expect(status).toBe(413);

    // Relative paths would be resolved against the daemon's working folder: refused, naming the field.
    r = await post({ source: 'C001', destinations: [join(base, 'r')] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'RELATIVE_PATH', path: 'C001' });
    expect(r.body.error.message).toMatch(/source must be an absolute path/);
    r = await post({ source: card, destinations: [join(base, 'r'), 'raid2/Day01'] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/destinations must be an absolute path .*raid2\/Day01/);
    r = await call<ErrorBody>(server, 'POST', '/api/renders', { fn: 'thumbnail', path: 'A001/clip.mov', out: join(base, 'thumbs') });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/path must be an absolute path/);
    r = await call<ErrorBody>(server, 'POST', '/api/renders', { fn: 'thumbnail', path: join(card, 'clip.mov'), out: 'thumbs' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/out must be an absolute path/);

    expect((await call(server, 'DELETE', '/api/offloads')).status).toBe(405);
    // A method the route lacks is a 405 with Allow, whatever the body says (not 415 for a missing content-type).
    const del = await fetch(server.url + '/api/jobs', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET');
    expect(((await del.json()) as ErrorBody).error.code).toBe('METHOD_NOT_ALLOWED');
    expect((await call(server, 'GET', '/api/nothing')).status).toBe(404);
    expect((await call(server, 'GET', '/api/jobs?state=sleeping')).status).toBe(400);
    expect((await call(server, 'GET', '/api/jobs?limit=-1')).status).toBe(400);
    expect((await call(server, 'GET', '/api/jobs?colour=red')).status).toBe(400);
    expect((await call(server, 'GET', '/api/jobs/abc')).status).toBe(400);
    expect((await call(server, 'GET', '/api/jobs/99999')).status).toBe(404);
    // Still up after all that.
    expect((await call(server, 'GET', '/api/health')).body).toMatchObject({ ok: true });
  });

  it('retry and cancel: a dead job comes back, a running job stops through its AbortSignal', async () => {
    const { server, engine } = await serve();
    const failing = engine.queue.enqueue({ kind: 'fail', maxAttempts: 1 }).id;
    const dead = await waitFor('the API to answer', async () => {
      const j = (await call<{ job: Job }>(server, 'GET', `/api/jobs/${failing}`)).body.job;
      return j.state === 'dead' ? j : undefined;
    });
    expect(dead.lastError).toEqual({ code: 'ERROR', message: 'this job always fails' });
    const retried = await call<{ job: Job }>(server, 'POST', `/api/jobs/${failing}/retry`);
    expect(retried.status).toBe(200);
    expect(['queued', 'running', 'dead']).toContain(retried.body.job.state);

    const waiting = engine.queue.enqueue({ kind: 'wait' }).id;
    await waitFor('the API to answer', async () => ((await call<{ job: Job }>(server, 'GET', `/api/jobs/${waiting}`)).body.job.state === 'running' ? true : undefined));
    expect((await call(server, 'POST', `/api/jobs/${waiting}/retry`)).status).toBe(409);
    expect((await call(server, 'POST', `/api/jobs/${waiting}/cancel`)).status).toBe(202);
    const cancelled = await waitFor('the API to answer', async () => {
      const j = (await call<{ job: Job }>(server, 'GET', `/api/jobs/${waiting}`)).body.job;
      return j.state === 'cancelled' ? j : undefined;
    });
    expect(cancelled.state).toBe('cancelled');
    expect((await call(server, 'POST', '/api/jobs/424242/cancel')).status).toBe(404);
  });

  it('GET /api/events streams job events live and replays after Last-Event-ID', async () => {
    const { server, engine } = await serve();
    const first = engine.queue.enqueue({ kind: 'fail', maxAttempts: 1 }).id;
    await waitFor('the API to answer', async () => (engine.queue.get(first)!.state === 'dead' ? true : undefined));
    const firstEvents = engine.queue.events({ jobId: first });
    const lastOfFirst = firstEvents.at(-1)!.seq!;

    // Live: a new job's events arrive as they happen.
    const streamed = readEvents<JobEvent>(`${server.url}/api/events`, {}, (es) => es.some((e) => e.event === 'dead'));
    await new Promise((r) => setTimeout(r, 100));
    const second = engine.queue.enqueue({ kind: 'fail', maxAttempts: 1 }).id;
    const live = await streamed;
    expect(live.map((e) => [e.data.jobId, e.event])).toEqual([
      [second, 'created'],
      [second, 'started'],
      [second, 'failed'],
      [second, 'dead'],
    ]);

    // Replay: everything after the first job's last event, with ids to resume from.
    const replay = await readEvents<JobEvent>(`${server.url}/api/events`, { 'last-event-id': String(lastOfFirst) }, (es) => es.length >= 4);
    expect(replay.map((e) => e.data.jobId)).toEqual([second, second, second, second]);
    expect(replay.map((e) => Number(e.id))).toEqual(live.map((e) => Number(e.id)));
    expect(Number(replay[0].id)).toBeGreaterThan(lastOfFirst);
  });

  it('refuses what a web page could send through the browser, and survives request targets that are not paths', async () => {
    const { server, engine } = await serve();
    const job = engine.queue.enqueue({ kind: 'wait' }).id;
    // A cross-site form post cannot say JSON: refused before it touches the job.
    const raw = (method: string, path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(server.url, { method, path, headers }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        req.end();
      });
    let r = await raw('POST', `/api/jobs/${job}/cancel`, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect(r.body).toMatch(/content-type: application\/json/);
    expect(engine.queue.get(job)!.cancelRequested).toBe(false);
    r = await raw('POST', `/api/jobs/${job}/cancel`, { 'content-type': 'application/json', origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    r = await raw('GET', '/api/jobs', { origin: 'null' });
    expect(r.status).toBe(403);
    // DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends its own Host.
    r = await raw('GET', '/api/jobs', { host: 'evil.example:7420' });
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/not a loopback name/);
    r = await raw('GET', '/api/jobs', { host: `localhost:${server.port}`, origin: `http://localhost:${server.port}` });
    expect(r.status).toBe(200);
    for (const target of ['//', '//evil.example/api/jobs', 'http://x/api/jobs']) {
      r = await raw('GET', target);
      expect(r.status, target).toBe(400);
    }
    expect((await call(server, 'GET', '/api/health')).status).toBe(200);
    expect(engine.queue.get(job)!.state).toBe('running');
  });

  it('ends open event streams cleanly when the server closes', async () => {
    const base = scratch();
    const engine = new Engine({ home: join(base, 'home'), handlers: testHandlers, maxAttempts: 1 });
    const server = await startServer(engine.api, { host: '127.0.0.1', port: 0 });
    await engine.start();
    // The headers arrive once the stream is registered, so the close below must end it.
    const stream = await fetch(`${server.url}/api/events`);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    await server.close();
    // Events after the close reach no one and break nothing.
    engine.queue.enqueue({ kind: 'fail', maxAttempts: 1 });
    expect(await stream.text()).not.toMatch(/^event:/m);
    await engine.stop(1000);
  });

  it('requires the token when one is set; refuses a non-loopback address without one', async () => {
    const token = 'a-long-enough-test-token';
    const { server } = await serve({ token, host: '0.0.0.0' });
    expect((await call(server, 'GET', '/api/jobs')).status).toBe(401);
    expect((await call(server, 'GET', '/api/jobs', undefined, { authorization: 'Bearer wrong-token-of-any-length' })).status).toBe(401);
    expect((await call(server, 'GET', '/api/jobs', undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await call(server, 'GET', '/api/health')).status).toBe(200);

    const engine = new Engine({ home: join(scratch(), 'home') });
    await expect(startServer(engine.api, { host: '0.0.0.0', port: 0 })).rejects.toThrow(/requires an API token/);
    await expect(startServer(engine.api, { host: '0.0.0.0', port: 0, token: 'short' })).rejects.toThrow(/at least 16/);
    await engine.stop(0);
  });

  it('a browser trades the token for a session cookie once, and the event stream works with that cookie alone', async () => {
    const token = 'a-long-enough-test-token';
    const { server, engine } = await serve({ token });
    expect((await call(server, 'POST', '/api/session', {}, { authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
    const opened = await call(server, 'POST', '/api/session', {}, { authorization: `Bearer ${token}` });
    expect(opened.status).toBe(201);
    const setCookie = opened.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^rushes_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\//);
    const cookie = setCookie.split(';')[0]!;
    expect((await call(server, 'GET', '/api/jobs', undefined, { cookie })).status).toBe(200);
    expect((await call(server, 'GET', '/api/jobs', undefined, { cookie: 'rushes_session=forged' })).status).toBe(401);
    // EventSource sends no Authorization header, only the cookie.
    const streamed = readEvents<JobEvent>(`${server.url}/api/events?topics=job`, { cookie }, (es) => es.some((e) => e.event === 'dead'));
    await new Promise((r) => setTimeout(r, 100));
    const id = engine.queue.enqueue({ kind: 'fail', maxAttempts: 1 }).id;
    expect((await streamed).filter((e) => e.data.jobId === id).map((e) => e.event)).toEqual(['created', 'started', 'failed', 'dead']);
    // Another site's page cannot use it: the Origin is refused before the cookie counts.
    expect((await call(server, 'POST', `/api/jobs/${id}/retry`, {}, { cookie, origin: 'http://evil.example' })).status).toBe(403);
    const closed = await call(server, 'DELETE', '/api/session', undefined, { cookie });
    expect(closed.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await call(server, 'GET', '/api/jobs', undefined, { cookie })).status).toBe(401);
  });
});
