/**
 * Schema migrations, applied in order. `PRAGMA user_version` holds how many have run, so each
 * runs exactly once per database file. Append new entries; never edit a shipped one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the core tables of docs/ARCHITECTURE.md "Storage".
  `
  CREATE TABLE sweeps (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- sha-256 of the canonical definition: the same file run again continues this sweep.
    hash TEXT NOT NULL,
    definition TEXT NOT NULL,
    source_file TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (name, hash)
  );

  CREATE TABLE cells (
    id INTEGER PRIMARY KEY,
    sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    plw REAL NOT NULL,
    model TEXT NOT NULL,
    dataset TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued'
      CHECK (state IN ('queued', 'running', 'evaluating', 'paused', 'done', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    step INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER,
    loss REAL,
    last_checkpoint_step INTEGER,
    error TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    updated_at INTEGER NOT NULL,
    UNIQUE (sweep_id, idx)
  );
  CREATE INDEX cells_by_state ON cells (state);

  CREATE TABLE metrics (
    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    loss REAL,
    prompt_loss REAL,
    completion_loss REAL,
    lr REAL,
    grad_norm REAL,
    tokens_per_sec REAL,
    time INTEGER NOT NULL,
    PRIMARY KEY (cell_id, step)
  ) WITHOUT ROWID;

  CREATE TABLE scores (
    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    benchmark TEXT NOT NULL,
    metric TEXT NOT NULL,
    value REAL NOT NULL,
    stderr REAL,
    PRIMARY KEY (cell_id, benchmark, metric)
  ) WITHOUT ROWID;

  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    stats TEXT,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    config TEXT,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE analyses (
    id INTEGER PRIMARY KEY,
    sweep_id INTEGER REFERENCES sweeps(id) ON DELETE CASCADE,
    exponent REAL NOT NULL,
    result TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    cell_id INTEGER REFERENCES cells(id) ON DELETE CASCADE,
    time INTEGER NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX logs_by_cell ON logs (cell_id, id);
  `,
  // 2: the Datasets view's statistics, per tokenizer and transform, valid while the file's
  // size and modification time are unchanged.
  `
  CREATE TABLE dataset_stats (
    source TEXT NOT NULL,
    tokenizer TEXT NOT NULL,
    short INTEGER NOT NULL,
    size INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    stats TEXT NOT NULL,
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (source, tokenizer, short)
  ) WITHOUT ROWID;
  `,
  // 3: what a score can be judged by (items scored, chance level, 95% interval), and the
  // seed of a replicate cell (null: the sweep's one seed).
  `
  ALTER TABLE scores ADD COLUMN n INTEGER;
  ALTER TABLE scores ADD COLUMN chance REAL;
  ALTER TABLE scores ADD COLUMN lower REAL;
  ALTER TABLE scores ADD COLUMN upper REAL;
  ALTER TABLE cells ADD COLUMN seed INTEGER;
  `,
  // 4: workspace settings (the Benchmarks page's folder), one JSON value per key.
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 5: remote workers (BullMQ on Redis): this workspace's id, the last stream entry ingested,
  // and which worker runs each cell.
  `
  CREATE TABLE queue_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  ALTER TABLE cells ADD COLUMN worker TEXT;
  `,
  // 6: the workers that said hello (the app's own and `plw worker`s on the queue), and each
  // cell's checkpoints as its worker reported them (a remote worker's folder is not readable).
  `
  CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    -- the backend's name; hello holds the whole hello (why other backends were skipped, BLAS, threads).
    backend TEXT NOT NULL,
    hello TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    -- 1 or 0: whether the runner last saw it connected to the queue; null for the app's own.
    connected INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE checkpoints (
    cell_id INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    -- the folder on the worker's host
    path TEXT NOT NULL,
    time INTEGER NOT NULL,
    PRIMARY KEY (cell_id, step)
  ) WITHOUT ROWID;
  `,
];
