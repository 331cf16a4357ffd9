/**
 * What `rushes verify` and `rushes mhl create|info|diff` start: the store (opened and
 * migrated as the engine opens it) and its event log, and the engine's own MHL functions
 * (./mhl-api.ts) — the same events in the same store as through the whole engine, which
 * these commands do not need otherwise: they run no jobs, and the engine's services (the
 * queue and its runner, inspection, renders, reports, sync, with their packages) took
 * ~0.1 s of every such command to load and wire. The command owns its thread, so small
 * files are read in it and only large ones in the pool (commandHashing).
 */
import { EventBus } from '../events/bus.ts';
import { commandHashing } from '../runtime/hashing.ts';
import { destroyPool } from '../runtime/pool.ts';
import { openStore } from '../store/db.ts';
import { mhlApi, type MhlApi } from './mhl-api.ts';

export async function withMhlEngine<T>(home: string, fn: (mhl: MhlApi) => Promise<T>): Promise<T> {
  const db = openStore(home);
  try {
    return await fn(mhlApi(new EventBus(db), commandHashing));
  } finally {
    await destroyPool();
    db.close();
  }
}
