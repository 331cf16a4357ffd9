/**
 * A small Docker Engine API client over its unix socket: JSON requests, and the
 * multiplexed log stream of a container (8-byte frame headers: stream, 0, 0, 0, length).
 * No Docker CLI is needed on the machine, only a running engine.
 */
import { request } from 'node:http';
import { RushesError } from '../errors.ts';

const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const API = '/v1.41';

export interface DockerResponse {
  status: number;
  body: unknown;
}

export class DockerEngine {
  constructor(readonly socketPath = dockerSocket()) {}

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<DockerResponse> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request({ socketPath: this.socketPath, method, path: API + path, headers: { ...headers, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* plain text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('error', (e: NodeJS.ErrnoException) =>
        reject(new RushesError('RUNTIME_UNAVAILABLE', `no Docker engine answers at ${this.socketPath} (${e.code ?? e.message}); start dockerd or use --runtime process`, { cause: e })),
      );
      req.end(data);
    });
  }

  /** Calls and insists on a 2xx, naming what failed with the engine's own message. */
  async ok(method: string, path: string, body?: unknown, what = `${method} ${path}`): Promise<unknown> {
    const r = await this.call(method, path, body);
    if (r.status >= 200 && r.status < 300) return r.body;
    const message = (r.body as { message?: string } | undefined)?.message ?? String(r.body);
    throw new RushesError('RUNTIME_UNAVAILABLE', `Docker engine refused ${what}: ${message} (HTTP ${r.status})`);
  }

  /** Follows a container's stdout and stderr until it exits, line by line. */
  followLogs(id: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void): Promise<void> {
    return this.readLogs(`/containers/${id}/logs?follow=1&stdout=1&stderr=1`, onLine);
  }

  /**
   * Reads a multiplexed log stream (a container's, a swarm service's) line by line, until it
   * ends or `signal` stops it (a service's logs never end by themselves).
   */
  readLogs(path: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const partial = { stdout: '', stderr: '' };
      const flush = () => {
        for (const s of ['stdout', 'stderr'] as const) if (partial[s]) onLine(s, partial[s]);
        partial.stdout = partial.stderr = '';
      };
      const req = request({ socketPath: this.socketPath, method: 'GET', path: API + path, signal }, (res) => {
        let buf = Buffer.alloc(0);
        res.on('data', (c: Buffer) => {
          buf = Buffer.concat([buf, c]);
          while (buf.length >= 8) {
            const size = buf.readUInt32BE(4);
            if (buf.length < 8 + size) break;
            const stream = buf[0] === 2 ? 'stderr' : 'stdout';
            const lines = (partial[stream] + buf.subarray(8, 8 + size).toString('utf8')).split('\n');
            partial[stream] = lines.pop()!;
            for (const l of lines) onLine(stream, l);
            buf = buf.subarray(8 + size);
          }
        });
        res.on('end', () => {
          flush();
          resolve();
        });
        res.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
      });
      req.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
      req.end();
    });
  }
}

/** The engine's socket: DOCKER_HOST when it is a unix:// address, else the default. */
export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : DEFAULT_DOCKER_SOCKET;
}
