/**
 * The app as a user meets it, in a real browser against `plw serve`: the token gate, creating
 * a sweep in the editor, watching a loss curve grow while a real worker trains, the analysis
 * dashboard, a CSV export checked on disk, and the Datasets view (statistics, the record
 * preview with the prompt region marked, the short-completion copy). Screenshots of each screen go to test-artifacts/.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, screenshot, serve, type ServedApp } from './harness';

const hasChromium = chromiumAvailable();

describe.runIf(hasChromium)('web mode in Chromium', () => {
  let dir: string;
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plw-e2e-'));
    app = await serve(join(dir, 'workspace.db'), ['--workers', '2']);
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses requests without the token', async () => {
    const base = `http://127.0.0.1:${app.port}/`;
    expect((await fetch(base)).status).toBe(401);
    expect((await fetch(`${base}?token=wrong`)).status).toBe(401);
    const ok = await fetch(app.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it("describes the demo on a new workspace's home page with the sweep file's figures", async () => {
    const sweep = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../resources/demo/demo-sweep.json'), 'utf8'),
    ) as { plw: number[]; train: { steps: number }; benchmarks: { task: string; limit: number }[] };
    const page = await browser.newPage();
    await page.goto(app.url);
    const scope = page.getByTestId('demo-scope');
    await scope.waitFor();
    const text = (await scope.textContent()) ?? '';
    expect(text).toContain(`fine-tuned at ${sweep.plw.length} PLWs on demo-long and demo-short`);
    expect(text).toContain(`(${sweep.train.steps} steps each)`);
    for (const b of sweep.benchmarks) expect(text).toContain(`${b.task} (${b.limit} items)`);
    expect(text).toMatch(/tiny-byte, 0\.\d\dM parameters, pre-trained for \d+ steps/);
    // This checkout built the plw-blas addon (the test setup installs libopenblas-dev): no warning.
    expect(await page.getByTestId('blas-missing').count()).toBe(0);
    await page.close();
  });

  it('shows dataset statistics and records, makes the short copy, and names a bad record', async () => {
    const data = join(dir, 'mine.jsonl');
    writeFileSync(
      data,
      [
        {
          instruction: 'Add 2 and 3.',
          input: '',
          output: 'The sum of 2 and 3 is 5, since 2 + 3 = 5.',
        },
        { instruction: 'Translate to French.', input: 'cat', output: 'chat' },
        { instruction: 'Name a colour.', input: '', output: 'Blue, the colour of a clear sky.' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"instruction": "x", "input": "", "output": "y"}\n{"instruction": 3}\n');
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(app.url);
    await page.getByRole('link', { name: 'Datasets' }).click();
    const table = page.getByRole('table', { name: 'datasets' });
    // The built-in demo data, counted by a worker (bytes): 1,200 long-completion records.
    // Statistics come from a worker process, which starts slowly on a loaded 2-core machine.
    const WORKER = { timeout: 30_000 };
    const demoLong = table.locator('tr', { hasText: 'demo-long' });
    await expect.poll(() => demoLong.locator('td.num').first().textContent(), WORKER).toBe('1,200');
    expect(await demoLong.textContent()).toContain('long-completion');

    await page.locator('input[name=add-path]').fill(data);
    await page.getByRole('button', { name: 'Add dataset' }).click();
    const mine = table.locator('tr', { hasText: 'mine.jsonl' });
    await expect.poll(() => mine.locator('td.num').first().textContent(), WORKER).toBe('3');

    // Selected on add: the preview marks the prompt region and the completion apart.
    const preview = page.getByLabel('record preview');
    await preview.locator('article.record').first().waitFor();
    expect(await preview.locator('article.record').count()).toBe(3);
    const first = preview.locator('article.record').first();
    expect(await first.locator('.seg-prompt').textContent()).toContain(
      '### Instruction:\nAdd 2 and 3.\n\n### Response:',
    );
    expect(await first.locator('.seg-completion').textContent()).toBe(
      'The sum of 2 and 3 is 5, since 2 + 3 = 5.',
    );
    // Arrow keys move the selection through the table.
    await mine.focus();
    await page.keyboard.press('ArrowUp');
    await expect
      .poll(() => page.locator('.dataset-detail h2').textContent())
      .not.toBe('mine.jsonl');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('.dataset-detail h2').textContent()).toBe('mine.jsonl');
    await preview.locator('article.record').first().waitFor();
    await screenshot(page, '07-datasets');

    await page.getByRole('button', { name: 'Make short copy…' }).click();
    await expect
      .poll(() => page.locator('.notice').textContent(), WORKER)
      .toMatch(/mine\.short\.jsonl: 2 of 3 records transformed/);
    expect(existsSync(join(dir, 'mine.short.jsonl'))).toBe(true);
    const short = table.locator('tr', { hasText: 'mine.short.jsonl' });
    await expect.poll(() => short.textContent(), WORKER).toContain('short-completion');

    // The editor shows each dataset's figures, and a malformed file's first bad record.
    await page.getByRole('link', { name: 'New sweep' }).first().click();
    await page.locator('textarea[name=datasets]').fill(`demo-short\n${bad}`);
    const stats = page.getByLabel('dataset statistics');
    await expect.poll(() => stats.textContent(), WORKER).toContain('short-completion');
    await expect
      .poll(() => stats.locator('.ds-error').textContent(), WORKER)
      .toMatch(/bad\.jsonl: line 2: field "instruction"/);
    await screenshot(page, '08-editor-datasets');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);

  it('creates a sweep, trains it live, analyses it and exports CSV', async () => {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(app.url);
    await page.getByRole('heading', { name: 'Sweeps' }).waitFor();
    await expect.poll(() => page.locator('.conn').textContent()).toBe('connected');
    await screenshot(page, '01-home');

    // The editor validates inline: an out-of-range PLW is flagged before anything runs.
    await page.getByRole('link', { name: 'New sweep' }).first().click();
    await page.locator('input[name=name]').fill('e2e sweep');
    await page.locator('input[name=plw]').fill('0, 0.1, 2');
    await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('[0, 1]');
    await page.locator('input[name=plw]').fill('0, 0.01, 0.1, 1');
    await page.locator('textarea[name=models]').fill('tiny-byte');
    await page.locator('textarea[name=datasets]').fill('demo-long');
    await page.locator('textarea[name=benchmarks]').fill('demo_mc limit=120\ndemo_gen limit=4');
    await page.locator('input[name=steps]').fill('24');
    await page.locator('input[name=lr]').fill('0.003');
    await page.locator('input[name=batchSize]').fill('8');
    await page.locator('input[name=maxLength]').fill('512');
    const submit = page.getByRole('button', { name: /Create and run 4 cells/ });
    await submit.waitFor();
    await screenshot(page, '02-editor');
    await submit.click();

    // The grid: 4 cells, one row (model x dataset), states streaming in.
    await page.locator('table.grid').waitFor();
    await expect.poll(() => page.locator('td.gcell[data-cell-id]').count()).toBe(4);
    await expect
      .poll(() => page.locator('td.gcell[data-state=running]').count(), { timeout: 120_000 })
      .toBeGreaterThan(0);
    await screenshot(page, '03-grid-running');

    // Open a running cell: its step count grows while we watch.
    await page.locator('td.gcell[data-state=running]').first().dblclick();
    const steps = async (): Promise<number> =>
      Number.parseInt((await page.getByTestId('points').textContent()) ?? '0', 10);
    await expect.poll(steps, { timeout: 120_000 }).toBeGreaterThan(2);
    const before = await steps();
    await expect.poll(steps, { timeout: 120_000 }).toBeGreaterThan(before);
    expect(await page.locator('.recharts-line path.recharts-curve').count()).toBeGreaterThan(0);
    await screenshot(page, '04-cell-live');

    // Back to the grid; wait for every cell to finish training and evaluation.
    await page.goBack();
    await expect
      .poll(() => page.locator('td.gcell[data-state=done]').count(), {
        timeout: 600_000,
        interval: 2000,
      })
      .toBe(4);
    await screenshot(page, '05-grid-done');

    await page.getByRole('link', { name: 'Analysis' }).click();
    await page.locator('[data-testid=verdict], [data-testid=skipped-group]').first().waitFor({
      timeout: 60_000,
    });

    // The results table as a user exports it: every score with its 95% interval and chance.
    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const download = await downloadPromise;
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const csv = readFileSync(file, 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/plw/);
    expect(csv[0]).toMatch(/benchmark/);
    // 4 cells x 2 benchmarks, at least one metric each.
    expect(csv.length - 1).toBeGreaterThanOrEqual(8);

    // Which benchmarks the analysis must leave out by default, worked out here from the
    // exported scores (the headline metric: acc for demo_mc, exact_match for demo_gen): all
    // scores equal, or every cell's 95% interval holding the chance level.
    const header = csv[0]!.split(',');
    const col = (name: string) => header.indexOf(name);
    const headline = { demo_mc: 'acc', demo_gen: 'exact_match' } as Record<string, string>;
    const cells = csv.slice(1).map((line) => line.split(','));
    const expectedExcluded = Object.entries(headline)
      .filter(([benchmark, metric]) => {
        const rows = cells.filter(
          (c) => c[col('benchmark')] === benchmark && c[col('metric')] === metric,
        );
        expect(rows, benchmark).toHaveLength(4);
        const scores = rows.map((c) => Number(c[col('score')]));
        const constant = scores.every((x) => x === scores[0]);
        const atChance = rows.every(
          (c) =>
            Number(c[col('lower')]) <= Number(c[col('chance')]) &&
            Number(c[col('chance')]) <= Number(c[col('upper')]),
        );
        return constant || atChance;
      })
      .map(([benchmark]) => benchmark);
    // demo_gen of a model trained for 24 steps: no exact match on any of its 4 items.
    expect(expectedExcluded).toContain('demo_gen');
    const toggles = page.getByTestId('benchmark-toggles').first();
    const unchecked = async () => {
      const out: string[] = [];
      for (const b of Object.keys(headline)) {
        if (!(await toggles.getByLabel(new RegExp(b)).isChecked())) out.push(b);
      }
      return out;
    };
    expect(await unchecked()).toEqual(expectedExcluded);
    // Each one is named with its reason wherever the verdict (or "not fitted") is shown.
    const notes = (await page.getByTestId('analysis-notes').first().textContent()) ?? '';
    for (const b of expectedExcluded) {
      expect(notes).toMatch(
        new RegExp(
          `${b}: (every score is [\\d.]+|at chance \\([\\d.]+\\) in every cell) — excluded`,
        ),
      );
    }
    if (expectedExcluded.length === 2) {
      expect(await page.getByTestId('skipped-group').first().textContent()).toMatch(
        /not fitted: .*every benchmark is excluded/,
      );
    } else {
      expect(await page.getByTestId('verdict').first().textContent()).toMatch(
        /rests on one benchmark \(demo_mc\); left out: demo_gen \(every score is 0\)$/,
      );
    }
    // One click per benchmark brings it back and re-fits (demo_mc first: the fit on demo_gen's
    // zeros alone has no residual variance). The box follows the re-fit's answer.
    for (const b of ['demo_mc', 'demo_gen'].filter((x) => expectedExcluded.includes(x))) {
      await page.getByTestId('benchmark-toggles').first().getByLabel(new RegExp(b)).click();
      await expect
        .poll(
          () => page.getByTestId('benchmark-toggles').first().getByLabel(new RegExp(b)).isChecked(),
          {
            timeout: 60_000,
          },
        )
        .toBe(true);
    }
    await page.getByTestId('verdict').first().waitFor({ timeout: 60_000 });
    const included = (await page.getByTestId('analysis-notes').first().textContent()) ?? '';
    for (const b of expectedExcluded)
      expect(included).toMatch(new RegExp(`${b}: .* — included by choice`));
    // The coefficient table carries the verdict's test and the LRT beside it.
    const coef = page.getByTestId('coef-table').first();
    expect(await coef.getByTestId('kr-test').textContent()).toMatch(
      /^Kenward–Roger F \(verdict\)F\(2, [\d.]+\) = [\d.e+-]+,\s*p = [\d.e+-]+$/,
    );
    expect(await coef.getByTestId('lrt-test').textContent()).toMatch(/χ²\(2\) = [\d.e+-]+, p = /);
    // Each demo_mc score has its 95% interval drawn, over a dashed chance line at 1/4.
    const mcPanel = page.getByTestId('benchmark-panel').filter({ hasText: 'demo_mc' });
    expect(await mcPanel.getAttribute('data-chance')).toBe('0.25');
    expect(await mcPanel.getAttribute('data-error-bars')).toBe('yes');
    expect(await page.getByTestId('power-note').first().textContent()).toMatch(
      /smallest PLW effect this sweep could detect/,
    );
    expect(await page.getByTestId('benchmark-panel').count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, '06-analysis');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 900_000);
});
