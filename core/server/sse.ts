/**
 * `GET /api/events`: server-sent events. Replays the persisted log after `Last-Event-ID`
 * (or `?after=`), then streams every event live — progress included — as it is committed.
 * Persisted events carry `id:` so a client that reconnects misses nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobEvent, JobQueue } from '../queue/index.ts';

const HEARTBEAT_MS = 15_000;

function frame(e: JobEvent): string {
  return `${e.seq !== undefined ? `id: ${e.seq}\n` : ''}event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export function streamEvents(req: IncomingMessage, res: ServerResponse, queue: JobQueue, options: { after: number; jobId?: number }, streams: Set<ServerResponse>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': rushes events\n\n');
  const wanted = (e: JobEvent) => options.jobId === undefined || e.jobId === options.jobId;
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
    if (e.seq !== undefined) {
      if (e.seq <= lastSeq) return;
      lastSeq = e.seq;
    }
    res.write(frame(e));
  };
  for (;;) {
    const page = queue.events({ afterSeq: lastSeq, jobId: options.jobId, limit: 1000 });
    page.forEach(send);
    if (page.length < 1000) break;
  }
  replaying = false;
  live.forEach(send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  streams.add(res);
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(res);
  };
  req.on('close', close);
  res.on('close', close);
}
