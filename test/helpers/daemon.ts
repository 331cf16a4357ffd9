import type { ChildProcess } from 'node:child_process';
import { startCli } from './cli.ts';

export interface DaemonProcess {
  child: ChildProcess;
  url: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** Starts the real `rushes daemon` on a free port and waits for its "daemon started" log line. */
export async function startDaemon(home: string, args: string[] = [], env: Record<string, string> = {}): Promise<DaemonProcess> {
  const child = startCli(['--home', home, 'daemon', '--port', '0', ...args], env);
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'daemon started') resolve(entry.url as string);
      }
    });
    void exited.then((code) => reject(new Error(`daemon exited with ${code} before it started: ${stderr}`)));
  });
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, { method, headers: method === 'GET' ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  };
  return { child, url, logs, exited, api };
}
