/**
 * The sweep grid and the loss chart at the sizes users run them, mounted alone in Chromium
 * (test/renderer/harness): 60 cells with keyboard and mouse selection and score colours, and
 * 10,000-step curves that must be downsampled without losing a spike.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, screenshot } from '../e2e/harness';
import { startHarness, type HarnessServer } from './harness-server';

const hasChromium = chromiumAvailable();

/** Vertices of an SVG path drawn by recharts' linear curve (`M x,y L x,y …`). */
const vertices = (d: string | null): number => (d?.match(/[ML]/g) ?? []).length;

/** Mean of the r, g, b channels of a `background: rgb(r, g, b)` style: higher is lighter. */
const lightness = (style: string | null): number => {
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(style ?? '');
  return m ? (Number(m[1]) + Number(m[2]) + Number(m[3])) / 3 : Number.NaN;
};

/** The y axis' tick labels as numbers. */
const yTicks = async (page: Page): Promise<string[]> =>
  page.locator('.recharts-yAxis-tick-labels text').allTextContents();

describe.runIf(hasChromium)('components in Chromium', () => {
  let server: HarnessServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startHarness();
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (query: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?${query}`);
    (page as Page & { errors: string[] }).errors = errors;
    return page;
  };
  const harness = (page: Page): Promise<{ opened: number[]; selected: number[] }> =>
    page.evaluate(
      () =>
        (globalThis as unknown as { harness: { opened: number[]; selected: number[] } }).harness,
    );

  it('lays out 60 cells as model x dataset rows and PLW columns, coloured by score', async () => {
    const page = await open('fixture=grid');
    const grid = page.getByRole('grid', { name: 'sweep cells' });
    await grid.waitFor();
    expect(await grid.locator('td[data-cell-id]').count()).toBe(60);
    expect(await grid.locator('tbody tr').count()).toBe(6);
    const heads = await grid.locator('thead th[scope=col]').allTextContents();
    expect(heads).toEqual([
      'PLW 0',
      'PLW 0.0005',
      'PLW 0.002236',
      'PLW 0.01',
      'PLW 0.02463',
      'PLW 0.05',
      'PLW 0.1',
      'PLW 0.2463',
      'PLW 0.5',
      'PLW 1',
    ]);
    // Higher scores are darker: compare each scored cell's lightness with its score.
    const scored = await grid.locator('td[data-state=done]').evaluateAll((tds) =>
      tds.map((td) => ({
        score: Number(td.querySelector('.score')?.textContent),
        style: td.getAttribute('style'),
      })),
    );
    expect(scored.length).toBeGreaterThan(10);
    const byScore = [...scored].sort((a, b) => a.score - b.score);
    expect(lightness(byScore[0]!.style)).toBeGreaterThan(lightness(byScore.at(-1)!.style));
    // Colouring by one benchmark changes the colours.
    const before = await grid.locator('td[data-state=done]').first().getAttribute('style');
    await page.getByLabel('colour by').selectOption('demo_gen');
    await expect
      .poll(() => grid.locator('td[data-state=done]').first().getAttribute('style'))
      .not.toBe(before);
    // A failed cell says so, with its error on hover.
    const failed = grid.locator('td[data-state=failed]').first();
    expect(await failed.locator('.gcell-error').getAttribute('title')).toMatch(/field "output"/);
    await screenshot(page, 'component-grid-60');
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('moves, selects and opens cells from the keyboard and the mouse', async () => {
    const page = await open('fixture=grid');
    const grid = page.getByRole('grid', { name: 'sweep cells' });
    await grid.locator('td[data-pos="0-0"]').click();
    expect((await harness(page)).selected).toEqual([1]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() =>
      (
        globalThis as unknown as {
          document: { activeElement: { getAttribute(n: string): string | null } | null };
        }
      ).document.activeElement?.getAttribute('data-pos'),
    );
    expect(focused).toBe('1-2');
    await page.keyboard.press(' ');
    // Row 1 (tiny-byte · demo-short), column 2: cell 13.
    expect((await harness(page)).selected).toEqual([1, 13]);
    await page.keyboard.press('Enter');
    expect((await harness(page)).opened).toEqual([13]);
    // Shift-click selects the range in reading order; Ctrl+A all; Escape none.
    await grid.locator('td[data-pos="0-0"]').click();
    await grid.locator('td[data-pos="0-4"]').click({ modifiers: ['Shift'] });
    expect((await harness(page)).selected).toEqual([1, 2, 3, 4, 5]);
    await grid.locator('td[data-pos="2-3"]').click({ modifiers: ['Control'] });
    expect((await harness(page)).selected).toEqual([1, 2, 3, 4, 5, 24]);
    expect(await grid.locator('td[aria-selected=true]').count()).toBe(6);
    await page.keyboard.press('Control+a');
    expect((await harness(page)).selected).toHaveLength(60);
    await page.keyboard.press('Escape');
    expect((await harness(page)).selected).toEqual([]);
    await page.close();
  });

  it('updates running cells in place when progress arrives', async () => {
    const page = await open('fixture=grid');
    const running = page.locator('td[data-state=running]');
    await running.first().waitFor();
    const n = await running.count();
    expect(n).toBeGreaterThan(0);
    const widths = (): Promise<string[]> =>
      running.evaluateAll((tds) =>
        tds.map(
          (td) =>
            (td.querySelector('.mini-progress > div') as unknown as { style: { width: string } })
              .style.width,
        ),
      );
    const before = await widths();
    await page.getByRole('button', { name: 'advance' }).click();
    const after = await widths();
    expect(after).not.toEqual(before);
    expect(await running.first().locator('.gcell-line').first().textContent()).toContain(
      'loss 0.500',
    );
    await page.close();
  });

  it('draws a 10,000-step curve downsampled, keeping its spike, and smooths it on request', async () => {
    const page = await open('fixture=chart&points=10000');
    const paths = page.locator('.recharts-line path.recharts-curve');
    await expect.poll(() => paths.count(), { timeout: 30_000 }).toBe(3);
    for (const d of await paths.evaluateAll((ps) => ps.map((p) => p.getAttribute('d')))) {
      const v = vertices(d);
      expect(v).toBeGreaterThan(400);
      expect(v).toBeLessThanOrEqual(800);
    }
    const topTick = async (): Promise<number> => Math.max(...(await yTicks(page)).map(Number));
    // The spike of 9.0 at step 5,000 survives LTTB: the y axis reaches it.
    expect(await topTick()).toBeGreaterThanOrEqual(9);
    await screenshot(page, 'component-chart-10k');
    await page.getByRole('button', { name: /^smoothing/ }).click();
    // Heavy smoothing flattens a one-step spike well below 9.
    await expect.poll(topTick).toBeLessThan(9);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('overlays several cells and switches to a log scale and the learning rate', async () => {
    const page = await open('fixture=chart&points=10000&curves=4');
    const paths = page.locator('.recharts-line path.recharts-curve');
    await expect.poll(() => paths.count(), { timeout: 30_000 }).toBe(12);
    expect(await page.locator('.recharts-legend-item').count()).toBe(12);
    expect(await page.locator('.recharts-legend-item').allTextContents()).toContain('cell 4 loss');
    await page.getByRole('button', { name: /^log/ }).click();
    await expect
      .poll(() => page.getByRole('button', { name: /^log/ }).textContent())
      .toBe('log true');
    await expect.poll(() => paths.count()).toBe(12);
    await page.getByRole('button', { name: 'lr only' }).click();
    await expect.poll(() => paths.count()).toBe(4);
    // Learning rates are ~1e-5: the axis switches to exponents rather than printing 0.00.
    const ticks = await yTicks(page);
    expect(ticks.some((t) => /e-/.test(t))).toBe(true);
    await page.close();
  });

  it('shows replicates one row per seed, then the mean ± sd of each PLW', async () => {
    const page = await open('fixture=grid&replicates=1');
    const grid = page.getByRole('grid', { name: 'sweep cells' });
    await grid.waitFor();
    // 3 seeds x 5 PLWs: every replicate is its own cell, still openable.
    expect(await grid.locator('td[data-cell-id]').count()).toBe(15);
    const heads = await grid.locator('tbody th[scope=row]').allTextContents();
    expect(heads.slice(0, 3).map((h) => h.replace(/\s+/g, ' '))).toEqual([
      'demo-basedemo-long · seed 1',
      'demo-basedemo-long · seed 2',
      'demo-basedemo-long · seed 3',
    ]);
    const summary = grid.locator('tr.replicate-summary');
    expect(await summary.locator('th').textContent()).toBe('mean ± sd over 3 seeds');
    const cells = await summary.locator('td').allTextContents();
    expect(cells).toHaveLength(5);
    for (const c of cells) expect(c).toMatch(/^0\.\d+ ± 0\.\d+$/);
    await page.close();
  });

  it("draws each score's 95% interval and a dashed chance line in the benchmark panels", async () => {
    const page = await open('fixture=panels');
    const panels = page.getByTestId('benchmark-panel');
    await expect.poll(() => panels.count()).toBe(3);
    const mc = panels.filter({ hasText: 'demo_mc' });
    expect(await mc.getAttribute('data-chance')).toBe('0.25');
    expect(await mc.getAttribute('data-error-bars')).toBe('yes');
    // One error bar per score, and the chance level drawn dashed and labelled.
    await expect.poll(() => mc.locator('.recharts-errorBar').count()).toBe(5);
    const line = mc.locator('.recharts-reference-line line');
    expect(await line.getAttribute('stroke-dasharray')).toBe('5 4');
    expect(await mc.textContent()).toContain('chance 0.25');
    await screenshot(page, 'component-benchmark-panels');
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });
});
