/**
 * `plw sweep run|status` and `plw cell show` end to end: the real CLI, real worker processes
 * running the real trainer (tiny-byte model, a few steps) and a real SQLite file, including
 * SIGKILL of a worker and of the main process in the middle of a cell.
 */
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plw, plwAsync } from '../helpers/cli';
import { sharedData } from '../helpers/paths';
import { DEMO, integrity, smallDataset, sweepFile, TRAIN, type CellJson } from './cli-helpers';
import { tempDir } from './helpers';
import type { SweepStatus } from '../../src-main/sweeps/status';

describe('plw sweep run / status, plw cell show', () => {
  it('runs a small real sweep; a cell with a corrupt dataset fails alone; a rerun continues it', async () => {
    const dir = tempDir();
    const db = join(dir, 'ws.db');
    const good = smallDataset(dir);
    writeFileSync(join(dir, 'corrupt.json'), '[{"instruction": "a", "input": "", "output": ');
    const file = sweepFile(dir, {
      name: 'small',
      plw: [0],
      models: ['tiny-byte'],
      datasets: [good, 'corrupt.json'],
      benchmarks: [
        {
          task: 'piqa',
          data: sharedData('benchmarks', 'piqa', 'valid.jsonl'),
          limit: 2,
          fewshotSampler: 'leaderboard',
        },
      ],
      train: { ...TRAIN, steps: 2, checkpointEvery: 1 },
      seed: 7,
    });
    const run = await plwAsync(['sweep', 'run', file, '--db', db, '--workers', '1']);
    expect(run.stderr).toMatch(/sweep 1: created with 2 cells/);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/sweep finished: 1 done, 1 failed/);

    const status = plw(['sweep', 'status', '--db', db, '--json']);
    expect(status.code).toBe(0);
    const sweeps = JSON.parse(status.stdout) as SweepStatus[];
    expect(sweeps.map((s) => [s.id, s.name])).toEqual([[1, 'small']]);
    const cells = sweeps[0]!.cells;
    expect(cells.map((c) => [c.plw, c.dataset.endsWith('corrupt.json'), c.state])).toEqual([
      [0, false, 'done'],
      [0, true, 'failed'],
    ]);
    for (const c of cells.slice(0, 1)) {
      expect(Object.keys(c)).toEqual(
        expect.arrayContaining([
          'id',
          'plw',
          'model',
          'dataset',
          'state',
          'step',
          'attempts',
          'scores',
        ]),
      );
      expect(c.step).toBe(2);
      expect(c.attempts).toBe(1);
      expect(c.model).toBe('tiny-byte');
      expect(Object.keys(c.scores)).toEqual(['piqa']);
      expect(c.scores.piqa).toBeGreaterThanOrEqual(0);
      expect(c.scores.piqa).toBeLessThanOrEqual(1);
    }
    expect(cells[1]!.error).toMatch(/corrupt\.json/);
    expect(cells[1]!.attempts).toBe(1);

    const shown = plw(['cell', 'show', String(cells[0]!.id), '--db', db, '--json']);
    const cell = JSON.parse(shown.stdout) as Record<string, unknown> & CellJson;
    expect(Object.keys(cell).slice(0, 5)).toEqual(['id', 'state', 'metrics', 'scores', 'log']);
    expect(cell.metrics.map((m) => Object.keys(m).slice(0, 5))).toEqual(
      Array(2).fill(['step', 'loss', 'promptLoss', 'completionLoss', 'lr']),
    );
    expect(cell.metrics.map((m) => m.step)).toEqual([1, 2]);
    // PLW 0: the prompt weighs nothing, so the loss is the completion loss.
    const m1 = cell.metrics[0] as unknown as { loss: number; completionLoss: number };
    expect(m1.loss).toBeCloseTo(m1.completionLoss, 4);
    expect(cell.log.some((l) => /backend \w+/.test(l))).toBe(true);
    // The sweep file's few-shot sampler reached the worker, which says what it evaluated with.
    expect(cell.log.filter((l) => /piqa: /.test(l))).toEqual([
      expect.stringMatching(/ info piqa: 2 items, 0-shot, few-shot sampler leaderboard$/),
    ]);
    // Local workers: no queue worker's name; their hello names the workspace's backend, and the
    // cell's checkpoints are the ones its worker reported (the newest, as on disk).
    expect(cell.worker).toBeNull();
    const ws = new Database(db, { readonly: true });
    const said = ws.prepare('SELECT name, backend FROM workers').all();
    const checkpoints = ws
      .prepare('SELECT step, path FROM checkpoints WHERE cell_id = ?')
      .all(cells[0]!.id);
    ws.close();
    expect(said).toEqual([
      { name: 'local', backend: expect.stringMatching(/^(tensorflow|wasm-blas|wasm-xnnpack|cpu)/) },
    ]);
    expect(checkpoints).toEqual([
      { step: 2, path: join(dir, 'checkpoints', String(cells[0]!.id), 'step-000002') },
    ]);
    // Each score comes with what it can be judged by: items, chance (PIQA: 2 choices) and
    // its Wilson interval.
    const acc = (
      cell as unknown as {
        allScores: {
          metric: string;
          value: number;
          n: number;
          chance: number;
          lower: number;
          upper: number;
        }[];
      }
    ).allScores.find((s) => s.metric === 'acc')!;
    expect(acc).toMatchObject({ n: 2, chance: 0.5 });
    expect(acc.lower).toBeLessThanOrEqual(acc.value);
    expect(acc.upper).toBeGreaterThanOrEqual(acc.value);

    // Fix the dataset and run the same file again: the same sweep, only the failed cells rerun.
    writeFileSync(join(dir, 'corrupt.json'), readFileSync(good, 'utf8'));
    const again = await plwAsync(['sweep', 'run', file, '--db', db, '--workers', '1']);
    expect(again.stderr).toMatch(/sweep 1: continuing \(1 of 2 cells done\)/);
    expect(again.code).toBe(0);
    // Read back directly (each CLI start costs seconds on a loaded machine).
    const d = new Database(db, { readonly: true });
    const rows = d
      .prepare<[], { sweep: number; state: string; starts: number }>(
        `SELECT sweep_id AS sweep, state, (SELECT count(*) FROM logs WHERE cell_id = cells.id
           AND message LIKE 'attempt 1 on %') AS starts FROM cells ORDER BY id`,
      )
      .all();
    d.close();
    // One sweep still; the done cell did not run again, the fixed one ran anew.
    expect(rows).toEqual([
      { sweep: 1, state: 'done', starts: 1 },
      { sweep: 1, state: 'done', starts: 2 },
    ]);
    expect(integrity(db)).toBe('ok');
  });

  it('rejects a malformed sweep file with exit 2 and one line naming file and field', () => {
    const dir = tempDir();
    const file = sweepFile(dir, {
      name: 'bad',
      plw: [0, 2],
      models: ['tiny-byte'],
      datasets: [DEMO],
    });
    const r = plw(['sweep', 'run', file, '--db', join(dir, 'ws.db')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`plw: error: ${file}: field "plw[1]": PLW must be in [0, 1]`);
    const missing = plw(['sweep', 'status', '--db', join(dir, 'none.db')]);
    expect(missing.code).toBe(2);
  });
});
