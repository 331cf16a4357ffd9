/** Reads a server-sent event stream (GET /api/events) until `stop` says it has seen enough. */
import { expect } from 'vitest';

export interface SseEvent<T = unknown> {
  id?: string;
  event: string;
  data: T;
}

export async function readEvents<T = unknown>(url: string, headers: Record<string, string>, stop: (events: SseEvent<T>[]) => boolean): Promise<SseEvent<T>[]> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: SseEvent<T>[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
      if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) as T });
    }
    if (stop(events)) break;
  }
  controller.abort();
  return events;
}
