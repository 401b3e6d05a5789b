/**
 * Progress and ETA as the service reports them (not as a renderer fixture invents them): a
 * sweep of scripted workers that take a known time per step, read through `sweeps:get` and
 * `sweeps:list` while it runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import { ForkHost } from '../../src-main/workers/fork-host';
import { sweepProgress } from '../../src-shared/progress';
import { SCRIPTED_WORKER, TEST_BUILTINS } from '../sweeps/helpers';

const STEP_MS = 150;

describe('sweep progress and ETA from the service', () => {
  let dir: string;
  let service: WorkspaceService;
  const savedStepMs = process.env.PLW_TEST_STEP_MS;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-progress-'));
    process.env.PLW_TEST_STEP_MS = String(STEP_MS); // read by the forked scripted worker
    writeFileSync(
      join(dir, 'd.json'),
      JSON.stringify([{ instruction: 'a', input: '', output: 'b' }]),
    );
    service = await openWorkspaceService({
      dbPath: join(dir, 'w.db'),
      builtins: TEST_BUILTINS,
      workers: 1,
      baseDir: dir,
      host: new ForkHost(SCRIPTED_WORKER),
    });
  });

  afterAll(async () => {
    if (savedStepMs === undefined) delete process.env.PLW_TEST_STEP_MS;
    else process.env.PLW_TEST_STEP_MS = savedStepMs;
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each running cell and the sweep a training ETA at the observed pace', async () => {
    const { id } = await service.handlers['sweeps:create']({
      definition: {
        name: 'eta',
        plw: [0, 0.5, 1],
        models: ['scripted'],
        datasets: ['d.json'],
        benchmarks: ['demo-qa'],
        train: { steps: 40, checkpointEvery: 20 },
      },
      start: true,
    });
    const get = () => service.handlers['sweeps:get']({ id });
    let detail = await get();
    const deadline = Date.now() + 60_000;
    while (!detail.cellList.some((c) => c.state === 'running' && c.step >= 8 && c.step <= 30)) {
      if (Date.now() > deadline) throw new Error('no cell reached step 8 in 60 s');
      await new Promise((r) => setTimeout(r, 50));
      detail = await get();
    }
    const running = detail.cellList.find((c) => c.state === 'running')!;
    expect(running.etaSeconds).not.toBeNull();
    // At least the scripted pace (slower under load, never faster).
    expect(running.etaSeconds!).toBeGreaterThanOrEqual(
      ((40 - running.step) * STEP_MS) / 1000 - 0.5,
    );
    // The sweep's ETA covers this cell's rest and the two queued cells' 80 steps (one worker).
    const queued = detail.cellList.filter((c) => c.state === 'queued').length;
    expect(detail.etaSeconds).not.toBeNull();
    expect(detail.etaSeconds!).toBeGreaterThan(running.etaSeconds!);
    const pace = running.etaSeconds! / (40 - running.step);
    expect(detail.etaSeconds!).toBeCloseTo((40 - running.step + 40 * queued) * pace, 0);
    // One definition of progress: the same number on the home page and the sweep page.
    expect(detail.progress).toBeCloseTo(sweepProgress(detail.cellList), 12);
    // Local mode: the app's own worker slots are the workers (the queue's are in test/queue/eta).
    expect((await service.handlers['workspace:info']({})).workers).toBe(1);
    const [listed] = await service.handlers['sweeps:list']({});
    expect(listed!.etaSeconds).not.toBeNull();
    await service.handlers['sweeps:action']({ id, action: 'cancel' });
  }, 90_000);
});
