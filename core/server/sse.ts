/**
 * Server-sent events (`GET /api/events`, every topic of the one event log). Replays the persisted log after `Last-Event-ID`
 * (or `?after=`), then streams every event live — progress included — as it is committed.
 * Persisted events carry `id:` so a client that reconnects misses nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A log the stream can replay and follow (the event bus, filtered). */
export interface EventLog<E extends StreamedEvent> {
  subscribe(listener: (e: E) => void): () => void;
  /** Persisted events after `afterSeq`, oldest first, at most `limit`. */
  replay(afterSeq: number, limit: number): E[];
}

export interface StreamedEvent {
  seq?: number;
  type: string;
}

const HEARTBEAT_MS = 15_000;
/** Unsent bytes a slow client may hold up before it is dropped. */
const MAX_BUFFERED_BYTES = 8 << 20;

function frame(e: StreamedEvent): string {
  return `${e.seq !== undefined ? `id: ${e.seq}\n` : ''}event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export function streamEvents<E extends StreamedEvent>(
  req: IncomingMessage,
  res: ServerResponse,
  log: EventLog<E>,
  options: { after: number; wanted?: (e: E) => boolean },
  streams: Set<() => void>,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': rushes events\n\n');
  const wanted = options.wanted ?? (() => true);
  let closed = false;
  // Subscribe before replaying, and drop live events the replay already sent.
  let lastSeq = options.after;
  const live: E[] = [];
  let replaying = true;
  const unsubscribe = log.subscribe((e) => {
    if (!wanted(e)) return;
    if (replaying) live.push(e);
    else send(e);
  });
  const send = (e: E) => {
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
    const page = log.replay(lastSeq, 1000);
    page.filter(wanted).forEach(send);
    if (closed || page.length < 1000) break;
  }
  replaying = false;
  live.forEach(send);
}
