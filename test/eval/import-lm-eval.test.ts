import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLmEvalResults } from '../../src-worker/eval/lm-eval-results';
import { plw } from '../helpers/cli';

/** The shape lm-evaluation-harness 0.4.x writes (evaluator.py: results, config.model_args). */
const V04 = {
  results: {
    arc_challenge: {
      alias: 'arc_challenge',
      'acc,none': 0.4121,
      'acc_stderr,none': 0.0144,
      'acc_norm,none': 0.4403,
      'acc_norm_stderr,none': 0.0145,
    },
    piqa: { alias: 'piqa', 'acc,none': 0.78, 'acc_stderr,none': 'N/A', 'acc_norm,none': 0.79 },
    hellaswag: { alias: 'hellaswag', 'acc,none': 0.5 },
    'wmt16-de-en': {
      alias: 'wmt16-de-en',
      'bleu,none': 21.5,
      'bleu_stderr,none': 0.7,
      'ter,none': 60.1,
      'chrf,none': 48,
    },
    winogrande: { alias: 'winogrande', 'acc,none': 0.7, 'acc,strict-match': 0.1, sample_len: 1267 },
  },
  config: {
    model: 'hf',
    model_args: 'pretrained=huggyllama/llama-7b,dtype=float16',
    batch_size: 8,
  },
};

/** lm-eval < 0.4 (v0.3 `main.py --output_path`): bare metric names, TruthfulQA as `mc1`. */
const V03 = {
  results: {
    truthfulqa_mc: { mc1: 0.25, mc1_stderr: 0.015, mc2: 0.39, mc2_stderr: 0.014 },
    winogrande: { acc: 0.7, acc_stderr: 0.013 },
  },
  config: { model: 'hf-causal', model_args: 'pretrained=EleutherAI/pythia-160m', num_fewshot: 0 },
};

describe('parseLmEvalResults', () => {
  it('maps v0.4 "metric,filter" keys to our benchmark/metric rows, stderr "N/A" as null', () => {
    const { rows, skipped } = parseLmEvalResults(V04, 'r.json');
    expect(skipped).toEqual(['hellaswag']);
    expect(rows).toEqual([
      {
        model: 'huggyllama/llama-7b',
        benchmark: 'arc_challenge',
        metric: 'acc',
        value: 0.4121,
        stderr: 0.0144,
      },
      {
        model: 'huggyllama/llama-7b',
        benchmark: 'arc_challenge',
        metric: 'acc_norm',
        value: 0.4403,
        stderr: 0.0145,
      },
      { model: 'huggyllama/llama-7b', benchmark: 'piqa', metric: 'acc', value: 0.78, stderr: null },
      {
        model: 'huggyllama/llama-7b',
        benchmark: 'piqa',
        metric: 'acc_norm',
        value: 0.79,
        stderr: null,
      },
      {
        model: 'huggyllama/llama-7b',
        benchmark: 'wmt16-de-en',
        metric: 'bleu',
        value: 21.5,
        stderr: 0.7,
      },
      {
        model: 'huggyllama/llama-7b',
        benchmark: 'winogrande',
        metric: 'acc',
        value: 0.7,
        stderr: null,
      },
    ]);
  });

  it('reads older files: bare metric names and truthfulqa_mc → truthfulqa_mc1 acc', () => {
    const { rows } = parseLmEvalResults(V03, 'old.json');
    expect(rows).toEqual([
      {
        model: 'EleutherAI/pythia-160m',
        benchmark: 'truthfulqa_mc1',
        metric: 'acc',
        value: 0.25,
        stderr: 0.015,
      },
      {
        model: 'EleutherAI/pythia-160m',
        benchmark: 'winogrande',
        metric: 'acc',
        value: 0.7,
        stderr: 0.013,
      },
    ]);
  });

  it('rejects a file that is not an lm-eval results document, naming the field', () => {
    expect(() => parseLmEvalResults({ foo: 1 }, 'x.json')).toThrow('x.json: field "results"');
    expect(() =>
      parseLmEvalResults({ results: { piqa: { 'acc,none': 'high' } } }, 'y.json'),
    ).toThrow('y.json: results.piqa: field "acc,none"');
  });
});

describe('plw import-lm-eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plw-import-'));
  const a = join(dir, 'results_a.json');
  const b = join(dir, 'results_b.json');
  writeFileSync(a, JSON.stringify(V04));
  writeFileSync(b, JSON.stringify(V03));

  it('prints the rows of several files as one JSON array', () => {
    const r = plw(['import-lm-eval', a, b, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { model: string; benchmark: string; file: string }[];
    expect(rows).toHaveLength(8);
    expect(rows[7]).toMatchObject({
      model: 'EleutherAI/pythia-160m',
      benchmark: 'winogrande',
      file: b,
    });
    expect(r.stderr).toContain('hellaswag');
  });

  it('exits 2 with one line naming a broken file', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"results": ');
    const r = plw(['import-lm-eval', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(bad);
  });
});
