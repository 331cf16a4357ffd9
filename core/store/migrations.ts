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
  `
  -- The durable job queue (core/queue). Times are milliseconds since the epoch.
  CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,          -- JSON
    state            TEXT NOT NULL,          -- waiting | queued | running | succeeded | dead | cancelled
    priority         INTEGER NOT NULL DEFAULT 0,  -- higher runs first
    run_after        INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    idempotency_key  TEXT UNIQUE,
    resources        TEXT,                   -- JSON array of resource keys the job holds while running
    depth            INTEGER NOT NULL DEFAULT 0,  -- rule chain length, the workflow's loop guard
    pending_parents  INTEGER NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_expires    INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    progress         TEXT,                   -- JSON, last reported
    result           TEXT,                   -- JSON
    last_error       TEXT,                   -- JSON { code, message }
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    updated_at       INTEGER NOT NULL
  );
  -- Partial indexes stay small (only queued or running rows), so claiming costs the same
  -- with a hundred thousand finished jobs in the table; queries name them (INDEXED BY).
  CREATE INDEX jobs_ready ON jobs (priority DESC, run_after, id) WHERE state = 'queued';
  CREATE INDEX jobs_due ON jobs (run_after) WHERE state = 'queued';
  CREATE INDEX jobs_running ON jobs (lease_expires) WHERE state = 'running';
  CREATE INDEX jobs_by_state ON jobs (state, id);

  CREATE TABLE job_deps (
    child  INTEGER NOT NULL REFERENCES jobs (id),
    parent INTEGER NOT NULL REFERENCES jobs (id),
    PRIMARY KEY (child, parent)
  ) WITHOUT ROWID;
  CREATE INDEX job_deps_by_parent ON job_deps (parent, child);

  -- Append-only: what happened to every job, in order; the API streams it.
  CREATE TABLE job_events (
    seq    INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL,
    type   TEXT NOT NULL,                    -- created | started | progress | succeeded | failed | cancelled | requeued
    at     INTEGER NOT NULL,
    data   TEXT                              -- JSON
  );
  CREATE INDEX job_events_by_job ON job_events (job_id, seq);
  `,
  // 3: cards that detection found, and what happened to each.
  `
  CREATE TABLE cards (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,            -- where it appeared (a mount point or a folder in a watch folder)
    present       INTEGER NOT NULL DEFAULT 1,  -- 0 once it was pulled or removed
    state         TEXT NOT NULL,            -- detected | waiting | offloading | verified | copied | duplicate | conflict | failed
    label         TEXT,
    camera        TEXT,
    roll          TEXT,
    clips         INTEGER,
    evidence      TEXT,
    fingerprint   TEXT,
    files         INTEGER,
    bytes         INTEGER,
    targets       TEXT,                     -- JSON: the folders the card goes to, one per destination
    job_id        INTEGER,                  -- the offload job
    related_card  INTEGER,                  -- the card this one duplicates or conflicts with
    safe_to_eject INTEGER NOT NULL DEFAULT 0,
    error         TEXT,                     -- JSON { code, message, path }
    detected_at   INTEGER NOT NULL,
    identified_at INTEGER,
    finished_at   INTEGER,
    updated_at    INTEGER NOT NULL
  );
  CREATE INDEX cards_by_path ON cards (path, id);
  CREATE INDEX cards_by_fingerprint ON cards (fingerprint, id);
  CREATE INDEX cards_by_job ON cards (job_id);

  -- Append-only, like job_events: what happened to every card; the API streams it.
  CREATE TABLE card_events (
    seq     INTEGER PRIMARY KEY,
    card_id INTEGER NOT NULL REFERENCES cards (id),
    type    TEXT NOT NULL,
    at      INTEGER NOT NULL,
    data    TEXT
  );
  CREATE INDEX card_events_by_card ON card_events (card_id, seq);
  `,
  `
  -- One row per clip: the normalised record (schemas/clip.schema.json) as JSON, and the
  -- few columns lists sort and filter by. location = roll folder + relative path, unique.
  CREATE TABLE clips (
    id           INTEGER PRIMARY KEY,
    location     TEXT NOT NULL UNIQUE,
    root         TEXT NOT NULL,
    clip_name    TEXT NOT NULL,
    roll         TEXT,
    offload_id   TEXT,
    status       TEXT NOT NULL,            -- ok | partial | failed (the inspection's)
    record       TEXT NOT NULL,
    thumbnail    TEXT,                     -- poster frame JPEG, when ffmpeg could decode one
    inspected_at INTEGER NOT NULL
  );
  CREATE INDEX clips_by_roll ON clips (roll, clip_name);
  CREATE INDEX clips_by_offload ON clips (offload_id);

  -- Full-text search over what people search clips by; rowid = clips.id.
  CREATE VIRTUAL TABLE clips_fts USING fts5 (clip, roll, slate, camera, lens, look, other, tokenize = 'unicode61');
  `,
  // 5: one event log for every topic (core/events): the job and card logs move into it, in time order.
  `
  CREATE TABLE events (
    seq     INTEGER PRIMARY KEY,
    topic   TEXT NOT NULL,                  -- job | card | offload | mhl | clip | render
    subject TEXT NOT NULL,                  -- the id of what it is about (job id, card id, offload id, …)
    at      INTEGER NOT NULL,
    body    TEXT NOT NULL                   -- the whole event as JSON
  );
  CREATE INDEX events_by_subject ON events (topic, subject, seq);
  INSERT INTO events (topic, subject, at, body)
    SELECT topic, subject, at, body FROM (
      SELECT 'job' AS topic, CAST(e.job_id AS TEXT) AS subject, e.at AS at, 0 AS src, e.seq AS seq,
             json_object('topic', 'job', 'jobId', e.job_id, 'kind', j.kind, 'type', e.type, 'at', e.at, 'data', json(e.data)) AS body
        FROM job_events e JOIN jobs j ON j.id = e.job_id
      UNION ALL
      SELECT 'card', CAST(card_id AS TEXT), at, 1, seq,
             json_object('topic', 'card', 'cardId', card_id, 'type', type, 'at', at, 'data', json(data))
        FROM card_events
    ) ORDER BY at, src, seq;
  DROP TABLE job_events;
  DROP TABLE card_events;
  -- Safe to eject is the verified state, derived rather than stored beside it.
  ALTER TABLE cards DROP COLUMN safe_to_eject;
  `,
  // 6: a job a command runs itself (rushes offload, rushes render) is reserved for that command's runner.
  `
  ALTER TABLE jobs ADD COLUMN reserved_for TEXT;
  `,
  // 7: cloud sync (core/sync): multipart uploads under way with every part the store acknowledged, and objects the store confirmed.
  `
  CREATE TABLE sync_uploads (
    id          INTEGER PRIMARY KEY,
    endpoint    TEXT NOT NULL,              -- the store's URL, or aws:REGION
    bucket      TEXT NOT NULL,
    key         TEXT NOT NULL,
    upload_id   TEXT NOT NULL,              -- the store's multipart upload id
    path        TEXT NOT NULL,              -- the local file it is read from
    size        INTEGER NOT NULL,
    mtime_ms    REAL NOT NULL,
    part_size   INTEGER NOT NULL,
    checksum    TEXT,                       -- flexible checksum algorithm of every part (CRC32C, SHA256), or NULL
    xxh64       TEXT,                       -- the file's hash as the ASC MHL records it, stored as object metadata
    state       TEXT NOT NULL,              -- open | completed | aborted
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX sync_uploads_open ON sync_uploads (endpoint, bucket, key) WHERE state = 'open';
  CREATE INDEX sync_uploads_by_state ON sync_uploads (state, updated_at);

  -- Every part the store acknowledged, written as it is acknowledged.
  CREATE TABLE sync_parts (
    upload_id   INTEGER NOT NULL REFERENCES sync_uploads (id) ON DELETE CASCADE,
    part_number INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    md5         TEXT NOT NULL,              -- hex MD5 of the bytes read for the part
    etag        TEXT NOT NULL,              -- the ETag the store acknowledged it with (the MD5 on most stores)
    checksum    TEXT,                       -- base64 flexible checksum, when the upload has one
    PRIMARY KEY (upload_id, part_number)
  ) WITHOUT ROWID;

  -- Objects the store confirmed (ETag and checksum matched the bytes read): synced.
  CREATE TABLE sync_objects (
    endpoint    TEXT NOT NULL,
    bucket      TEXT NOT NULL,
    key         TEXT NOT NULL,
    path        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    etag        TEXT NOT NULL,
    checksum    TEXT,
    xxh64       TEXT,
    synced_at   INTEGER NOT NULL,
    PRIMARY KEY (endpoint, bucket, key)
  );
  `,
  `
  -- Jobs that wait on another engine (a 'remote:' resource, core/queue/limits.ts) have slots of
  -- their own; this index lets a claim find them without scanning the local jobs queued before them.
  CREATE INDEX jobs_ready_remote ON jobs (priority DESC, run_after, id) WHERE state = 'queued' AND instr(resources, '"remote:') > 0;
  `,
];
