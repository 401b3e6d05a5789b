import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/store';

/** The workspace's queue identity and read position, kept in its database (queue_state). */
export class QueueState {
  private readonly get;
  private readonly put;

  constructor(store: Store) {
    this.get = store.db.prepare<[string], { value: string }>(
      'SELECT value FROM queue_state WHERE key = ?',
    );
    this.put = store.db.prepare<[string, string]>(
      'INSERT OR REPLACE INTO queue_state (key, value) VALUES (?, ?)',
    );
  }

  /** A random id made once per workspace: its jobs, stream and checkpoint folders carry it. */
  workspace(): string {
    const row = this.get.get('workspace');
    if (row !== undefined) return row.value;
    const id = randomBytes(12).toString('hex');
    this.put.run('workspace', id);
    return id;
  }

  cursor(): string {
    return this.get.get('cursor')?.value ?? '0-0';
  }

  setCursor(id: string): void {
    this.put.run('cursor', id);
  }
}
