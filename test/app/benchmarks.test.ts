import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchmarkStatus } from '../../src-shared/api';
import { InputError } from '../../src-shared/errors';
import { benchmarkHandlers, benchmarkLibrary } from '../../src-main/app/benchmarks';
import { Store } from '../../src-main/store/store';
import { resolveSweep } from '../../src-main/sweeps/load';
import { sharedData } from '../helpers/paths';

const byName = (tasks: BenchmarkStatus[]): Record<string, BenchmarkStatus> =>
  Object.fromEntries(tasks.map((t) => [t.name, t]));

describe('the benchmark library (Benchmarks page)', () => {
  it('finds the published files in the shared benchmarks folder, counts documents, and says what is missing', () => {
    const folder = sharedData('benchmarks');
    const t = byName(benchmarkLibrary(folder).tasks);
    expect(t.arc_challenge).toMatchObject({
      data: join(folder, 'arc/ARC-Challenge-Test.jsonl'),
      found: 1172,
      documents: 1172,
      defaultShots: 25,
      missing: null,
    });
    expect(t.arc_challenge?.files).toEqual([
      {
        name: 'ARC-Challenge-Test.jsonl',
        role: 'eval',
        path: join(folder, 'arc/ARC-Challenge-Test.jsonl'),
      },
      {
        name: 'ARC-Challenge-Train.jsonl',
        role: 'fewshot',
        path: join(folder, 'arc/ARC-Challenge-Train.jsonl'),
      },
    ]);
    expect(t.piqa).toMatchObject({
      found: 1838,
      data: join(folder, 'piqa/valid.jsonl'),
      missing: null,
    });
    expect(t.truthfulqa_mc1).toMatchObject({
      found: 817,
      data: join(folder, 'truthfulqa/data/mc_task.json'),
    });
    // WinoGrande: the largest training size present serves the shots.
    expect(t.winogrande?.files.at(-1)).toEqual({
      name: 'train_m.jsonl',
      role: 'fewshot',
      path: join(folder, 'winogrande/train_m.jsonl'),
    });
    expect(t.winogrande?.found).toBe(1267);
    expect(t['wmt16-de-en']).toMatchObject({ found: 2999, data: join(folder, 'wmt16') });
    expect(t.arc_easy).toMatchObject({
      data: null,
      missing: `put ARC-Easy-Test.jsonl and ARC-Easy-Train.jsonl in ${join(folder, 'arc')}`,
    });
    expect(t['wmt14-en-fr']?.missing).toBe(
      `put newstest2014-fren-src.en.sgm and newstest2014-fren-ref.fr.sgm in ${join(folder, 'wmt14')}`,
    );
    // What the library hands the editor passes the sweep loader's file checks.
    const def = resolveSweep(
      {
        name: 's',
        models: ['tiny-byte'],
        datasets: ['demo-long'],
        benchmarks: ['arc_challenge', 'winogrande', 'wmt16-de-en'].map((task) => ({
          task,
          data: t[task]?.data,
          limit: 3,
        })),
      },
      'sweep',
      folder,
      {
        models: ['tiny-byte'],
        datasets: { 'demo-long': sharedData('benchmarks/piqa/valid.jsonl') },
        tasks: [],
      },
    );
    expect(def.benchmarks).toHaveLength(3);
  });

  it('without a folder, or with few-shot files missing, says which file to put where', () => {
    const none = byName(benchmarkLibrary(null).tasks);
    expect(none.piqa?.missing).toBe(
      'set a benchmarks folder, then put valid.jsonl and valid-labels.lst in its piqa/ folder',
    );
    const dir = mkdtempSync(join(tmpdir(), 'plw-bench-lib-'));
    mkdirSync(join(dir, 'arc'));
    writeFileSync(join(dir, 'arc/ARC-Challenge-Test.jsonl'), '{}\n{}\n');
    const t = byName(benchmarkLibrary(dir).tasks);
    expect(t.arc_challenge).toMatchObject({
      found: 2,
      data: join(dir, 'arc/ARC-Challenge-Test.jsonl'),
      missing: `few-shot examples need ARC-Challenge-Train.jsonl in ${join(dir, 'arc')} (or use 0 shots)`,
    });
  });

  it('keeps the folder in the workspace across restarts and refuses a folder that does not exist', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'plw-bench-ws-')), 'ws.db');
    const store = new Store(db);
    const h = benchmarkHandlers({ store, baseDir: '/' });
    expect((await h['benchmarks:list']({})).folder).toBeNull();
    await h['benchmarks:set-folder']({ folder: sharedData('benchmarks') });
    expect(() => h['benchmarks:set-folder']({ folder: '/no/such/folder' })).toThrow(InputError);
    store.close();
    const again = new Store(db);
    const lib = await benchmarkHandlers({ store: again, baseDir: '/' })['benchmarks:list']({});
    expect(lib.folder).toBe(sharedData('benchmarks'));
    expect(lib.tasks.find((x) => x.name === 'piqa')?.found).toBe(1838);
    again.close();
  });
});
