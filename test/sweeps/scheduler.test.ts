import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { rig, tempDir, writeDataset } from './helpers';

const cleanups: (() => unknown)[] = [];

/** Waits for `ready` in the test's own flow, so a failed expectation fails the test. */
async function until(ready: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error('timed out waiting for the workers');
    await sleep(10);
  }
}
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(options: { workers?: number; maxAttempts?: number } = {}) {
  const dir = tempDir();
  const r = rig(dir, options);
  // The scheduler first: a worker exiting after the last cell would otherwise claim from a closed store.
  cleanups.push(async () => {
    await r.scheduler.shutdown();
    r.store.close();
  });
  return { dir, ...r };
}

describe('scheduler with real worker processes', () => {
  it('runs each replicate seed as its own cell, training with that seed and scoring the same items', async () => {
    const { dir, create, scheduler, repo } = setup();
    const data = writeDataset(dir, 'd.json');
    const { id } = create({
      name: 'replicates',
      plw: [0, 1],
      models: ['scripted'],
      datasets: [data],
      benchmarks: ['demo-qa'],
      train: { steps: 2, checkpointEvery: 2 },
      seed: 42,
      seeds: [7, 8],
    });
    await scheduler.run([id]);
    const cells = repo.cells(id);
    expect(cells.map((c) => [c.plw, c.seed, c.state])).toEqual([
      [0, 7, 'done'],
      [1, 7, 'done'],
      [0, 8, 'done'],
      [1, 8, 'done'],
    ]);
    for (const c of cells) {
      expect(repo.logs(c.id).map((l) => l.message)).toContain(`seeds: train ${c.seed}, eval 42`);
    }
  });

  it('runs every cell of a sweep to done, storing each step once and the scores', async () => {
    const { dir, create, scheduler, repo, store, events } = setup();
    const data = writeDataset(dir, 'd.json');
    const { id } = create({
      name: 's',
      plw: [0, 0.5, 1],
      models: ['scripted'],
      datasets: [data],
      benchmarks: ['demo-qa'],
      train: { steps: 6, checkpointEvery: 2 },
    });
    await scheduler.run([id]);
    const cells = repo.cells(id);
    expect(cells.map((c) => c.state)).toEqual(['done', 'done', 'done']);
    for (const c of cells) {
      expect(repo.metrics(c.id).map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(c.step).toBe(6);
      expect(c.lastCheckpointStep).toBe(6);
      expect(repo.scores(c.id)).toEqual([
        {
          benchmark: 'demo-qa',
          metric: 'acc',
          value: 0.5 + c.plw / 4,
          stderr: 0.01,
          n: 40,
          chance: 0.25,
          lower: 0.4 + c.plw / 4,
          upper: 0.6 + c.plw / 4,
        },
      ]);
    }
    const states = events.filter((e) => e.type === 'state' && e.cellId === cells[0]!.id);
    expect(states.map((e) => (e.type === 'state' ? e.state : ''))).toEqual([
      'running',
      'evaluating',
      'done',
    ]);
    expect(store.integrityCheck()).toBe('ok');
  });

  it('fails a cell whose dataset is corrupt and finishes the others', async () => {
    const { dir, create, scheduler, repo } = setup();
    const good = writeDataset(dir, 'good.json');
    const bad = writeDataset(dir, 'bad.json', '[{"instruction": "a", "inp');
    const { id } = create({
      name: 's',
      plw: [0, 1],
      models: ['scripted'],
      datasets: [good, bad],
      train: { steps: 3 },
    });
    await scheduler.run([id]);
    const cells = repo.cells(id);
    expect(cells.map((c) => [c.dataset.endsWith('bad.json'), c.state])).toEqual([
      [false, 'done'],
      [false, 'done'],
      [true, 'failed'],
      [true, 'failed'],
    ]);
    const failed = cells[2]!;
    expect(failed.error).toMatch(/bad\.json: not valid JSON/);
    // A bad-input error is not a crash: no retries.
    expect(failed.attempts).toBe(1);
    expect(
      repo.logs(failed.id).some((l) => l.level === 'error' && /bad\.json/.test(l.message)),
    ).toBe(true);
  });

  it('retries a worker killed mid-training from its last checkpoint, each step stored once', async () => {
    process.env.PLW_TEST_CRASH_AT_STEP = '6';
    cleanups.push(() => delete process.env.PLW_TEST_CRASH_AT_STEP);
    const { dir, create, scheduler, repo, store } = setup({ workers: 1 });
    const { id } = create({
      name: 's',
      plw: [0.1],
      models: ['scripted'],
      datasets: [writeDataset(dir, 'd.json')],
      train: { steps: 8, checkpointEvery: 4 },
    });
    await scheduler.run([id]);
    const [cell] = repo.cells(id);
    expect(cell!.state).toBe('done');
    expect(cell!.attempts).toBe(2);
    expect(repo.metrics(cell!.id).map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const logs = repo.logs(cell!.id).map((l) => l.message);
    expect(logs.some((m) => /killed by SIGKILL; re-queued/.test(m))).toBe(true);
    expect(logs.some((m) => /attempt 2 .*resuming from step 4/.test(m))).toBe(true);
    expect(store.integrityCheck()).toBe('ok');
  });

  it('marks a cell failed once its worker has crashed maxAttempts times', async () => {
    process.env.PLW_TEST_CRASH_AT_STEP = '2';
    cleanups.push(() => delete process.env.PLW_TEST_CRASH_AT_STEP);
    const { dir, create, scheduler, repo } = setup({ workers: 1, maxAttempts: 1 });
    const { id } = create({
      name: 's',
      plw: [0.1],
      models: ['scripted'],
      datasets: [writeDataset(dir, 'd.json')],
      train: { steps: 4 },
    });
    await scheduler.run([id]);
    const [cell] = repo.cells(id);
    expect(cell!.state).toBe('failed');
    expect(cell!.error).toMatch(/worker killed by SIGKILL/);
  });

  it('cancels and pauses running cells, resumes and retries them', async () => {
    process.env.PLW_TEST_STEP_MS = '40';
    cleanups.push(() => delete process.env.PLW_TEST_STEP_MS);
    const { dir, create, scheduler, repo, events } = setup({ workers: 2 });
    const { id } = create({
      name: 's',
      plw: [0, 1],
      models: ['scripted'],
      datasets: [writeDataset(dir, 'd.json')],
      train: { steps: 30, checkpointEvery: 5 },
    });
    const [a, b] = repo.cells(id);
    events.length = 0;
    const run = scheduler.run([id]);
    const progressed = (cell: number) =>
      events.some((e) => e.type === 'checkpoint' && e.cellId === cell);
    await until(() => progressed(a!.id) && progressed(b!.id));
    expect(scheduler.act(a!.id, 'cancel')).toBe(true);
    expect(scheduler.act(b!.id, 'pause')).toBe(true);
    await run;
    expect(repo.cell(a!.id)!.state).toBe('cancelled');
    expect(repo.cell(b!.id)!.state).toBe('paused');
    const pausedAt = repo.cell(b!.id)!.lastCheckpointStep!;
    expect(pausedAt).toBeGreaterThanOrEqual(5);

    expect(scheduler.act(b!.id, 'resume')).toBe(true);
    expect(scheduler.act(a!.id, 'retry')).toBe(true);
    expect(repo.cell(a!.id)!.lastCheckpointStep).toBeNull();
    await scheduler.run([id]);
    for (const c of [a!, b!]) {
      expect(repo.cell(c.id)!.state).toBe('done');
      expect(repo.metrics(c.id).map((m) => m.step)).toEqual(
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
    }
    expect(repo.logs(b!.id).some((l) => l.message.includes(`resuming from step ${pausedAt}`))).toBe(
      true,
    );
  });

  it('acts on a whole sweep: cancel every cell, then retry them all to done', async () => {
    process.env.PLW_TEST_STEP_MS = '40';
    cleanups.push(() => delete process.env.PLW_TEST_STEP_MS);
    const { dir, create, scheduler, repo, events } = setup({ workers: 1 });
    const actOnSweep = (sweep: number, action: 'cancel' | 'retry') =>
      scheduler.states.cellsOf(sweep).filter((c) => scheduler.act(c, action)).length;
    const { id } = create({
      name: 's',
      plw: [0, 0.5, 1],
      models: ['scripted'],
      datasets: [writeDataset(dir, 'd.json')],
      train: { steps: 20, checkpointEvery: 5 },
    });
    const run = scheduler.run([id]);
    // Once the first cell trains, cancel the sweep: the running cell and the queued ones.
    await until(() => events.some((e) => e.type === 'progress'));
    expect(actOnSweep(id, 'cancel')).toBe(3);
    await run;
    expect(repo.cells(id).map((c) => c.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(actOnSweep(id, 'retry')).toBe(3);
    await scheduler.run([id]);
    expect(repo.cells(id).map((c) => [c.state, c.step])).toEqual([
      ['done', 20],
      ['done', 20],
      ['done', 20],
    ]);
  });
});

describe('the number of workers', () => {
  it('runs more cells at once after setWorkers, as the app does when the demo starts', async () => {
    const { dir, create, scheduler, repo } = setup({ workers: 1 });
    const data = writeDataset(dir, 'd.json');
    const { id } = create({
      name: 'widen',
      plw: [0, 0.25, 0.5, 0.75],
      models: ['scripted'],
      datasets: [data],
      train: { steps: 20, checkpointEvery: 20 },
    });
    let most = 0;
    const watch = setInterval(() => {
      const running = repo.cells(id).filter((c) => c.state === 'running').length;
      most = Math.max(most, running);
    }, 5);
    try {
      const done = scheduler.run([id]);
      await until(() => repo.cells(id).some((c) => c.state === 'running'));
      expect(repo.cells(id).filter((c) => c.state === 'running')).toHaveLength(1);
      scheduler.setWorkers(2);
      await until(() => repo.cells(id).filter((c) => c.state === 'running').length === 2);
      await done;
    } finally {
      clearInterval(watch);
    }
    expect(most).toBe(2);
    expect(repo.cells(id).map((c) => c.state)).toEqual(['done', 'done', 'done', 'done']);
  });
});
