import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src-main/store/store';
import { loadSweepFile } from '../../src-main/sweeps/load';
import { SweepRepository, sweepHash } from '../../src-main/sweeps/repository';
import { InputError } from '../../src-shared/errors';
import { DEFAULT_PLW_GRID, expandCells, parseSweep, STANDARD_TASKS } from '../../src-shared/sweep';
import { allTasks } from '../../src-worker/eval/registry';
import { TEST_BUILTINS, tempDir, writeDataset } from './helpers';

const base = { name: 's', models: ['m'], datasets: ['d'] };

function problem(raw: unknown): string {
  try {
    parseSweep(raw, 'sweep.json', { builtinTasks: ['demo-qa'] });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected the sweep to be rejected');
}

describe('sweep definition', () => {
  it('fills in the defaults of docs/METHOD.md "Sweep": the PLW grid, seed 42 and the Alpaca recipe', () => {
    const def = parseSweep(base, 'sweep.json');
    expect(def.plw).toEqual(DEFAULT_PLW_GRID);
    expect(def.seed).toBe(42);
    expect(def.train).toMatchObject({
      epochs: 3,
      lr: 2e-5,
      batchSize: 128,
      maxLength: 512,
      warmupRatio: 0.03,
      schedule: 'cosine',
      weightDecay: 0,
      clip: 1,
    });
    expect(parseSweep({ ...base, train: { steps: 10, lr: 1e-3 } }, 's.json').train).toMatchObject({
      steps: 10,
      lr: 1e-3,
      batchSize: 128,
    });
  });

  it.each([
    [{ ...base, plw: [0, 1.5] }, 'sweep.json: field "plw[1]": PLW must be in [0, 1]'],
    [{ ...base, plw: [-0.1] }, 'field "plw[0]": PLW must be in [0, 1]'],
    [{ ...base, plw: [0.1, 0.5, 0.1] }, 'field "plw[2]": duplicate of entry 0'],
    [{ ...base, datasets: [] }, 'field "datasets": must not be empty'],
    [{ ...base, models: ['a', 'a'] }, 'field "models[1]": duplicate of entry 0'],
    [{ models: ['m'], datasets: ['d'] }, 'field "name": required'],
    [{ ...base, plw: 'all' }, 'field "plw": expected array'],
    [
      { ...base, benchmarks: ['hellaswag'] },
      'field "benchmarks[0]": unknown benchmark "hellaswag"',
    ],
    [{ ...base, benchmarks: ['piqa'] }, 'benchmark "piqa" needs its data file'],
    [{ ...base, benchmarks: ['demo-qa', { task: 'demo-qa' }] }, 'field "benchmarks[1]": duplicate'],
    [{ ...base, train: { lr: -1 } }, 'field "train.lr": Too small'],
    [
      { ...base, train: { steps: 10, epochs: 2 } },
      'field "train.steps": give "steps" or "epochs", not both',
    ],
    [
      { ...base, train: { batchSize: 128, microBatchSize: 3 } },
      'field "train.microBatchSize": must divide batchSize (128)',
    ],
    [{ ...base, train: { learningRate: 1 } }, 'field "train": Unrecognized key: "learningRate"'],
    [{ ...base, train: { schedule: 'linear' } }, 'field "train.schedule"'],
    [[1, 2], 'sweep.json: a sweep file must hold one JSON object'],
  ])('rejects %j naming the field', (raw, message) => {
    expect(problem(raw)).toContain(message);
  });

  it('expands model x dataset x PLW into cells, PLW fastest', () => {
    const cells = expandCells({ plw: [0, 1], models: ['a', 'b'], datasets: ['x'] });
    expect(cells).toEqual([
      { idx: 0, plw: 0, model: 'a', dataset: 'x', seed: null },
      { idx: 1, plw: 1, model: 'a', dataset: 'x', seed: null },
      { idx: 2, plw: 0, model: 'b', dataset: 'x', seed: null },
      { idx: 3, plw: 1, model: 'b', dataset: 'x', seed: null },
    ]);
  });

  it('repeats the whole grid once per replicate seed, each replicate a cell', () => {
    const def = parseSweep({ ...base, plw: [0, 1], seeds: [1, 2, 3] }, 'sweep.json');
    expect(def.seeds).toEqual([1, 2, 3]);
    const cells = expandCells(def);
    expect(cells.map((c) => [c.idx, c.plw, c.seed])).toEqual([
      [0, 0, 1],
      [1, 1, 1],
      [2, 0, 2],
      [3, 1, 2],
      [4, 0, 3],
      [5, 1, 3],
    ]);
    expect(problem({ ...base, seeds: [1, 1] })).toMatch(/field "seeds\[1\]"/);
    expect(problem({ ...base, seeds: [1.5] })).toBe(
      'sweep.json: field "seeds[0]": a seed must be a whole number',
    );
    expect(problem({ ...base, seeds: [] })).toMatch(/field "seeds": must not be empty/);
  });

  it('hashes the definition, not its key order or whitespace', () => {
    const a = parseSweep(
      { name: 's', models: ['m'], datasets: ['d'], train: { steps: 3, lr: 1 } },
      'a',
    );
    const b = parseSweep(
      { train: { lr: 1, steps: 3 }, datasets: ['d'], models: ['m'], name: 's' },
      'b',
    );
    const c = parseSweep(
      { name: 's', models: ['m'], datasets: ['d'], train: { steps: 4, lr: 1 } },
      'c',
    );
    expect(sweepHash(a)).toBe(sweepHash(b));
    expect(sweepHash(a)).not.toBe(sweepHash(c));
  });
});

describe('sweep files', () => {
  function write(dir: string, content: unknown): string {
    const file = join(dir, 'sweep.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  it('resolves paths from the sweep file folder and checks they exist', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'config.json'), '{}');
    writeDataset(dir, 'data.json');
    const file = write(dir, { name: 's', models: ['model', 'scripted'], datasets: ['data.json'] });
    const { definition } = loadSweepFile(file, TEST_BUILTINS);
    expect(definition.models).toEqual([join(dir, 'model'), 'scripted']);
    expect(definition.datasets).toEqual([join(dir, 'data.json')]);
    // A built-in dataset name stands for its file.
    const builtins = { ...TEST_BUILTINS, datasets: { demo: join(dir, 'data.json') } };
    write(dir, { name: 's', models: ['scripted'], datasets: ['demo'] });
    expect(loadSweepFile(file, builtins).definition.datasets).toEqual([join(dir, 'data.json')]);
  });

  it.each([
    ['{"name": "s", "models": [', /sweep\.json: not valid JSON/],
    [
      { name: 's', models: ['nope'], datasets: ['data.json'] },
      /field "models\[0\]": "nope" is not a built-in model \(scripted\) and no directory .*nope exists/,
    ],
    [
      { name: 's', models: ['scripted'], datasets: ['missing.json'] },
      /field "datasets\[0\]": "missing.json" is not a built-in dataset and no file .*missing\.json exists/,
    ],
    [
      {
        name: 's',
        models: ['scripted'],
        datasets: ['data.json'],
        benchmarks: [{ task: 'piqa', data: 'piqa.jsonl' }],
      },
      /field "benchmarks\[0\]\.data": no such file/,
    ],
  ])('rejects a malformed or dangling sweep file: %j', (content, message) => {
    const dir = tempDir();
    writeDataset(dir, 'data.json');
    expect(() => loadSweepFile(write(dir, content), TEST_BUILTINS)).toThrow(message);
  });

  it('running the same file again continues its sweep instead of duplicating it', () => {
    const dir = tempDir();
    writeDataset(dir, 'data.json');
    const store = new Store(join(dir, 'ws.db'));
    const repo = new SweepRepository(store);
    const file = write(dir, {
      name: 's',
      plw: [0, 1],
      models: ['scripted'],
      datasets: ['data.json'],
    });
    const first = repo.createOrContinue(loadSweepFile(file, TEST_BUILTINS).definition, file);
    // Same content, other key order and layout.
    write(
      dir,
      '{ "datasets": ["data.json"],\n "models": ["scripted"], "plw": [0, 1], "name": "s" }',
    );
    const again = repo.createOrContinue(loadSweepFile(file, TEST_BUILTINS).definition, file);
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    // A changed grid is a different sweep.
    write(dir, { name: 's', plw: [0, 0.5, 1], models: ['scripted'], datasets: ['data.json'] });
    const other = repo.createOrContinue(loadSweepFile(file, TEST_BUILTINS).definition, file);
    expect(other.created).toBe(true);
    expect(repo.sweeps().map((s) => repo.cells(s.id).length)).toEqual([2, 3]);
    store.close();
  });
});

describe("a benchmark's few-shot sampler", () => {
  it('is kept as named, absent by default, and anything else is refused with its field', () => {
    const def = parseSweep(
      {
        ...base,
        benchmarks: [{ task: 'demo-qa', fewshotSampler: 'leaderboard' }, 'demo-qa2'],
      },
      'sweep.json',
      { builtinTasks: ['demo-qa', 'demo-qa2'] },
    );
    expect(def.benchmarks).toEqual([
      { task: 'demo-qa', fewshotSampler: 'leaderboard' },
      { task: 'demo-qa2' },
    ]);
    expect(
      problem({ ...base, benchmarks: [{ task: 'demo-qa', fewshotSampler: 'seeded' }] }),
    ).toMatch(/field "benchmarks\[0\]\.fewshotSampler": .*"lm-eval".*"leaderboard"/);
  });
});

describe('the benchmarks a sweep may name', () => {
  it("are exactly the worker registry: its data-file tasks are the schema's standard tasks", () => {
    // src-shared cannot import the worker (docs/ARCHITECTURE.md "Folders"), so the schema keeps the names;
    // this keeps the two from drifting apart.
    const needData = allTasks()
      .filter((t) => t.needsData)
      .map((t) => t.name);
    expect([...STANDARD_TASKS].sort()).toEqual([...needData].sort());
  });
});
