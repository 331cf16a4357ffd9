/**
 * Commands run through the same engine as the daemon, in this process: the same store
 * records, events and volume limits. The engine runs only the jobs the command starts
 * itself, so it never takes work from a daemon on the same store.
 */
import type { EngineApi } from '../engine/api.ts';
import type { RenderConfig } from '../render/job.ts';
import type { SyncConfig } from '../engine/sync.ts';
import { dataHome } from '../store/home.ts';

export async function withEngine<T>(home: string | undefined, fn: (api: EngineApi) => Promise<T>, o: { render?: RenderConfig; sync?: SyncConfig } = {}): Promise<T> {
  const { Engine } = await import('../engine/engine.ts');
  const engine = new Engine({ home: home ?? dataHome(), role: 'command', render: o.render, sync: o.sync });
  try {
    await engine.start();
    return await fn(engine.api);
  } finally {
    await engine.stop(5000);
  }
}

let mhlEngine: Promise<typeof import('../engine/mhl-engine.ts')> | undefined;

/** Starts loading what `withMhl` runs: a command calls it first, so the loading overlaps its other start-up. */
export function loadMhl(): Promise<typeof import('../engine/mhl-engine.ts')> {
  mhlEngine ??= import('../engine/mhl-engine.ts');
  mhlEngine.catch(() => undefined); // withMhl reports a failure
  return mhlEngine;
}

/**
 * The engine's MHL functions with the store and event log they record in, and nothing else
 * of the engine: `rushes verify` and `rushes mhl …` run no jobs (core/engine/mhl-engine.ts).
 */
export async function withMhl<T>(home: string | undefined, fn: (mhl: EngineApi['mhl']) => Promise<T>): Promise<T> {
  const { withMhlEngine } = await loadMhl();
  return withMhlEngine(home ?? dataHome(), fn);
}
