/**
 * The cell watchdog (src-main/workers/host.ts runCell): a worker that stops making progress
 * (no step, no event) while its process spins is killed and its cell fails with one message
 * saying so and what to do, instead of showing "running" forever (issue 22).
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { CellSpec } from '../../src-shared/protocol';
import { ForkHost } from '../../src-main/workers/fork-host';
import { cellWatchdogMs, runCell, stalledCellError } from '../../src-main/workers/host';
import { REPO_ROOT } from '../helpers/paths';

it('kills a worker that spins without a message and fails its cell with the watchdog message', async () => {
  const handle = new ForkHost(join(REPO_ROOT, 'test/workers/fixtures/stalled-worker.ts')).spawn({
    env: {},
  });
  const events: string[] = [];
  const started = Date.now();
  const outcome = runCell(
    handle,
    { cellId: 7 } as CellSpec,
    { name: 'test', allow: [], artifacts: null } as never,
    (e) => events.push(e.type === 'log' ? e.message : e.type),
    { quietMs: 15_000, stalled: stalledCellError },
  );
  await expect(outcome).rejects.toMatchObject({
    code: 'run_failed',
    message: expect.stringMatching(
      /^the worker made no progress for \d+ s \(no training step, no event\) and was stopped: .*use a smaller --micro-batch-size, a shorter --max-len, or another backend/,
    ) as unknown,
  });
  expect(events).toEqual(['backend: scripted']);
  const exit = await handle.exited;
  expect(exit.signal).toBe('SIGKILL');
  expect(Date.now() - started).toBeGreaterThanOrEqual(15_000);
}, 120_000);

it('states its default limit: 30 minutes, or PLW_WATCHDOG_SECONDS', () => {
  expect(cellWatchdogMs({})).toBe(30 * 60_000);
  expect(cellWatchdogMs({ PLW_WATCHDOG_SECONDS: '90' })).toBe(90_000);
  expect(cellWatchdogMs({ PLW_WATCHDOG_SECONDS: 'soon' })).toBe(30 * 60_000);
});
