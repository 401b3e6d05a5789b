/**
 * The real lm-evaluation-harness as a sweep's evaluator: `lm_eval` (the Python test venv's,
 * 0.4.13) run offline on the cells' models, trained by the reference trainer, with local task
 * files (`dataset_path: json`) on ../shared/data's ARC-Challenge file and PIQA (its
 * valid.jsonl joined with valid-labels.lst into one JSONL, since `json` datasets read one file
 * per split). Its results become the cells' scores, exported like built-in scores; its
 * per-document log-likelihoods (`--log_samples`) agree with the built-in evaluator's
 * (`plw eval --log-samples`) on the same model and documents, and the accuracies are equal.
 *
 * Tolerance: 2e-3 absolute on each choice's summed log-likelihood, as
 * test/reference/lmeval's fixtures: both engines compute in float32 (PyTorch's logits and
 * log_softmax against the WASM backend's), over a 32,000-token vocabulary and up to ~60 tokens
 * per continuation.
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plw, plwAsync } from '../helpers/cli';
import { sharedData } from '../helpers/paths';
import { showCell, sweepFile } from '../sweeps/cli-helpers';
import { tempDir } from '../sweeps/helpers';
import {
  buildTinyLlama,
  REFERENCE_TRAINER,
  trainerArgs,
  VENV_BIN,
  VENV_PYTHON,
  venvReady,
  writeTinyDataset,
} from './fixtures';

const ready = venvReady();
const LIMIT = 6;
const TOLERANCE = 2e-3;

/** The local lm-eval tasks, named as lm-eval names them (arc_challenge, piqa). */
function writeTasks(dir: string): string {
  const arc = sharedData('benchmarks/arc/ARC-Challenge-Test.jsonl');
  const goals = readFileSync(sharedData('benchmarks/piqa/valid.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const labels = readFileSync(sharedData('benchmarks/piqa/valid-labels.lst'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const piqa = join(dir, 'piqa-valid.jsonl');
  writeFileSync(
    piqa,
    goals
      .map((l, i) => JSON.stringify({ ...(JSON.parse(l) as object), label: Number(labels[i]) }))
      .join('\n'),
  );
  const metrics = `metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
  - metric: acc_norm
    aggregation: mean
    higher_is_better: true
`;
  writeFileSync(
    join(dir, 'arc_challenge.yaml'),
    `task: arc_challenge
dataset_path: json
dataset_kwargs:
  data_files:
    test: ${arc}
output_type: multiple_choice
test_split: test
doc_to_text: "Question: {{question.stem}}\\nAnswer:"
doc_to_target: "{{(question.choices | map(attribute='label') | list).index(answerKey)}}"
doc_to_choice: "{{question.choices | map(attribute='text') | list}}"
${metrics}`,
  );
  writeFileSync(
    join(dir, 'piqa.yaml'),
    `task: piqa
dataset_path: json
dataset_kwargs:
  data_files:
    validation: ${piqa}
output_type: multiple_choice
test_split: validation
doc_to_text: "Question: {{goal}}\\nAnswer:"
doc_to_target: label
doc_to_choice: "{{[sol1, sol2]}}"
${metrics}`,
  );
  return dir;
}

/** lm-eval's samples file of `task` under `dir`: per document, each choice's log-likelihood. */
function lmEvalSamples(dir: string, task: string): { docId: number; ll: number[]; acc: number }[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.startsWith(`samples_${task}_`)) found.push(join(d, e.name));
    }
  };
  walk(dir);
  expect(found).toHaveLength(1);
  return readFileSync(found[0]!, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const s = JSON.parse(l) as {
        doc_id: number;
        filtered_resps: [string, string][];
        acc: number;
      };
      return { docId: s.doc_id, ll: s.filtered_resps.map((r) => Number(r[0])), acc: s.acc };
    })
    .sort((a, b) => a.docId - b.docId);
}

