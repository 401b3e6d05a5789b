import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PlwError } from '../../src-shared/errors';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

/**
 * One workspace database. The main process is its only writer: workers never open it, they
 * report events that the main process writes in batches.
 */
export class Store {
  readonly db: Db;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode never corrupts the database (a power cut loses at most the last
    // commits, never consistency), and it skips an fsync per transaction. Losing the last
    // batch of metrics is harmless: a resumed cell recomputes every step past its checkpoint.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    // A second reader (a status command while a sweep runs) waits instead of failing at once.
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  /** Runs fn in one transaction (synchronous: no await inside, as better-sqlite3 requires). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** `PRAGMA integrity_check`: 'ok' for a sound file, else the problems found. */
  integrityCheck(): string {
    const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** Applies the migrations this file has not seen yet, each in its own transaction. */
export function migrate(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new PlwError(
      'bad_input',
      `${db.name}: database schema version ${version} is newer than this app (${MIGRATIONS.length}); update PLW Studio`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
