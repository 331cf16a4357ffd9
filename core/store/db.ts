import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RushesError } from '../errors.ts';
import { dataHome } from './home.ts';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite store in `home`. WAL lets the daemon's readers run
 * beside a writer; synchronous=NORMAL is safe here because a lost last transaction only
 * means a file is copied again — the destination files and their MHL are the proof, not
 * the store.
 */
export function openStore(home: string = dataHome()): Db {
  const file = join(home, 'rushes.db');
  let db: Db;
  try {
    mkdirSync(home, { recursive: true });
    db = new Database(file);
  } catch (e) {
    throw new RushesError('STORE', `cannot open the store ${file}: ${(e as Error).message}`, { path: file, cause: e });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // The queue touches a few hot pages per transaction; keeping them in memory (and reading
  // the rest through mmap) spares a read syscall per page. Durability is unchanged.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  migrate(db, file);
  return db;
}

function migrate(db: Db, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new RushesError('STORE', `the store ${file} is from a newer Rushes (schema ${current}); upgrade Rushes`, { path: file });
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
