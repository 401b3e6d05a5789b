/**
 * The demo's model is tiny: on two CPU cores two single-threaded workers train it about 1.5x
 * faster than one two-threaded worker (the general default), so the app switches to
 * `demoWorkers` when the demo starts — unless the user chose `--workers`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoWorkers } from '../../src-main/workers/concurrency';
import { Workspace } from '../../src-main/workspace/workspace';

const open: Workspace[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const ws of open.splice(0)) await ws.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function workspace(workers?: number): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'plw-demo-workers-'));
  dirs.push(dir);
  const ws = new Workspace({
    dbPath: join(dir, 'ws.db'),
    runEverything: false,
    hardware: { cores: 2, gpus: [] },
    ...(workers === undefined ? {} : { workers }),
  });
  open.push(ws);
  return ws;
}

describe('workers for the demo', () => {
  it('are one per core up to two on CPU, and one per GPU on GPUs', () => {
    expect(demoWorkers({ cores: 2, gpus: [] })).toBe(2);
    expect(demoWorkers({ cores: 1, gpus: [] })).toBe(1);
    expect(demoWorkers({ cores: 16, gpus: [] })).toBe(8);
    expect(demoWorkers({ cores: 16, gpus: ['0'] })).toBe(1);
  });

  it('replace the default of one worker on two cores when the demo starts', () => {
    const ws = workspace();
    expect(ws.workers).toBe(1);
    expect(ws.useDemoWorkers()).toBe(true);
    expect(ws.workers).toBe(2);
    expect(ws.availableWorkers()).toBe(2);
  });

  it('leave a count the user chose alone', () => {
    const ws = workspace(1);
    expect(ws.useDemoWorkers()).toBe(false);
    expect(ws.workers).toBe(1);
  });
});
