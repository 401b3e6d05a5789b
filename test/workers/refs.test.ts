/**
 * CellSpec references: what main builds for its own workers and for queue workers
 * (src-main/workers/refs.ts), and how a worker resolves them on its host (src-worker/refs.ts).
 * Real files in a temp folder; the hash is the one `plw sweep run --queue` records.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellSpec, WorkerSite } from '../../src-shared/protocol';
import { checkpointsRoot } from '../../src-main/store/paths';
import {
  localCheckpoint,
  localModel,
  sharedCheckpoint,
  sharedRefs,
} from '../../src-main/workers/refs';
import { allowRoots, sha256OfPath } from '../../src-worker/files';
import { resolveCell } from '../../src-worker/refs';

const sha256 = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

function files(): { dir: string; data: string; model: string; bench: string } {
  const dir = mkdtempSync(join(tmpdir(), 'plw-refs-'));
  const data = join(dir, 'data.jsonl');
  writeFileSync(data, '{"instruction":"a","input":"","output":"b"}\n');
  const model = join(dir, 'model');
  mkdirSync(join(model, 'sub'), { recursive: true });
  writeFileSync(join(model, 'config.json'), '{}');
  writeFileSync(join(model, 'sub', 'w.bin'), 'weights');
  const bench = join(dir, 'bench.jsonl');
  writeFileSync(bench, '{}\n');
  return { dir, data, model, bench };
}

function spec(over: Partial<CellSpec>): CellSpec {
  return {
    cellId: 7,
    sweepId: 2,
    model: { builtin: 'tiny-byte' },
    dataset: { builtin: 'demo-long' },
    plw: 0.5,
    seed: 1,
    train: {} as CellSpec['train'],
    benchmarks: [],
    checkpoint: localCheckpoint(7),
    resumeStep: null,
    attempt: 1,
    ...over,
  };
}

describe('CellSpec references', () => {
  it('resolve for the app own workers to the paths local mode always used', () => {
    const f = files();
    const db = join(f.dir, 'ws.db');
    const site: WorkerSite = {
      name: 'local',
      artifacts: checkpointsRoot(db),
      allow: null,
      datasets: {},
      models: null,
    };
    const cell = resolveCell(
      spec({
        model: localModel(f.model),
        dataset: { path: f.data },
        benchmarks: [
          { task: 'piqa', data: { path: f.bench }, shots: 0, fewshotSampler: 'leaderboard' },
        ],
      }),
      site,
    );
    expect(cell.model).toBe(f.model);
    expect(cell.dataset).toBe(f.data);
    expect(cell.benchmarks).toEqual([
      { task: 'piqa', data: f.bench, shots: 0, fewshotSampler: 'leaderboard' },
    ]);
    expect(cell.checkpointDir).toBe(join(f.dir, 'checkpoints', '7'));
    // A preset name stays a name; any name passes (the app validated the sweep).
    const named = spec({ model: localModel('scripted'), dataset: { path: f.data } });
    expect(resolveCell(named, site).model).toBe('scripted');
  });

  it('are shared as built-in names or paths with the sha256 a worker checks', async () => {
    const f = files();
    const demo = join(f.dir, 'demo-long.jsonl');
    writeFileSync(demo, '{}\n');
    const builtins = { models: ['tiny-byte'], datasets: { 'demo-long': demo }, tasks: [] };
    const shared = await sharedRefs(
      spec({
        model: localModel(f.model),
        dataset: { path: demo },
        benchmarks: [{ task: 'piqa', data: { path: f.bench }, limit: 3 }],
      }),
      builtins,
      sha256OfPath,
    );
    expect(shared.model).toEqual({ path: f.model, sha256: sha256OfPath(f.model) });
    expect(shared.dataset).toEqual({ builtin: 'demo-long' });
    expect(shared.benchmarks).toEqual([
      { task: 'piqa', data: { path: f.bench, sha256: sha256(f.bench) }, limit: 3 },
    ]);
    // A model folder's hash is the hash of its files' `name sha256` lines, sorted.
    const lines = ['config.json', 'sub/w.bin']
      .map((n) => `${n} ${sha256(join(f.model, n))}\n`)
      .join('');
    expect(sha256OfPath(f.model)).toBe(createHash('sha256').update(lines).digest('hex'));

    // On another host: the demo name maps to that host's own copy, the checkpoint to --artifacts.
    const theirs = join(f.dir, 'their-demo.jsonl');
    const site: WorkerSite = {
      name: 'gpu1',
      artifacts: join(f.dir, 'artifacts'),
      allow: allowRoots([f.dir]),
      datasets: { 'demo-long': theirs },
      models: ['tiny-byte'],
    };
    const cell = resolveCell(
      spec({ ...shared, checkpoint: sharedCheckpoint('ab'.repeat(8), 7) }),
      site,
    );
    expect(cell.model).toBe(f.model);
    expect(cell.dataset).toBe(theirs);
    expect(cell.benchmarks[0]!.data).toBe(f.bench);
    expect(cell.checkpointDir).toBe(join(f.dir, 'artifacts', 'ab'.repeat(8), 'cell-7'));
  });

  it('that do not resolve fail with one message naming the worker, the path and the sha256', () => {
    const f = files();
    const site: WorkerSite = {
      name: 'gpu1',
      artifacts: join(f.dir, 'artifacts'),
      allow: allowRoots([f.dir]),
      datasets: {},
      models: ['tiny-byte'],
    };
    const recorded = sha256(f.data);
    const run = (over: Partial<CellSpec>) => () => resolveCell(spec(over), site);

    writeFileSync(f.data, 'changed');
    expect(run({ dataset: { path: f.data, sha256: recorded } })).toThrow(
      `worker gpu1: ${f.data} differs from the app's copy (sha256 ${sha256(f.data)}, expected sha256 ${recorded})`,
    );
    rmSync(f.data);
    expect(run({ dataset: { path: f.data, sha256: recorded } })).toThrow(
      `worker gpu1: ${f.data} is missing on this host (expected sha256 ${recorded})`,
    );
    expect(run({ dataset: { path: '/etc/hostname', sha256: recorded } })).toThrow(
      /^worker gpu1: refused \/etc\/hostname: outside the folders it may read/,
    );
    expect(run({ dataset: { path: f.bench } })).toThrow(
      `worker gpu1: ${f.bench} comes without its sha256`,
    );
    expect(run({ model: { builtin: 'huge' } })).toThrow(
      'worker gpu1: no built-in model named "huge"',
    );
    expect(run({ dataset: { builtin: 'demo-long' } })).toThrow(
      'worker gpu1: no built-in dataset named "demo-long"',
    );
    const bench = { path: f.bench, sha256: sha256(f.bench) };
    expect(run({ dataset: bench, checkpoint: { artifact: '../elsewhere' } })).toThrow(
      /^worker gpu1: refused artifact "\.\.\/elsewhere": outside its artifacts folder/,
    );
  });
});