describe.skipIf(!ready)('lm-evaluation-harness as the evaluator', () => {
  it('imports lm_eval results as the cells scores; per-document log-likelihoods agree with the built-in evaluator', async () => {
    const dir = tempDir();
    const model = buildTinyLlama(join(dir, 'tiny-llama'));
    const data = writeTinyDataset(join(dir, 'data.json'));
    const tasks = writeTasks(dir);
    const db = join(dir, 'ws.db');
    const file = sweepFile(dir, {
      name: 'lm-eval',
      plw: [0, 1],
      models: [model],
      datasets: [data],
      benchmarks: [
        { task: 'arc_challenge', data: sharedData('benchmarks/arc'), shots: 0, limit: LIMIT },
        { task: 'piqa', data: sharedData('benchmarks/piqa'), limit: LIMIT },
      ],
      train: { steps: 1, batchSize: 8, lr: 1e-3, maxLength: 256 },
      trainer: {
        command: [VENV_PYTHON, REFERENCE_TRAINER, ...trainerArgs()],
      },
      evaluator: {
        command: [
          join(VENV_BIN, 'lm_eval'),
          '--model',
          'hf',
          '--model_args',
          // The built-in evaluator scores as HFLM with add_bos_token=False (test/reference/lmeval);
          // lm-eval 0.4.13 otherwise follows the tokenizer, which prepends LLaMA's BOS.
          'pretrained={out},dtype=float32,add_bos_token=False',
          '--tasks',
          '{tasks}',
          '--include_path',
          tasks,
          '--limit',
          String(LIMIT),
          '--device',
          'cpu',
          '--batch_size',
          '1',
          '--output_path',
          '{eval_out}',
          '--log_samples',
        ],
        env: {
          HF_HUB_OFFLINE: '1',
          HF_DATASETS_OFFLINE: '1',
          TRANSFORMERS_OFFLINE: '1',
          HF_HOME: join(dir, 'hf-home'),
        },
      },
    });
    const r = await plwAsync(['sweep', 'run', file, '--db', db, '--workers', '2']);
    expect(r.stderr).toMatch(/sweep finished: 2 done/);
    expect(r.code).toBe(0);
    for (const id of [1, 2]) {
      const cell = showCell(db, id) as unknown as {
        state: string;
        allScores: { benchmark: string; metric: string; value: number; stderr: number | null }[];
      };
      expect(cell.state).toBe('done');
      expect(cell.allScores.map((s) => `${s.benchmark}/${s.metric}`).sort()).toEqual([
        'arc_challenge/acc',
        'arc_challenge/acc_norm',
        'piqa/acc',
        'piqa/acc_norm',
      ]);
    }
    // The analysis' input: the export lists lm-eval's scores like built-in ones.
    const csv = plw(['export', '--db', db, '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n').filter((l) => /,(arc_challenge|piqa),/.test(l)).length).toBe(8);

    // Cell 1's model, scored by both engines on the same documents.
    const d = new Database(db, { readonly: true });
    const logs = d
      .prepare<[], { message: string }>(
        "SELECT message FROM logs WHERE cell_id = 1 AND message LIKE 'trainer done: model in %'",
      )
      .all();
    d.close();
    const out = logs[0]!.message.replace('trainer done: model in ', '');
    const evalOut = join(out, '..', 'eval');
    for (const [task, data2] of [
      ['arc_challenge', sharedData('benchmarks/arc')],
      ['piqa', sharedData('benchmarks/piqa')],
    ] as const) {
      const ours = plw([
        'eval',
        '--model',
        out,
        '--task',
        task,
        '--data',
        data2,
        '--shots',
        '0',
        '--limit',
        String(LIMIT),
        '--log-samples',
        '--json',
      ]);
      expect(ours.code).toBe(0);
      const builtin = JSON.parse(ours.stdout) as {
        metrics: { acc: number };
        samples: { loglikelihoods: number[]; pred: number; gold: number }[];
      };
      const theirs = lmEvalSamples(evalOut, task);
      expect(theirs.map((s) => s.docId)).toEqual([...Array(LIMIT).keys()]);
      expect(builtin.samples).toHaveLength(LIMIT);
      let worst = 0;
      builtin.samples.forEach((s, i) => {
        const ll = theirs[i]!.ll;
        expect(ll).toHaveLength(s.loglikelihoods.length);
        s.loglikelihoods.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - ll[j]!))));
        expect(s.pred === s.gold ? 1 : 0).toBe(theirs[i]!.acc);
      });
      expect(worst).toBeLessThan(TOLERANCE);
      const lmAcc = theirs.reduce((a, s) => a + s.acc, 0) / LIMIT;
      expect(builtin.metrics.acc).toBeCloseTo(lmAcc, 12);
    }
  }, 400_000);
});
