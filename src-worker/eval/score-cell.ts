/**
 * The built-in evaluator of a cell: every benchmark of the sweep scores the model folder the
 * cell's training produced (the built-in trainer's, or an external trainer's `{out}`).
 */
import { PlwError } from '../../src-shared/errors';
import { scoreUncertainty } from '../../src-shared/metrics';
import type { ResolvedCell, WorkerEvent } from '../../src-shared/protocol';

export async function scoreBuiltIn(
  modelDir: string,
  spec: ResolvedCell,
  report: (event: WorkerEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  if (spec.benchmarks.length === 0) return;
  const [{ loadModel }, { evaluate }] = await Promise.all([
    import('../model/load'),
    import('./evaluate'),
  ]);
  const cellId = spec.cellId;
  const { model, tokenizer } = await loadModel(modelDir);
  try {
    if (tokenizer === null) throw new PlwError('bad_input', `${modelDir}: no tokenizer saved`);
    for (const [i, b] of spec.benchmarks.entries()) {
      if (signal.aborted) return;
      const total = spec.benchmarks.length;
      report({ type: 'progress', phase: 'evaluate', cellId, benchmark: b.task, done: i, total });
      const r = await evaluate(model, tokenizer, {
        task: b.task,
        data: b.data ?? '',
        seed: spec.evalSeed ?? spec.seed,
        ...(b.shots === undefined ? {} : { shots: b.shots }),
        ...(b.limit === undefined ? {} : { limit: b.limit }),
        ...(b.fewshotSampler === undefined ? {} : { fewshotSampler: b.fewshotSampler }),
      });
      report({
        type: 'log',
        cellId,
        level: 'info',
        message: `${b.task}: ${r.n} items, ${r.shots}-shot, few-shot sampler ${b.fewshotSampler ?? 'lm-eval'}`,
      });
      for (const [metric, value] of Object.entries(r.metrics) as [string, number][]) {
        report({
          type: 'score',
          cellId,
          benchmark: b.task,
          metric,
          value,
          ...scoreUncertainty(metric, value, r.n, r.chance, r.bootstrap?.[metric] ?? null),
        });
      }
    }
  } finally {
    model.dispose();
  }
}
