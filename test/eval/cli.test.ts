import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plwAsync } from '../helpers/cli';
import { REPO_ROOT, sharedData } from '../helpers/paths';
import { buildFormulaCheckpoint } from '../model/formula-checkpoint';

// A tiny HF-layout LLaMA with the real LLaMA tokenizer (d 16, 2 layers): fast on the CPU
// backend, and it exercises `--model DIR` with a SentencePiece tokenizer.model.
const MODEL = buildFormulaCheckpoint(join(mkdtempSync(join(tmpdir(), 'plw-eval-cli-model-')), 'm'));

interface EvalJson {
  task: string;
  n: number;
  metrics: Record<string, number>;
  samples?: { doc: unknown; loglikelihoods: number[]; pred: number; gold: number }[];
}

describe('plw eval', () => {
  it('scores PIQA from the shared validation file, with samples in document order', async () => {
    const data = sharedData('benchmarks', 'piqa', 'valid.jsonl');
    const r = await plwAsync([
      'eval',
      '--model',
      MODEL,
      '--task',
      'piqa',
      '--data',
      data,
      '--limit',
      '2',
      '--log-samples',
      '--json',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as EvalJson;
    expect(out.task).toBe('piqa');
    expect(out.n).toBe(2);
    expect(Object.keys(out.metrics).sort()).toEqual(['acc', 'acc_norm']);
    expect(out.samples?.map((s) => s.gold)).toEqual([0, 1]); // valid-labels.lst lines 1-2
    out.samples?.forEach((s) => {
      expect(s.loglikelihoods).toHaveLength(2);
      expect(s.pred).toBe(s.loglikelihoods.indexOf(Math.max(...s.loglikelihoods)));
    });
  });

  it('scores TruthfulQA MC1 from the shared mc_task.json', async () => {
    const data = sharedData('benchmarks', 'truthfulqa', 'data', 'mc_task.json');
    const r = await plwAsync([
      'eval',
      '--model',
      MODEL,
      '--task',
      'truthfulqa_mc1',
      '--data',
      data,
      '--limit',
      '1',
      '--json',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as EvalJson;
    expect(out).toMatchObject({ task: 'truthfulqa_mc1', n: 1 });
    expect(out.samples).toBeUndefined();
  });

  it('exits 2 with one line naming file, record and field for a malformed benchmark file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plw-eval-cli-'));
    const file = join(dir, 'valid.jsonl');
    writeFileSync(
      file,
      '{"goal": "g", "sol1": "a", "sol2": "b", "label": 0}\n{"goal": "g", "sol1": 3, "sol2": "b", "label": 1}\n',
    );
    const r = await plwAsync([
      'eval',
      '--model',
      MODEL,
      '--task',
      'piqa',
      '--data',
      file,
      '--json',
      '--backend',
      'cpu',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('plw: error'));
    expect(errors).toEqual([
      `plw: error: ${file}: line 2: field "sol1": expected a string, got number 3`,
    ]);
  });

  it('exits 2 for an unknown task', async () => {
    const r = await plwAsync([
      'eval',
      '--model',
      MODEL,
      '--task',
      'hellaswag',
      '--data',
      '.',
      '--backend',
      'cpu',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown task');
    for (const name of ['arc_challenge', 'arc_easy', 'winogrande', 'wmt16-de-en', 'wmt14-fr-en'])
      expect(r.stderr).toContain(name);
  });

  it('exits 2 for an unknown few-shot sampler, naming the three there are', async () => {
    const r = await plwAsync([
      'eval',
      '--model',
      MODEL,
      '--task',
      'arc_challenge',
      '--fewshot-sampler',
      'harness-0.3',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--fewshot-sampler harness-0.3: one of lm-eval, leaderboard, seeded',
    );
  });

  it("--fewshot-sampler leaderboard evaluates the pre-0.4 harness's first documents, listed in file order", async () => {
    const r = await plwAsync([
      'eval',
      '--model',
      MODEL,
      '--task',
      'arc_challenge',
      '--data',
      sharedData('benchmarks', 'arc'),
      '--shots',
      '2',
      '--limit',
      '3',
      '--fewshot-sampler',
      'leaderboard',
      '--log-samples',
      '--json',
      '--backend',
      'cpu',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as EvalJson;
    expect(out).toMatchObject({ task: 'arc_challenge', n: 3 });
    // The first three documents of random.Random(42).shuffle over the 1,172 test questions
    // (Python's, in test/reference/fewshot/leaderboard.json), in file order.
    const fixture = JSON.parse(
      readFileSync(join(REPO_ROOT, 'test/reference/fewshot/leaderboard.json'), 'utf8'),
    ) as { arc_challenge: { order: number[] } };
    const lines = readFileSync(
      sharedData('benchmarks', 'arc', 'ARC-Challenge-Test.jsonl'),
      'utf8',
    ).split('\n');
    const ids = fixture.arc_challenge.order
      .slice(0, 3)
      .sort((a, b) => a - b)
      .map((i) => (JSON.parse(lines[i] ?? '') as { id: string }).id);
    expect(out.samples?.map((s) => (s.doc as { id: string }).id)).toEqual(ids);
  });
});
