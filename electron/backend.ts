/**
 * What the desktop window talks to. By default the engine runs in this process, behind the
 * same HTTP server the daemon uses (the window loads the UI from it), with a fresh token for
 * each launch so nothing else on the machine can use the app's API; the data home is claimed
 * as a daemon claims it. If a daemon already runs on the home, or --attach names one, the
 * window uses that daemon instead. Either way the shell reaches the engine only through its
 * typed API (in process) or its HTTP API (attached).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Engine } from '../core/engine/engine.ts';
import { engineOptionsFrom, readConfigFor } from '../core/engine/config.ts';
import { claimDaemonHome, publishDaemonUrl, releaseDaemonHome, runningDaemon } from '../core/engine/pidfile.ts';
import { startServer } from '../core/server/index.ts';
import { dataHome } from '../core/store/home.ts';
import { jsonLogger } from '../core/util/log.ts';
import type { LaunchPlan } from './launch.ts';

export interface Backend {
  /** The served UI and API. */
  url: string;
  /** The token the window hands the page to sign in with. */
  token?: string;
  eject(cardId: number): Promise<{ ejected: boolean; message: string }>;
  stop(): Promise<void>;
}

function attached(url: string, token: string | undefined): Backend {
  return {
    url,
    token,
    async eject(cardId) {
      const res = await fetch(`${url}/api/cards/${cardId}/eject`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: '{}' });
      const body = (await res.json()) as { ejected: boolean; message: string; error?: { message: string } };
      if (!res.ok) throw new Error(body.error?.message ?? `the daemon answered ${res.status}`);
      return body;
    },
    stop: async () => undefined,
  };
}

async function inProcess(home: string, configFile: string | undefined): Promise<Backend> {
  const { file, config } = readConfigFor(home, configFile && resolve(configFile));
  claimDaemonHome(home);
  const engine = new Engine(engineOptionsFrom(config, { home, file, log: jsonLogger(process.stdout, config.logLevel ?? 'info') }));
  const token = randomBytes(32).toString('base64url');
  try {
    const server = await startServer(engine.api, { host: '127.0.0.1', port: 0, token });
    await engine.start();
    publishDaemonUrl(home, server.url);
    return {
      url: server.url,
      token,
      eject: async (cardId) => engine.api.cards.eject(cardId),
      async stop() {
        await server.close();
        await engine.stop(config.shutdownGraceMs ?? 30_000);
        releaseDaemonHome(home);
      },
    };
  } catch (e) {
    await engine.stop(0);
    releaseDaemonHome(home);
    throw e;
  }
}

export async function startBackend(plan: LaunchPlan): Promise<Backend> {
  if (plan.mode === 'attach') return attached(plan.url, plan.token);
  const home = resolve(plan.home ?? dataHome());
  const daemon = runningDaemon(home);
  if (daemon?.url) return attached(daemon.url, process.env.RUSHES_TOKEN || undefined);
  return inProcess(home, plan.config);
}
