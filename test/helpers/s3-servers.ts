/**
 * Real S3 servers on 127.0.0.1 for the sync tests and the sync benchmark:
 * - Ceph's RADOS Gateway (Debian: ceph-mon, ceph-osd, radosgw, ceph-common): a one-node
 *   cluster on memstore made by rgw-sandbox.sh beside this file, about 12 s to start. It
 *   checks Content-MD5 (BadDigest) and ignores flexible checksums.
 * - moto_server (moto 5, in the machine's Python), which computes AWS's flexible checksums
 *   itself — CRC32C only with Debian's python3-crc32c importable, else it silently gives
 *   plain CRC32 — but checks neither Content-MD5 nor the checksums clients send.
 *
 * Nothing here depends on vitest; `s3-fixtures.ts` starts them once per test file.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Endpoint } from '../../core/sync/index.ts';

const SANDBOX = fileURLToPath(new URL('./rgw-sandbox.sh', import.meta.url));
const MOTO = process.env.RUSHES_MOTO_SERVER ?? '/root/.pyenv/shims/moto_server';
const DEBIAN_PY = '/usr/lib/python3/dist-packages';

export interface S3Server {
  name: string;
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The endpoint as Rushes is configured for it. */
  endpoint: S3Endpoint;
  stop(): Promise<void>;
}

export interface RgwServer extends S3Server {
  /** kill -9 of the gateway alone (the cluster keeps the data and the uploads under way). */
  stopGateway(): void;
  startGateway(): void;
  /** Runs radosgw-admin against the cluster (quotas, users). */
  admin(args: string[]): string;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Why RGW cannot run here, or undefined. */
export function rgwMissing(): string | undefined {
  const missing = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph-authtool', 'monmaptool', 'ceph', 'curl'].filter((c) => !has(c));
  return missing.length ? `missing ${missing.join(', ')} (Debian: ceph-mon ceph-osd radosgw ceph-common curl)` : undefined;
}

/** The Debian python3-crc32c extension module, which moto imports for CRC32C. */
function crc32cModule(): string | undefined {
  if (!existsSync(DEBIAN_PY)) return undefined;
  const f = readdirSync(DEBIAN_PY).find((n) => /^crc32c\..*\.so$/.test(n));
  return f && join(DEBIAN_PY, f);
}

/** Why moto cannot run here, or undefined. */
export function motoMissing(): string | undefined {
  if (!existsSync(MOTO)) return `no moto_server at ${MOTO} (set RUSHES_MOTO_SERVER)`;
  if (!crc32cModule()) return `no crc32c module in ${DEBIAN_PY} (Debian: python3-crc32c); without it moto computes CRC32 for CRC32C`;
  return undefined;
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function sandbox(args: string[], timeoutMs = 120_000): string {
  const r = spawnSync('bash', [SANDBOX, ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`rgw-sandbox.sh ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
}

/** Starts a one-node Ceph cluster and its gateway; `memMiB` is the memstore's size (objects live in RAM). */
export async function startRgw(options: { memMiB?: number } = {}): Promise<RgwServer> {
  const dir = mkdtempSync(join(tmpdir(), 'rushes-rgw-'));
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const stopAll = () => spawnSync('bash', [SANDBOX, 'stop', dir], { timeout: 60_000 });
  let out: string;
  try {
    out = sandbox(['start', dir, String(monPort), String(rgwPort), String(options.memMiB ?? 1024)]);
  } catch (e) {
    stopAll();
    throw e;
  }
  const m = /ready (\S+) (\S+)/.exec(out);
  if (!m) {
    stopAll();
    throw new Error(`rgw-sandbox.sh did not report ready: ${out}`);
  }
  const url = `http://127.0.0.1:${rgwPort}`;
  // A test file that dies without its afterAll still leaves no daemons behind.
  const onExit = () => stopAll();
  process.once('exit', onExit);
  return {
    name: 'Ceph RGW',
    url,
    accessKeyId: m[1],
    secretAccessKey: m[2],
    endpoint: { name: 'rgw', url, provider: 'ceph', credentials: { accessKeyId: m[1], secretAccessKey: m[2] } },
    stopGateway: () => void sandbox(['stop-gateway', dir]),
    startGateway: () => void sandbox(['start-gateway', dir]),
    admin: (args) => {
      const r = spawnSync('radosgw-admin', ['-c', join(dir, 'ceph.conf'), '-n', 'client.admin', ...args], { encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`radosgw-admin ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    stop: async () => {
      process.removeListener('exit', onExit);
      stopAll();
    },
  };
}

async function waitForHttp(url: string, child: ChildProcess, log: () => string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited ${child.exitCode}: ${log()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > end) throw new Error(`moto_server did not answer on ${url}: ${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts moto_server. The pyenv Python does not see Debian's dist-packages, and putting all
 * of them on PYTHONPATH would shadow moto's own dependencies with Debian's versions, so a
 * private folder holding only the crc32c module goes on PYTHONPATH instead.
 * `crc32c: false` leaves it out (moto then computes CRC32 in its place). `env` adds to
 * moto's environment (MOTO_DOCKER_NETWORK_MODE for the containers its Batch API runs).
 */
export async function startMoto(options: { crc32c?: boolean; env?: Record<string, string> } = {}): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'rushes-moto-'));
  const mod = crc32cModule();
  if (options.crc32c !== false && mod) {
    mkdirSync(join(dir, 'py'));
    symlinkSync(mod, join(dir, 'py', mod.split('/').at(-1)!));
  }
  const port = await freePort();
  const env = { ...process.env, ...options.env, PYTHONPATH: join(dir, 'py') };
  const child = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-4000)));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/moto-api/`, child, () => output);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  // moto accepts any credentials; these only have to look right.
  const credentials = { accessKeyId: 'AKIARUSHESTEST000000', secretAccessKey: 'rushes-test-secret' };
  return {
    name: 'moto',
    url,
    ...credentials,
    endpoint: { name: 'moto', url, provider: 'aws', pathStyle: true, credentials },
    stop: async () => {
      process.removeListener('exit', onExit);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
