/**
 * The Workers and Settings pages and the worker of each cell, in a real browser against `plw serve`: the
 * workspace holds two queue workers' hellos and cells they run and ran (written through the
 * app's own store code, as a queue runner writes them), and this test holds the workspace's
 * run lock, so the served app is a viewer that shows them without running anything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLock } from '../../src-main/store/run-lock';
import { Store } from '../../src-main/store/store';
import { SweepRepository } from '../../src-main/sweeps/repository';
import { WorkerRecords } from '../../src-main/workers/worker-records';
import { parseSweep } from '../../src-shared/sweep';
import type { WorkerHello } from '../../src-shared/protocol';
import { smallDataset } from '../sweeps/cli-helpers';
import { chromiumAvailable, launchBrowser, screenshot, serve, type ServedApp } from './harness';

const hasChromium = chromiumAvailable();

function hello(name: string, host: string, backend: string): WorkerHello {
  return {
    name,
    host,
    pid: 4242,
    backend: {
      name: backend,
      reason: 'the fastest backend that loaded (tensorflow-gpu, tensorflow did not)',
      skipped: [
        { name: 'tensorflow-gpu', why: 'not installed' },
        { name: 'tensorflow', why: 'not installed' },
      ],
      threads: backend === 'webgpu' ? null : 2,
      blas: backend === 'wasm-blas' ? { coreType: 'SkylakeX', threads: 2, note: 'test' } : null,
      ...(backend === 'webgpu'
        ? {
            gpu: {
              vendor: 'nvidia',
              architecture: 'ampere',
              device: '',
              description: 'NVIDIA A100-SXM4-80GB',
              software: null,
              maxBufferSize: 2 ** 36,
              maxStorageBufferBindingSize: 2 ** 32 - 4,
              maxStorageBuffersPerShaderStage: 10,
            },
          }
        : {}),
    },
    startedAt: Date.now() - 60_000,
  };
}

describe.runIf(hasChromium)('the Workers page in Chromium', () => {
  let dir: string;
  let app: ServedApp;
  let browser: Browser;
  let lock: RunLock;
  let running: number;
  let ran: number;
  let sweepId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-e2e-workers-'));
    const db = join(dir, 'workspace.db');
    const store = new Store(db);
    const def = parseSweep(
      { name: 'remote', plw: [0, 1], models: ['tiny-byte'], datasets: [smallDataset(dir)] },
      'sweep.json',
    );
    sweepId = new SweepRepository(store).createOrContinue(def, null).id;
    const ids = new SweepRepository(store).cells(sweepId).map((c) => c.id);
    [running, ran] = ids as [number, number];
    const set = store.db.prepare<[string, string, number]>(
      'UPDATE cells SET state = ?, worker = ?, attempts = 1 WHERE id = ?',
    );
    set.run('running', 'gpu1', running);
    set.run('done', 'gpu2', ran);
    const workers = new WorkerRecords(store);
    expect(workers.hello(hello('gpu1', 'box-a', 'wasm-blas'), Date.now(), true)).toBe(true);
    expect(workers.hello(hello('gpu2', 'box-b', 'webgpu'), Date.now() - 3_600_000, false)).toBe(
      true,
    );
    // A hello off the protocol schema is not stored.
    expect(workers.hello({ ...hello('bad', 'box-c', 'cpu'), pid: -1 }, Date.now(), true)).toBe(
      false,
    );
    store.close();
    const got = RunLock.tryAcquire(db);
    if (!(got instanceof RunLock)) throw new Error(`${db}: run lock held by pid ${got.holder}`);
    lock = got;
    app = await serve(db);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    lock?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists each worker with its host, backend, current cell and when it was last heard from', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    // Reachable from the keyboard: Tab through the page to the nav's Workers link, then Enter.
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate("document.activeElement?.getAttribute('href') === '#/workers'");
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction("location.hash === '#/workers'");
    const table = page.getByRole('table', { name: 'workers' });
    await table.waitFor();
    const row = (name: string) => table.locator(`tr[data-worker="${name}"]`);
    expect(await table.locator('tbody tr').count()).toBe(2);
    // The workspace's backend: that of the worker heard from last.
    await page
      .getByTestId('backend-badge')
      .filter({ hasText: /^wasm-blas$/ })
      .waitFor();
    const gpu1 = await row('gpu1').locator('td').allInnerTexts();
    expect(gpu1[0]).toBe('gpu1');
    expect(gpu1[1]).toMatch(/^box-a pid 4242/);
    expect(gpu1[2]).toMatch(/^wasm-blas · 2 threads · OpenBLAS SkylakeX, 2 threads/);
    expect(gpu1[3]).toBe(`#${running}`);
    // Heard from as the page was served (minutes at most, with a first build of the renderer).
    expect(gpu1[4]).toMatch(/^(just now|\d+ s ago|\d+ min ago)$/);
    expect(await row('gpu1').getByTestId('backend').getAttribute('title')).toContain(
      'tensorflow-gpu skipped: not installed',
    );
    const gpu2 = await row('gpu2').locator('td').allInnerTexts();
    expect(gpu2[0]).toBe('gpu2 (gone)');
    // A webgpu worker names its adapter and the limits that bound the largest tensor.
    expect(gpu2[2]).toMatch(
      /^webgpu · nvidia ampere \(NVIDIA A100-SXM4-80GB\); maxBufferSize 64 GiB, maxStorageBufferBindingSize 4.00 GiB, 10 storage buffers per kernel$/,
    );
    expect(gpu2[3]).toBe('–');
    expect(gpu2[4]).toMatch(/^1\.\d h ago$/);
    await screenshot(page, 'workers');

    // The current cell links to the cell view, which names its worker.
    await row('gpu1')
      .getByRole('link', { name: `#${running}` })
      .click();
    await page.getByTestId('cell-worker').waitFor();
    expect(await page.getByTestId('cell-worker').innerText()).toBe('running on gpu1');

    // The sweep grid shows which worker runs or ran each cell.
    await page.goto(`${app.url}#/sweep/${sweepId}`);
    const grid = page.getByRole('grid', { name: 'sweep cells' });
    await grid.waitFor();
    expect(await grid.locator(`[data-cell-id="${running}"]`).getAttribute('data-worker')).toBe(
      'gpu1',
    );
    expect(await grid.locator(`[data-cell-id="${ran}"] .gcell-line.worker`).innerText()).toBe(
      'on gpu2',
    );
    await page.close();
  });

  it('saves a queue URL on the Settings page and never shows its password', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.url}#/settings`);
    const status = page.getByTestId('queue-status');
    await status.waitFor();
    const input = page.locator('input[name="queue-url"]');
    await input.fill('redis://:Hunter2-secret@queue.example:6380/2');
    await page.getByRole('button', { name: 'Save' }).click();
    await status.filter({ hasText: 'Saved' }).waitFor();
    expect(await status.innerText()).toBe(
      'Cells run on this machine’s own workers. Saved: redis://:***@queue.example:6380/2, used ' +
        'from the next time the app opens this workspace.',
    );
    expect(await input.inputValue()).toBe('redis://:***@queue.example:6380/2');
    await page.reload();
    await status.filter({ hasText: 'Saved' }).waitFor();
    expect(await page.content()).not.toContain('Hunter2');
    await input.fill('not a url');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.error').waitFor();
    expect(await page.locator('.error').innerText()).toMatch(
      /^queue URL: "not a url" is not a URL/,
    );
    await page.close();
  });
});
