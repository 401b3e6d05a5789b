/**
 * Realistic data for the component tests and bench/ui: a sweep grid of the size users run
 * (10 PLWs x 3 models x 2 datasets = 60 cells) and loss curves of 10,000 steps. Seeded, so a
 * failure reproduces.
 */
import type { AnalysisGroupView, CellState, CellSummary, MetricPoint } from '../../src-shared/api';
import { DEFAULT_PLW_GRID } from '../../src-shared/sweep';

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const GRID_MODELS = ['tiny-byte', 'perf-a', 'perf-b'];
export const GRID_DATASETS = ['demo-long', 'demo-short'];
const STATES: CellState[] = ['done', 'done', 'done', 'running', 'evaluating', 'queued', 'failed'];

/** 60 cells in the scheduler's order; cell ids start at 1; `done` cells carry two scores. */
export function gridCells(seed = 7): CellSummary[] {
  const r = rng(seed);
  const cells: CellSummary[] = [];
  let id = 1;
  for (const model of GRID_MODELS) {
    for (const dataset of GRID_DATASETS) {
      for (const plw of DEFAULT_PLW_GRID) {
        const state = STATES[Math.floor(r() * STATES.length)]!;
        const total = 1000;
        const step = state === 'queued' ? 0 : state === 'running' ? Math.floor(r() * total) : total;
        const w = plw ** 0.30103;
        cells.push({
          id,
          sweepId: 1,
          plw,
          model,
          dataset,
          seed: null,
          state,
          step,
          totalSteps: state === 'queued' ? null : total,
          loss: state === 'queued' ? null : 1.2 + r() * 0.8,
          attempts: state === 'queued' ? 0 : 1,
          etaSeconds: state === 'running' ? Math.round((total - step) * 0.4) : null,
          scores:
            state === 'done'
              ? {
                  demo_mc: 0.4 + 0.3 * w - 0.25 * w * w + r() * 0.02,
                  demo_gen: 0.2 + 0.1 * w + r() * 0.02,
                }
              : {},
          error:
            state === 'failed' ? `demo-long: line ${id}: field "output": expected a string` : null,
          worker: null,
        });
        id += 1;
      }
    }
  }
  return cells;
}

/**
 * A replicated sweep: 1 model x 1 dataset x 5 PLWs x seeds 1, 2, 3, all done, demo_mc around
 * 0.5 with seed noise of about 0.03.
 */
export function replicateCells(): CellSummary[] {
  const r = rng(3);
  const cells: CellSummary[] = [];
  for (const seed of [1, 2, 3]) {
    for (const plw of [0, 0.002236, 0.02463, 0.2463, 1]) {
      cells.push({
        id: cells.length + 1,
        sweepId: 1,
        plw,
        model: '/cache/pretrained/13d450dab2ce584e/demo-base',
        dataset: 'demo-long',
        seed,
        state: 'done',
        step: 30,
        totalSteps: 30,
        loss: 1.1,
        attempts: 1,
        etaSeconds: null,
        scores: { demo_mc: 0.5 + (r() - 0.5) * 0.1 },
        error: null,
        worker: null,
      });
    }
  }
  return cells;
}

/** One analysed group as `analysis:get` returns it: demo_mc above chance, demo_gen at it. */
export function analysisGroup(): AnalysisGroupView {
  const plws = [0, 0.002236, 0.02463, 0.2463, 1];
  const curve = (base: number, chance: number) => ({
    points: plws.map((plw, i) => {
      const score = base + 0.02 * i;
      return { plw, w: plw ** 0.30103, score, lower: score - 0.1, upper: score + 0.1 };
    }),
    fit: { intercept: base, w: 0.1, w2: -0.05 },
    chance,
  });
  return {
    label: 'dataset "demo-long"',
    dataset: 'demo-long',
    model: 'demo-base',
    n: 10,
    benchmarks: 2,
    exponent: 0.30103,
    method: 'mixed',
    reml: {
      intercept: 0.4,
      w: 0.1,
      w2: -0.05,
      se: { intercept: 0.1, w: 0.05, w2: 0.05 },
      sigma2Benchmark: 0.01,
      sigma2Residual: 0.001,
      logLik: 10,
    },
    ml: {
      intercept: 0.4,
      w: 0.1,
      w2: -0.05,
      se: { intercept: 0.1, w: 0.05, w2: 0.05 },
      sigma2Benchmark: 0.01,
      sigma2Residual: 0.001,
      logLik: 11,
    },
    lrt: { chisq: 1, df: 2, p: 0.6 },
    kr: { F: 0.41, ndf: 2, ddf: 6, scaling: 1, p: 0.68 },
    vertexW: null,
    lambda: null,
    lambdaReason: 'the fitted maximum lies beyond PLW 1',
    lambdaInterval: null,
    verdict: 'no detectable effect (p = 0.68) — 1 of 2 benchmarks is at chance',
    power: 'smallest PLW effect this sweep could detect: 0.2',
    curves: [
      { benchmark: 'demo_mc', ...curve(0.6, 0.25) },
      { benchmark: 'demo_gen', ...curve(0.05, 0) },
    ],
    aggregate: plws.map((plw) => ({ plw, w: plw ** 0.30103, score: 0.3 })),
    benchmarkStates: [
      { benchmark: 'demo_mc', excluded: false, flag: null, chance: 0.25 },
      { benchmark: 'demo_gen', excluded: false, flag: 'at_chance', chance: 0 },
    ],
    notes: ['demo_gen: at chance (0) in every cell'],
  };
}

/**
 * A training curve of `n` steps: exponential decay plus noise, prompt and completion losses,
 * warmup-then-cosine learning rate, and one loss spike of 9.0 at step n/2 (a glitch a user
 * must still see after downsampling).
 */
export function lossCurve(n: number, seed = 1): MetricPoint[] {
  const r = rng(seed);
  const points: MetricPoint[] = [];
  const warm = Math.max(1, Math.floor(n * 0.03));
  for (let step = 1; step <= n; step++) {
    const base = 0.9 + 2.2 * Math.exp(-step / (n / 6));
    const noise = (r() - 0.5) * 0.3;
    const spike = step === Math.floor(n / 2) ? 9 - base : 0;
    const lr =
      step <= warm
        ? (2e-5 * step) / warm
        : 1e-5 * (1 + Math.cos((Math.PI * (step - warm)) / (n - warm)));
    points.push({
      step,
      loss: base + noise + spike,
      promptLoss: base * 1.4 + noise,
      completionLoss: base * 0.8 + noise,
      lr,
      tokensPerSec: 4000,
      time: 1_700_000_000_000 + step * 400,
    });
  }
  return points;
}
