/**
 * The demo base model as the app's shells get it: pre-trained in a worker of the same host as
 * the cells (here the real child_process host on the real worker entry, as `plw serve` runs it;
 * Electron's utilityProcess host speaks the same protocol), its steps reaching the home page's
 * `demo:status` while it runs. Two pre-training steps into a temporary cache keep it short.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoStatus } from '../../src-shared/api';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import { prepareDemoSweep } from '../../src-main/demo/prepare';
import { appBuiltins } from '../../src-main/sweeps/builtins';
import { ForkHost } from '../../src-main/workers/fork-host';
import type { SpawnOptions, WorkerHost } from '../../src-main/workers/host';
import { REPO_ROOT } from '../helpers/paths';

/** `inner` with extra environment for every worker, counting the workers it starts. */
function withEnv(inner: WorkerHost, env: Record<string, string>): WorkerHost & { spawned: number } {
  const host = {
    kind: inner.kind,
    spawned: 0,
    spawn(options: SpawnOptions) {
      host.spawned += 1;
      return inner.spawn({ env: { ...options.env, ...env } });
    },
  };
  return host;
}

describe('demo pre-training through the worker host', () => {
  let dir: string;
  let host: WorkerHost & { spawned: number };
  let service: WorkspaceService;
  const log: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-demo-pretrain-'));
    // The real worker entry, on half the cores (PLW_WORKERS 2) to share the machine politely.
    host = withEnv(new ForkHost(), { PLW_CACHE_DIR: join(dir, 'cache'), PLW_WORKERS: '2' });
    service = await openWorkspaceService({
      dbPath: join(dir, 'w.db'),
      host,
      builtins: appBuiltins(),
      workers: 1,
      baseDir: dir,
      demoSweep: (onStep) => prepareDemoSweep(host, (line) => log.push(line), onStep, { steps: 2 }),
    });
  });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the home page follows the pre-training worker step by step, then the demo sweep starts on its model', async () => {
    const progress: DemoStatus[] = [];
    const off = service.events.subscribe((name, payload) => {
      if (name === 'demo:progress') progress.push(payload as DemoStatus);
    });
    const { id, created } = await service.handlers['sweeps:demo']({});
    off();
    await service.handlers['sweeps:action']({ id, action: 'cancel' });
    expect(created).toBe(true);
    expect(host.spawned).toBeGreaterThanOrEqual(1);

    const steps = progress.filter(
      (p): p is Extract<DemoStatus, { state: 'preparing' }> =>
        p.state === 'preparing' && p.step !== null,
    );
    expect(steps.map((p) => [p.step, p.totalSteps])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    // The ETA is the pre-training's own (one step left after the first), none at the end.
    expect(steps[0]?.etaSeconds).toBeGreaterThan(0);
    expect(steps[1]?.etaSeconds).toBe(0);
    expect(progress.at(-1)).toEqual({ state: 'idle' });

    // The sweep's model is the one the worker saved in the cache, named as plw demo names it.
    const sweep = await service.handlers['sweeps:get']({ id });
    const model = (sweep.definition as { models: string[] } | null)?.models[0] ?? '';
    expect(model.startsWith(join(dir, 'cache', 'pretrained'))).toBe(true);
    expect(model.endsWith('demo-base')).toBe(true);
    expect(existsSync(join(model, 'config.json'))).toBe(true);
    expect(log.some((l) => l.startsWith('demo base model: backend: '))).toBe(true);
    expect(log.filter((l) => /^demo base model: pretrain step \d\/2 loss \d/.test(l))).toHaveLength(
      2,
    );
    expect(log.at(-1)).toBe(`demo base model: built the base model: ${model}`);
  });

  it('a second preparation answers from the cache without a step', async () => {
    const seen: number[] = [];
    log.length = 0;
    const def = (await prepareDemoSweep(
      host,
      (l) => log.push(l),
      (s) => seen.push(s),
      {
        steps: 2,
      },
    )) as { models: string[] };
    expect(seen).toEqual([]);
    expect(log.at(-1)).toBe(`demo base model: cached model: ${def.models[0]}`);
  });

  it('a failing or crashing pre-training worker rejects with what went wrong, after the steps it reported', async () => {
    const scripted = join(REPO_ROOT, 'test/app/fixtures/pretrain-worker.ts');
    const seen: number[] = [];
    await expect(
      prepareDemoSweep(
        withEnv(new ForkHost(scripted), { PLW_TEST_PRETRAIN: 'fail' }),
        () => {},
        (s) => seen.push(s),
      ),
    ).rejects.toMatchObject({
      code: 'bad_input',
      message: 'pre-training the demo base model failed: corpus.txt: cannot read the corpus',
    });
    await expect(
      prepareDemoSweep(
        withEnv(new ForkHost(scripted), { PLW_TEST_PRETRAIN: 'crash' }),
        () => {},
        (s) => seen.push(s),
      ),
    ).rejects.toMatchObject({
      code: 'run_failed',
      message:
        'pre-training the demo base model failed: worker exited with code 3: ' +
        'RangeError: the scripted pre-training ran out of memory',
    });
    expect(seen).toEqual([1, 1]);
  });
});
