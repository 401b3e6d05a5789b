/**
 * Workspace settings (the `settings` table): one JSON value per key, kept in the workspace so
 * they travel with it. Keys: `benchmarks.folder` (Benchmarks page), `queue` (Settings page).
 */
import type { Store } from './store';

export class Settings {
  private readonly getStmt;
  private readonly putStmt;
  private readonly delStmt;

  constructor(store: Store) {
    const db = store.db;
    this.getStmt = db.prepare<[string], { value: string }>(
      'SELECT value FROM settings WHERE key = ?',
    );
    this.putStmt = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.delStmt = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  }

  get<T>(key: string): T | null {
    const row = this.getStmt.get(key);
    return row === undefined ? null : (JSON.parse(row.value) as T);
  }

  /** Stores `value`; null removes the key. */
  set(key: string, value: unknown): void {
    if (value === null) this.delStmt.run(key);
    else this.putStmt.run(key, JSON.stringify(value));
  }
}
