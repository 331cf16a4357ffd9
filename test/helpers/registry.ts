/**
 * A throwaway image registry on 127.0.0.1 (Debian's docker-registry, the CNCF distribution
 * registry) with its storage in a temporary folder, for the swarm runtime's push test. The
 * Docker engine pushes to a registry on loopback over plain HTTP without configuration.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './s3-servers.ts';

const REGISTRY = process.env.RUSHES_DOCKER_REGISTRY ?? '/usr/bin/docker-registry';

/** Why no registry can run here, or undefined. */
export function registryMissing(): string | undefined {
  return spawnSync(REGISTRY, ['--version']).status === 0 ? undefined : `no ${REGISTRY} (Debian: docker-registry)`;
}

export async function startRegistry(): Promise<{ host: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'rushes-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: ${host}\n`);
  const child = spawn(REGISTRY, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d) => (log = (log + d).slice(-2000)));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const end = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log}`);
    const ok = await fetch(`http://${host}/v2/`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > end) throw new Error(`docker-registry did not answer on ${host}: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    stop: async () => {
      process.removeListener('exit', onExit);
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
