/**
 * `GET /api/events`: server-sent events. Replays the persisted log after `Last-Event-ID`
 * (or `?after=`), then streams every event live — progress included — as it is committed.
 * Persisted events carry `id:` so a client that reconnects misses nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobEvent, JobQueue } from '../queue/index.ts';

const HEARTBEAT_MS = 15_000;
/** Unsent bytes a slow client may hold up before it is dropped. */
const MAX_BUFFERED_BYTES = 8 << 20;

function frame(e: JobEvent): string {
  return `${e.seq !== undefined ? `id: ${e.seq}\n` : ''}event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export function streamEvents(req: IncomingMessage, res: ServerResponse, queue: JobQueue, options: { after: number; jobId?: number }, streams: Set<() => void>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': rushes events\n\n');
  const wanted = (e: JobEvent) => options.jobId === undefined || e.jobId === options.jobId;
  let closed = false;
  // Subscribe before replaying, and drop live events the replay already sent.
  let lastSeq = options.after;
  const live: JobEvent[] = [];
  let replaying = true;
  const unsubscribe = queue.subscribe((e) => {
    if (!wanted(e)) return;
    if (replaying) live.push(e);
    else send(e);
  });
  const send = (e: JobEvent) => {
    if (closed || res.writableEnded) return;
    if (e.seq !== undefined) {
      if (e.seq <= lastSeq) return;
      lastSeq = e.seq;
    }
    res.write(frame(e));
    // A client that stopped reading is dropped rather than buffered without end; it
    // reconnects with Last-Event-ID and the replay gives it everything it missed.
    if (res.writableLength > MAX_BUFFERED_BYTES) close();
  };
  const heartbeat = setInterval(() => {
    if (!closed && !res.writableEnded) res.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(close);
    if (!res.writableEnded) res.end();
  };
  streams.add(close);
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);
  for (;;) {
    const page = queue.events({ afterSeq: lastSeq, jobId: options.jobId, limit: 1000 });
    page.forEach(send);
    if (closed || page.length < 1000) break;
  }
  replaying = false;
  live.forEach(send);
}
