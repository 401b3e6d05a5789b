/**
 * The demo sweep as the app starts it: `plw serve --demo` on a new workspace and the home
 * view's "Start the demo sweep" button both call the service's `sweeps:demo`, which awaits the
 * (possibly minutes-long) preparation of the demo definition and then creates and starts the
 * sweep. Here the preparation is the real demo definition on the `tiny-byte` preset (instead of
 * the pre-trained demo base model, which takes minutes to build) with two PLWs and 2 steps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspaceService, type WorkspaceService } from '../../src-main/app/service';
import { appBuiltins } from '../../src-main/sweeps/builtins';
import { demoDefinition } from '../../src-main/demo/demo-sweep';

describe('sweeps:demo', () => {
  let dir: string;
  let service: WorkspaceService;
  let prepared = 0;
  // Holds the preparation at step 50 of 200 until the test has looked at the home page's job.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-demo-sweep-'));
    service = await openWorkspaceService({
      dbPath: join(dir, 'w.db'),
      builtins: appBuiltins(),
      workers: 1,
      baseDir: dir,
      demoSweep: async (onStep) => {
        prepared += 1;
        await new Promise((r) => setTimeout(r, 50)); // preparation is asynchronous
        onStep(50, 200);
        await held;
        return demoDefinition('tiny-byte', { steps: 2, plw: [0, 1] });
      },
    });
  });

  afterAll(async () => {
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('awaits the prepared definition, then creates and starts the demo sweep', async () => {
    expect(await service.handlers['demo:status']({})).toEqual({ state: 'idle' });
    const events: unknown[] = [];
    const off = service.events.subscribe((name, payload) => {
      if (name === 'demo:progress') events.push(payload);
    });
    const pending = service.handlers['sweeps:demo']({});
    // While the base model pre-trains, the home page can show the job with its ETA.
    await expect
      .poll(async () => service.handlers['demo:status']({}))
      .toMatchObject({ state: 'preparing', step: 50, totalSteps: 200 });
    const status = await service.handlers['demo:status']({});
    expect(status.state === 'preparing' && status.etaSeconds).toBeGreaterThan(0);
    expect(events).toContainEqual(expect.objectContaining({ state: 'preparing', step: 50 }));
    // A second click meanwhile joins the same preparation instead of starting another.
    const joined = service.handlers['sweeps:demo']({});
    release();
    const first = await pending;
    expect(await joined).toEqual({ id: first.id, created: false });
    expect(await service.handlers['demo:status']({})).toEqual({ state: 'idle' });
    off();
    expect(first.created).toBe(true);
    expect(prepared).toBe(1);
    const list = await service.handlers['sweeps:list']({});
    expect(list).toEqual([
      expect.objectContaining({ id: first.id, name: 'PLW demo', cells: 4 }), // 2 PLWs × 2 datasets
    ]);
    // Asked again (a second click), it continues the same sweep instead of adding one.
    const again = await service.handlers['sweeps:demo']({});
    expect(again).toEqual({ id: first.id, created: false });
    expect(await service.handlers['sweeps:list']({})).toHaveLength(1);
    await service.handlers['sweeps:action']({ id: first.id, action: 'cancel' });
  });
});
