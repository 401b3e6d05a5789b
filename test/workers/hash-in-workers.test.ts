/**
 * The app hashes the files queue jobs name in a worker process (a `sha256` data job on the real
 * fork host and worker entry), the same hash `plw worker` checks, and hashes a path again only
 * when it changed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ForkHost } from '../../src-main/workers/fork-host';
import { hashInWorkers } from '../../src-main/workers/hash-in-workers';
import type { SpawnOptions, WorkerHandle, WorkerHost } from '../../src-main/workers/host';
import { sha256OfPath } from '../../src-worker/files';

/** The real fork host, counting the worker processes it starts. */
class CountingHost implements WorkerHost {
  readonly kind = 'child_process';
  spawned = 0;
  private readonly inner = new ForkHost();
  spawn(options: SpawnOptions): WorkerHandle {
    this.spawned += 1;
    return this.inner.spawn(options);
  }
}

describe('hashing in a worker process', () => {
  it('gives the hash workers check, once per path until the file or folder changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plw-hash-'));
    const file = join(dir, 'data.jsonl');
    writeFileSync(file, '{"instruction":"a","input":"","output":"b"}\n');
    const model = join(dir, 'model');
    mkdirSync(model);
    writeFileSync(join(model, 'config.json'), '{}');
    const host = new CountingHost();
    const hash = hashInWorkers(host);

    expect(await hash(file)).toBe(sha256OfPath(file));
    expect(await hash(model)).toBe(sha256OfPath(model));
    expect(host.spawned).toBe(2);
    expect(await hash(file)).toBe(sha256OfPath(file));
    expect(host.spawned).toBe(2);

    writeFileSync(file, '{"instruction":"a","input":"","output":"changed"}\n');
    expect(await hash(file)).toBe(sha256OfPath(file));
    writeFileSync(join(model, 'model.safetensors'), 'weights');
    expect(await hash(model)).toBe(sha256OfPath(model));
    expect(host.spawned).toBe(4);
    await expect(Promise.resolve().then(() => hash(join(dir, 'gone')))).rejects.toThrow(/ENOENT/);
  });
});
