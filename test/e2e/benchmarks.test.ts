/**
 * The Benchmarks page and the editor's standard benchmarks, in Chromium against `plw serve`:
 * the folder is set once and kept in the workspace, each task shows where its published files
 * were found (the shared benchmark files) and what is missing, and ticking tasks in the sweep
 * editor yields a valid sweep with their data paths, shots and limits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedData } from '../helpers/paths';
import { chromiumAvailable, launchBrowser, screenshot, serve, type ServedApp } from './harness';

const hasChromium = chromiumAvailable();

describe.runIf(hasChromium)('benchmark library in Chromium', () => {
  let dir: string;
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-e2e-bench-'));
    app = await serve(join(dir, 'workspace.db'));
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the published files in the folder set once, and the editor offers them', async () => {
    const folder = sharedData('benchmarks');
    const page = await (
      await browser.newContext({ viewport: { width: 1400, height: 1000 } })
    ).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Benchmarks' }).click();
    const table = page.getByRole('table', { name: 'benchmarks' });
    await table.waitFor();
    // No folder yet: every task says what to do.
    expect(await table.locator('tr[data-ready=yes]').count()).toBe(0);
    expect(await table.locator('tr[data-task=piqa] .bench-missing').textContent()).toContain(
      'set a benchmarks folder',
    );

    await page.locator('input[name=benchmarks-folder]').fill(folder);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => table.locator('tr[data-ready=yes]').count()).toBe(6);
    const arc = table.locator('tr[data-task=arc_challenge]');
    expect(await arc.locator('li.found').count()).toBe(2);
    expect(await arc.textContent()).toContain(join(folder, 'arc/ARC-Challenge-Test.jsonl'));
    expect(await arc.locator('td.num').first().textContent()).toBe('1,172');
    expect(await table.locator('tr[data-task=wmt14-en-fr] .bench-missing').textContent()).toBe(
      `put newstest2014-fren-src.en.sgm and newstest2014-fren-ref.fr.sgm in ${join(folder, 'wmt14')}`,
    );
    await screenshot(page, 'benchmarks-page');

    // Kept in the workspace: a reload shows the same folder.
    await page.reload();
    await table.waitFor();
    expect(await page.locator('input[name=benchmarks-folder]').inputValue()).toBe(folder);
    await expect.poll(() => table.locator('tr[data-ready=yes]').count()).toBe(6);

    // The editor: missing tasks cannot be ticked; ticked ones join the sweep with their files.
    await page.getByRole('link', { name: 'New sweep' }).first().click();
    await page.locator('input[name=name]').fill('bench sweep');
    await page.locator('input[name=plw]').fill('0, 1');
    await page.locator('textarea[name=models]').fill('tiny-byte');
    await page.locator('textarea[name=datasets]').fill('demo-long');
    await page.locator('textarea[name=benchmarks]').fill('demo_mc limit=10');
    await page.locator('input[name=bench-arc_challenge]').waitFor();
    expect(await page.locator('input[name=bench-arc_easy]').isDisabled()).toBe(true);
    await page.locator('input[name=bench-arc_challenge]').check();
    await page.locator('input[name=limit-arc_challenge]').fill('20');
    await page.locator('input[name=bench-winogrande]').check();
    await page.locator('input[name=shots-winogrande]').fill('0');
    // The few-shot sampler of a ticked task: lm-eval's by default, the leaderboard's on request.
    expect(await page.locator('select[name=sampler-winogrande]').inputValue()).toBe('');
    await page.locator('select[name=sampler-winogrande]').selectOption('leaderboard');
    await page.getByRole('button', { name: /Create and run 2 cells/ }).waitFor();
    expect(await page.locator('.issues').count()).toBe(0);
    // A bad limit is flagged inline by the same schema the CLI uses.
    await page.locator('input[name=limit-arc_challenge]').fill('-3');
    await expect.poll(() => page.locator('.issues').textContent()).toContain('benchmarks[0]');
    await page.locator('input[name=limit-arc_challenge]').fill('20');
    await expect.poll(() => page.locator('.issues').count()).toBe(0);
    await screenshot(page, 'benchmarks-editor');
    expect(errors).toEqual([]);
  });
});
