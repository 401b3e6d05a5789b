/**
 * Cells trained by an external trainer: the shipped reference trainer
 * (resources/trainers/plw_train.py, in the Python test venv) on a tiny LlamaForCausalLM, run by
 * `plw sweep run` with real worker and trainer processes; a trainer SIGKILLed mid-cell.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plw, plwAsync } from '../helpers/cli';
import { sharedData } from '../helpers/paths';
import { alive, integrity, showCell, sweepFile, waitFor } from '../sweeps/cli-helpers';
import { tempDir } from '../sweeps/helpers';
import {
  buildTinyLlama,
  REFERENCE_TRAINER,
  trainerArgs,
  VENV_PYTHON,
  venvReady,
  writeTinyDataset,
} from './fixtures';

const ready = venvReady();
const SLOW_TRAINER = join(import.meta.dirname, 'fixtures', 'slow_trainer.py');

function setup(name: string, plws: number[], steps: number, trainer: string[]) {
  const dir = tempDir();
  const model = buildTinyLlama(join(dir, 'tiny-llama'));
  const data = writeTinyDataset(join(dir, 'data.json'));
  const file = sweepFile(dir, {
    name,
    plw: plws,
    models: [model],
    datasets: [data],
    benchmarks: [{ task: 'arc_challenge', data: sharedData('benchmarks/arc'), shots: 0, limit: 4 }],
    train: { steps, batchSize: 8, lr: 1e-3, maxLength: 256, checkpointEvery: 2 },
    trainer: { command: trainer, grace_seconds: 5 },
  });
  return { dir, model, data, file, db: join(dir, 'ws.db') };
}

function checkpoints(db: string, cell: number): number[] {
  const d = new Database(db, { readonly: true });
  try {
    return d
      .prepare<[number], { step: number }>(
        'SELECT step FROM checkpoints WHERE cell_id = ? ORDER BY step',
      )
      .all(cell)
      .map((r) => r.step);
  } finally {
    d.close();
  }
}

interface Metric {
  step: number;
  loss: number;
  promptLoss: number | null;
  completionLoss: number | null;
}

describe.skipIf(!ready)('cells trained by the reference PyTorch trainer', () => {
  it('runs a 4-cell sweep: each step once, prompt/completion curves, checkpoints, built-in scores; step 1 equals plw loss', async () => {
    const s = setup('reference-trainer', [0, 0.1, 0.5, 1], 3, [
      VENV_PYTHON,
      REFERENCE_TRAINER,
      ...trainerArgs(),
    ]);
    const r = await plwAsync(['sweep', 'run', s.file, '--db', s.db, '--workers', '2']);
    expect(r.stderr).toMatch(/sweep finished: 4 done/);
    expect(r.code).toBe(0);
    const cells = [1, 2, 3, 4].map((id) => showCell(s.db, id));
    for (const [i, cell] of cells.entries()) {
      expect(cell.state).toBe('done');
      const metrics = cell.metrics as unknown as Metric[];
      expect(metrics.map((m) => m.step)).toEqual([1, 2, 3]);
      for (const m of metrics) {
        expect(m.completionLoss).toBeGreaterThan(0);
        expect(m.promptLoss).toBeGreaterThan(0);
      }
      expect(checkpoints(s.db, i + 1)).toContain(2);
      const scores = (cell as unknown as { scores: Record<string, number> }).scores;
      expect(Object.keys(scores)).toEqual(['arc_challenge']);
    }
    // Same maths, two engines: PyTorch's step-1 loss (the whole dataset is batch 1, before any
    // update) against `plw loss` of the built-in engine on the same model, data and PLW.
    const ours = plw([
      'loss',
      '--model',
      s.model,
      '--data',
      s.data,
      '--plw',
      '0.1',
      '--max-len',
      '256',
      '--json',
    ]);
    expect(ours.code).toBe(0);
    const ref = JSON.parse(ours.stdout) as {
      loss: number;
      promptLoss: number;
      completionLoss: number;
    };
    const step1 = (cells[1]!.metrics as unknown as Metric[])[0]!;
    expect(Math.abs(step1.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    expect(Math.abs(step1.promptLoss! - ref.promptLoss) / ref.promptLoss).toBeLessThan(1e-5);
    expect(Math.abs(step1.completionLoss! - ref.completionLoss) / ref.completionLoss).toBeLessThan(
      1e-5,
    );
    expect(integrity(s.db)).toBe('ok');
  }, 300_000);

  it('retries a SIGKILLed trainer with {resume}: it continues from its checkpoint, each step once', async () => {
    const s = setup('kill-trainer', [0.1], 6, [VENV_PYTHON, SLOW_TRAINER, '1', ...trainerArgs()]);
    const run = plwAsync(['sweep', 'run', s.file, '--db', s.db]);
    // The trainer's pid once it has reported checkpoint 2 (and before step 6).
    const pid = await waitFor(
      s.db,
      (d) => {
        const c = d
          .prepare<[], { s: number | null }>('SELECT last_checkpoint_step AS s FROM cells')
          .get();
        if (c?.s == null || c.s < 2) return undefined;
        const row = d
          .prepare<[], { message: string }>(
            "SELECT message FROM logs WHERE message LIKE 'trainer (pid %' ORDER BY id DESC LIMIT 1",
          )
          .get();
        return row === undefined ? undefined : Number(/pid (\d+)/.exec(row.message)![1]);
      },
      120_000,
    );
    process.kill(pid, 'SIGKILL');
    const r = await run;
    expect(r.code).toBe(0);
    expect(alive(pid)).toBe(false);
    const cell = showCell(s.db, 1);
    expect(cell.state).toBe('done');
    expect(cell.attempts).toBe(2);
    expect(cell.metrics.map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cell.log.some((l) => /trainer was killed by SIGKILL \(attempt 1\)/.test(l))).toBe(true);
    expect(cell.log.some((l) => /trainer resumes from checkpoint [24]: /.test(l))).toBe(true);
    expect(cell.log.some((l) => /--resume","\/[^"]+step-0000000[24]"/.test(l))).toBe(true);
    expect(integrity(s.db)).toBe('ok');
  }, 300_000);
});
