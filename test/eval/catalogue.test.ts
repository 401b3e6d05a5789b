import { describe, expect, it } from 'vitest';
import {
  BENCHMARKS,
  DEMO_DATASETS,
  DEMO_TASKS,
  MODEL_PRESETS,
  unknownTaskMessage,
} from '../../src-shared/catalogue';
import { parseSweep } from '../../src-shared/sweep';
import { DEMO_FILE_NAMES } from '../../src-worker/data/demo/index';
import { allTasks, findTask } from '../../src-worker/eval/registry';
import { parameterCount, PRESETS } from '../../src-worker/model/presets';
import { appBuiltins } from '../../src-main/sweeps/builtins';
import { sharedData } from '../helpers/paths';

describe('the catalogue of built-ins (src-shared/catalogue.ts)', () => {
  it('lists exactly the tasks the worker implements, with their kinds and default shots', () => {
    const implemented = allTasks().map((t) => [t.name, t.kind, t.defaultShots]);
    const listed = [
      ...BENCHMARKS.map((b) => [b.name, b.kind, b.defaultShots]),
      ...DEMO_TASKS.map((t) => [t.name, t.kind, 0]),
    ];
    expect(implemented.sort()).toEqual(listed.sort());
    expect(BENCHMARKS.map((b) => b.name)).toEqual([
      'arc_challenge',
      'arc_easy',
      'piqa',
      'truthfulqa_mc1',
      'winogrande',
      'wmt16-de-en',
      'wmt16-en-de',
      'wmt14-en-fr',
      'wmt14-fr-en',
    ]);
  });

  it('names the presets the worker builds and the demo files the generator writes', () => {
    expect(PRESETS.map((p) => [p.name, p.description, p.tokenizer])).toEqual(
      MODEL_PRESETS.map((p) => [p.name, p.description, p.tokenizer]),
    );
    // The parameter counts the home page quotes are those of the configs the worker builds.
    expect(PRESETS.map((p) => parameterCount(p.config))).toEqual(
      MODEL_PRESETS.map((p) => p.parameters),
    );
    for (const d of DEMO_DATASETS) expect(DEMO_FILE_NAMES).toContain(d.file);
    const builtins = appBuiltins();
    expect(builtins.models).toEqual(['tiny-byte', 'perf-a', 'perf-b']);
    expect(Object.keys(builtins.datasets)).toEqual(['demo-long', 'demo-short']);
    expect(builtins.datasets['demo-long']).toMatch(/resources\/demo\/demo-long\.jsonl$/);
    expect(builtins.tasks).toEqual(['demo_mc', 'demo_gen']);
  });

  it('resolves older spellings to the lm-eval name, and an unknown name lists the known ones', () => {
    expect(findTask('arc-challenge').name).toBe('arc_challenge');
    expect(findTask('wmt16_de_en').name).toBe('wmt16-de-en');
    expect(findTask('truthfulqa').name).toBe('truthfulqa_mc1');
    expect(() => findTask('hellaswag')).toThrow(unknownTaskMessage('hellaswag'));
    expect(unknownTaskMessage('x')).toContain('arc_easy, piqa, truthfulqa_mc1, winogrande');
    const def = parseSweep(
      {
        name: 's',
        models: ['tiny-byte'],
        datasets: ['demo-long'],
        benchmarks: [{ task: 'arc-challenge', data: 'arc' }],
      },
      'sweep.json',
    );
    expect(def.benchmarks[0]?.task).toBe('arc_challenge');
  });

  it("gives the published files' document counts (checked on the shared files)", async () => {
    const counts: Record<string, number> = {};
    const data: Record<string, string> = {
      arc_challenge: 'benchmarks/arc',
      piqa: 'benchmarks/piqa/valid.jsonl',
      truthfulqa_mc1: 'benchmarks/truthfulqa/data/mc_task.json',
      winogrande: 'benchmarks/winogrande/dev.jsonl',
      'wmt16-de-en': 'benchmarks/wmt16',
      'wmt16-en-de': 'benchmarks/wmt16',
    };
    for (const [task, path] of Object.entries(data)) {
      const built = await findTask(task).build({ data: sharedData(path), seed: 0, shots: 0 });
      counts[task] = built.instances.length;
    }
    expect(counts).toEqual(
      Object.fromEntries(
        Object.keys(data).map((t) => [t, BENCHMARKS.find((b) => b.name === t)?.documents]),
      ),
    );
  });
});
