/**
 * `rushes daemon`: the engine headless, behind the HTTP API. Logs are JSON lines on stdout.
 * SIGTERM or SIGINT shut it down gracefully: no new work, running jobs stop at a checkpoint
 * and go back to the queue, leases are released; a second signal exits at once.
 */
import { resolve } from 'node:path';
import { Engine } from '../engine/engine.ts';
import { engineOptionsFrom, readConfigFor, type DaemonConfig } from '../engine/config.ts';
import { claimDaemonHome, publishDaemonUrl, releaseDaemonHome } from '../engine/pidfile.ts';
import { startServer } from '../server/index.ts';
import { dataHome } from '../store/home.ts';
import { TOOL } from '../version.ts';
import { jsonLogger, type Logger } from '../util/log.ts';
import { EXIT } from './exit-codes.ts';
import type { Io } from './io.ts';
import { wholeNumber } from './options.ts';

export interface DaemonFlags {
  home?: string;
  port?: string;
  host?: string;
  config?: string;
  token?: string;
}

export const DEFAULT_PORT = 7420;


export async function daemonCommand(flags: DaemonFlags, io: Io): Promise<number> {
  const home = resolve(flags.home ?? dataHome());
  // Without --config, the home's config.json: where the UI's Settings page saves.
  const { file: configFile, config } = readConfigFor(home, flags.config && resolve(flags.config));
  const host = flags.host ?? config.host ?? '127.0.0.1';
  const port = wholeNumber(flags.port, 'port', 0, 65535) ?? config.port ?? DEFAULT_PORT;
  const token = flags.token || process.env.RUSHES_TOKEN || config.token || undefined;
  const log = jsonLogger(io.stdout, config.logLevel ?? 'info');
  claimDaemonHome(home);
  try {
    return await runDaemon(home, host, port, token, config, configFile, log);
  } finally {
    releaseDaemonHome(home);
  }
}

async function runDaemon(home: string, host: string, port: number, token: string | undefined, config: DaemonConfig, configFile: string, log: Logger): Promise<number> {
  const engine = new Engine(engineOptionsFrom(config, { home, file: configFile, log }));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(engine.api, { host, port, token, log });
  } catch (e) {
    await engine.stop(0);
    throw e;
  }
  await engine.start();
  publishDaemonUrl(home, server.url);
  log.info('daemon started', { version: TOOL.version, url: server.url, ui: `${server.url}/`, home, config: configFile, pid: process.pid, auth: token ? 'token' : 'none (loopback only)' });

  const signalled = await new Promise<NodeJS.Signals>((res) => {
    process.once('SIGTERM', () => res('SIGTERM'));
    process.once('SIGINT', () => res('SIGINT'));
  });
  const force = () => {
    log.warn('second signal: exiting now; running jobs resume at the next start');
    releaseDaemonHome(home);
    process.exit(EXIT.CANCELLED);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  log.info('shutting down', { signal: signalled, running: engine.api.health().running });
  await server.close();
  await engine.stop(config.shutdownGraceMs ?? 30_000);
  log.info('daemon stopped');
  return EXIT.OK;
}
