import { MetricsSink } from '../../src-main/events/metrics-sink';
import { Store } from '../../src-main/store/store';
import { SweepRepository } from '../../src-main/sweeps/repository';
import { parseSweep } from '../../src-shared/sweep';

/**
 * A workspace database holding one finished sweep, written through the real store and sink:
 * 2 datasets x 4 PLWs x 2 benchmarks, scores with a quadratic trend in w plus noise.
 */
export function workspaceWithScores(dbPath: string): { sweepId: number } {
  const store = new Store(dbPath);
  try {
    const repo = new SweepRepository(store);
    const def = parseSweep(
      {
        name: 'scored',
        plw: [0, 0.01, 0.1, 1],
        models: ['tiny-byte'],
        datasets: ['/data/long.jsonl', '/data/short.jsonl'],
        benchmarks: ['demo_mc', 'demo_gen'],
        train: { steps: 5 },
      },
      'sweep.json',
      { builtinTasks: ['demo_mc', 'demo_gen'] },
    );
    const { id } = repo.createOrContinue(def, null);
    const sink = new MetricsSink(store);
    const noise = [0.013, -0.008, 0.004, -0.011, 0.009, -0.002, 0.006, -0.007];
    repo.cells(id).forEach((cell, i) => {
      const w = cell.plw ** 0.30103;
      ['demo_mc', 'demo_gen'].forEach((benchmark, b) => {
        sink.push({
          type: 'score',
          cellId: cell.id,
          benchmark,
          metric: 'acc',
          value: 0.4 + 0.2 * b + 0.3 * w - 0.25 * w * w + (noise[(i + 3 * b) % 8] ?? 0),
          stderr: 0.02,
        });
      });
    });
    sink.flush();
    sink.close();
    store.db.prepare("UPDATE cells SET state = 'done'").run();
    return { sweepId: id };
  } finally {
    store.close();
  }
}
