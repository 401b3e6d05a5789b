/**
 * UI responsiveness under load: the real app in web mode (workspace service, web server, built
 * renderer) in Debian's Chromium, with 60 cells streaming progress from 60 real worker
 * processes (bench/ui/stream-worker.ts: the real protocol, progress at a fixed rate instead of
 * training) and one cell carrying a 10,000-step curve.
 *
 * Prints, for the sweep grid and for the cell view of the long curve:
 * - frame time: intervals between requestAnimationFrame callbacks (median, p95, max) and the
 *   long tasks (> 50 ms) Chromium reports on the UI thread;
 * - event→pixel latency: from the moment a step's progress event leaves its worker (its `time`,
 *   stored in SQLite) to the first frame after the DOM shows that step (grid: the cell's
 *   `data-step`; chart: the curve's last step), as median, p95 and max.
 *
 *   npm run build:web && npx tsx bench/ui/run.ts [--cells 60] [--interval 100] [--seconds 15]
 *       [--history 10000]
 *
 * Never a test: it prints figures.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { chromium, type Page } from 'playwright-core';
import { openWorkspaceService } from '../../src-main/app/service';
import { appBuiltins } from '../../src-main/sweeps/builtins';
import { startWebServer } from '../../src-main/server/web-server';
import { ForkHost } from '../../src-main/workers/fork-host';
import { DEFAULT_PLW_GRID } from '../../src-shared/sweep';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '../..');
const RENDERER = join(REPO, 'out/renderer');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const CELLS = arg('cells', 60);
const INTERVAL = arg('interval', 100);
const SECONDS = arg('seconds', 15);
const HISTORY = arg('history', 10_000);

interface Sample {
  cell: number;
  step: number;
  painted: number;
}

interface PageFigures {
  frames: number[];
  longTasks: number[];
  samples: Sample[];
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))]!;
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');

async function measure(
  page: Page,
  db: Database.Database,
  label: string,
  chartCell: number | null,
): Promise<void> {
  await page.evaluate(() =>
    (globalThis as unknown as { __bench: { reset(): void } }).__bench.reset(),
  );
  await page.waitForTimeout(SECONDS * 1000);
  const figures = await page.evaluate(
    () => (globalThis as unknown as { __bench: PageFigures }).__bench,
  );
  const sent = db.prepare<[number, number], { time: number }>(
    'SELECT time FROM metrics WHERE cell_id = ? AND step = ?',
  );
  const latencies: number[] = [];
  const seen = new Set<string>();
  for (const s of figures.samples) {
    const cell = s.cell === -1 ? chartCell : s.cell;
    if (cell === null || s.step <= 0) continue;
    const key = `${cell}:${s.step}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const row = sent.get(cell, s.step);
    if (row) latencies.push(s.painted - row.time);
  }
  const longTotal = figures.longTasks.reduce((a, b) => a + b, 0);
  console.log(
    `${label.padEnd(34)} frames ${String(figures.frames.length).padStart(5)}  ` +
      `frame ms median ${fmt(quantile(figures.frames, 0.5))} p95 ${fmt(quantile(figures.frames, 0.95))} ` +
      `max ${fmt(Math.max(...figures.frames))}  long tasks ${figures.longTasks.length} ` +
      `(${fmt(longTotal)} ms)  event→pixel ms median ${fmt(quantile(latencies, 0.5))} ` +
      `p95 ${fmt(quantile(latencies, 0.95))} max ${fmt(Math.max(...latencies))} ` +
      `(n=${latencies.length})`,
  );
}

async function main(): Promise<void> {
  if (!existsSync(join(RENDERER, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build:web` first');
  }
  const dir = mkdtempSync(join(tmpdir(), 'plw-bench-ui-'));
  const dbPath = join(dir, 'workspace.db');
  // Cell ids start at 1 in a new workspace: cell 1 carries the long curve.
  process.env.PLW_BENCH_INTERVAL = String(INTERVAL);
  process.env.PLW_BENCH_HISTORY_CELL = '1';
  process.env.PLW_BENCH_HISTORY = String(HISTORY);
  const builtins = appBuiltins();
  const service = await openWorkspaceService({
    dbPath,
    builtins,
    host: new ForkHost(join(HERE, 'stream-worker.ts')),
    workers: CELLS,
  });
  const models = builtins.models.slice(0, 3);
  const datasets = Object.keys(builtins.datasets).slice(0, 2);
  const perRow = Math.ceil(CELLS / (models.length * datasets.length));
  const { id } = await service.handlers['sweeps:create']({
    definition: {
      name: 'bench-ui',
      plw: DEFAULT_PLW_GRID.slice(0, perRow),
      models,
      datasets,
      benchmarks: [],
      train: { steps: 1_000_000 },
    },
    start: true,
  });
  const server = await startWebServer({
    handlers: service.handlers,
    events: service.events,
    staticDir: RENDERER,
    port: 0,
  });
  const browser = await chromium.launch({
    executablePath: process.env.PLW_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
  const db = new Database(dbPath, { readonly: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript({ path: join(HERE, 'probe.js') });
    await page.goto(`${server.url}#/sweep/${id}`);
    await page.locator('td[data-cell-id]').first().waitFor();
    // Wait until every cell's worker is up and streaming.
    const t0 = Date.now();
    while (Date.now() - t0 < 120_000) {
      const running = await page.locator('td[data-state=running]').count();
      if (running >= CELLS) break;
      await page.waitForTimeout(1000);
    }
    const running = await page.locator('td[data-state=running]').count();
    const rate = (CELLS * 1000) / INTERVAL;
    console.log(
      `bench/ui: ${running}/${CELLS} cells streaming, one progress event per cell every ` +
        `${INTERVAL} ms (${rate} events/s), cell 1 with a ${HISTORY.toLocaleString()}-step curve; ` +
        `${SECONDS} s per view; Chromium headless, 2 cores shared with the workers`,
    );
    await measure(page, db, `sweep grid (${CELLS} cells)`, null);
    await page.goto(`${server.url}#/cell/1`);
    await page.locator('.chart[data-last-step]').first().waitFor();
    await page.waitForTimeout(1000);
    const points = await page.getByTestId('points').textContent();
    await measure(page, db, `cell view (${points?.split(' ')[0]}-step curve)`, 1);
  } finally {
    db.close();
    await browser.close();
    await server.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
