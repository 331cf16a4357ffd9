/**
 * Schema migrations, applied in order; PRAGMA user_version records how many ran.
 * Append only: a migration that has shipped is never edited.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE offloads (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    roll          TEXT NOT NULL,
    destinations  TEXT NOT NULL,          -- JSON array of destination roll folders
    formats       TEXT NOT NULL,          -- JSON array of hash formats
    verify_mode   TEXT NOT NULL,          -- full | size | none
    source_verify INTEGER NOT NULL,
    status        TEXT NOT NULL,          -- running | completed | incomplete
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    summary       TEXT                    -- JSON summary of the last run
  );
  CREATE INDEX offloads_by_source ON offloads (source, roll);

  -- One row per source file: what was read and the hashes computed in the copy pass.
  CREATE TABLE offload_files (
    offload_id  TEXT NOT NULL REFERENCES offloads (id),
    path        TEXT NOT NULL,            -- relative, '/'-separated
    size        INTEGER NOT NULL,
    mtime_ms    REAL NOT NULL,
    hashes      TEXT,                     -- JSON { format: digest }
    hashed_at   TEXT,
    status      TEXT NOT NULL,            -- copied | failed
    error       TEXT,
    PRIMARY KEY (offload_id, path)
  );

  -- One row per file per destination: the outcome that the MHL generation records.
  CREATE TABLE destination_files (
    offload_id   TEXT NOT NULL REFERENCES offloads (id),
    destination  TEXT NOT NULL,
    path         TEXT NOT NULL,
    status       TEXT NOT NULL,           -- written | verified | failed
    check_kind   TEXT,                    -- full-direct | full-cached | size | none
    checked_at   TEXT,
    error_code   TEXT,
    error        TEXT,
    manifest     TEXT,                    -- the MHL generation that recorded this file, once written
    PRIMARY KEY (offload_id, destination, path)
  );
  `,
];
