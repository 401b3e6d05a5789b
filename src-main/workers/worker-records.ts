/**
 * The workers table: every worker that said hello (src-shared/protocol.ts workerHelloSchema),
 * the app's own and `plw worker`s on a queue, with when it was last heard from. The Workers page
 * and the workspace's backend come from here.
 */
import { workerHelloSchema, type WorkerHello } from '../../src-shared/protocol';
import type { Store } from '../store/store';
import { SweepRepository } from '../sweeps/repository';

export interface WorkerRecord {
  name: string;
  host: string;
  pid: number;
  hello: WorkerHello;
  /** ms since the epoch. */
  lastSeen: number;
  /** Whether the runner last saw it connected to the queue; null for the app's own workers. */
  connected: boolean | null;
  /** Cells it runs now (running or evaluating). */
  cells: { id: number; sweepId: number }[];
}

interface WorkerRow {
  name: string;
  host: string;
  pid: number;
  hello: string;
  lastSeen: number;
  connected: number | null;
}

export class WorkerRecords {
  private readonly s;

  private readonly repo: SweepRepository;

  constructor(store: Store) {
    this.repo = new SweepRepository(store);
    const db = store.db;
    this.s = {
      upsert: db.prepare<[string, string, number, string, string, number, number, number | null]>(
        `INSERT INTO workers (name, host, pid, backend, hello, started_at, last_seen, connected)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET host = excluded.host, pid = excluded.pid,
           backend = excluded.backend, hello = excluded.hello, started_at = excluded.started_at,
           last_seen = max(last_seen, excluded.last_seen),
           connected = coalesce(excluded.connected, connected)`,
      ),
      heard: db.prepare<[number, string]>(
        'UPDATE workers SET last_seen = max(last_seen, ?) WHERE name = ?',
      ),
      connected: db.prepare<[number, string]>('UPDATE workers SET connected = ? WHERE name = ?'),
      remote: db.prepare<[], { name: string }>(
        'SELECT name FROM workers WHERE connected IS NOT NULL',
      ),
      all: db.prepare<[], WorkerRow>(
        `SELECT name, host, pid, hello, last_seen AS lastSeen, connected FROM workers
         ORDER BY last_seen DESC, name`,
      ),
      connectedCount: db.prepare<[], { n: number }>(
        'SELECT count(*) AS n FROM workers WHERE connected = 1',
      ),
      backend: db.prepare<[], { backend: string }>(
        'SELECT backend FROM workers ORDER BY last_seen DESC, name LIMIT 1',
      ),
    };
  }

  /**
   * Records a hello (validated here: it crossed a process boundary). `connected`: true for a
   * queue worker seen on the queue, null for the app's own. Returns false for a hello off the schema.
   */
  hello(value: unknown, heardAt: number, connected: boolean | null): boolean {
    const parsed = workerHelloSchema.safeParse(value);
    if (!parsed.success) return false;
    const h = parsed.data;
    this.s.upsert.run(
      h.name,
      h.host,
      h.pid,
      h.backend.name,
      JSON.stringify(h),
      h.startedAt,
      heardAt,
      connected === null ? null : connected ? 1 : 0,
    );
    return true;
  }

  /** A batch of the worker's events arrived. */
  heard(name: string, at: number): void {
    this.s.heard.run(at, name);
  }

  /**
   * What the queue says now: `hellos` of the workers registered there, `connected` the names
   * BullMQ lists as connected. Queue workers not among them are marked gone.
   */
  queueSeen(hellos: readonly WorkerHello[], connected: ReadonlySet<string>, at: number): void {
    for (const h of hellos)
      this.hello(h, connected.has(h.name) ? at : h.startedAt, connected.has(h.name));
    const registered = new Set(hellos.map((h) => h.name));
    for (const { name } of this.s.remote.all()) {
      if (!registered.has(name) || !connected.has(name)) this.s.connected.run(0, name);
    }
  }

  list(): WorkerRecord[] {
    const cells = this.repo.cellsOnWorkers();
    return this.s.all.all().map((r) => ({
      name: r.name,
      host: r.host,
      pid: r.pid,
      hello: JSON.parse(r.hello) as WorkerHello,
      lastSeen: r.lastSeen,
      connected: r.connected === null ? null : r.connected === 1,
      cells: cells
        .filter((c) => c.worker === r.name)
        .map((c) => ({ id: c.id, sweepId: c.sweepId })),
    }));
  }

  /** Queue workers the runner last saw connected to the queue. */
  connectedCount(): number {
    return this.s.connectedCount.get()?.n ?? 0;
  }

  /** The backend of the worker heard from last, or null before any hello. */
  backend(): string | null {
    return this.s.backend.get()?.backend ?? null;
  }
}
