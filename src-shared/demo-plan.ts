/**
 * What the demo runs, in figures read from its sweep file (resources/demo/demo-sweep.json) and
 * the catalogue, for the text that describes it (the home page): never restated by hand, so
 * the text follows the file when its settings change.
 */
import { MODEL_PRESETS, PRETRAIN_DEFAULTS } from './catalogue';

export interface DemoPlan {
  plw: number[];
  datasets: string[];
  /** Each benchmark with its item limit (null: every item). */
  benchmarks: { task: string; limit: number | null }[];
  /** Fine-tuning steps and learning rate per cell. */
  steps: number;
  lr: number;
  seeds: number;
  /** The base model: its preset, parameter count and pre-training steps. */
  preset: string;
  parameters: number;
  pretrainSteps: number;
}

/** The demo's figures from its parsed sweep file (the fields the demo's file uses). */
export function demoPlan(sweep: {
  plw: readonly number[];
  datasets: readonly string[];
  benchmarks: readonly (string | { task: string; limit?: number })[];
  train: { steps?: number; lr?: number };
  seeds?: readonly number[];
}): DemoPlan {
  const preset = MODEL_PRESETS.find((p) => p.name === PRETRAIN_DEFAULTS.preset);
  if (preset === undefined) throw new Error(`no preset ${PRETRAIN_DEFAULTS.preset}`);
  return {
    plw: [...sweep.plw],
    datasets: [...sweep.datasets],
    benchmarks: sweep.benchmarks.map((b) =>
      typeof b === 'string' ? { task: b, limit: null } : { task: b.task, limit: b.limit ?? null },
    ),
    steps: sweep.train.steps ?? 0,
    lr: sweep.train.lr ?? 0,
    seeds: sweep.seeds?.length ?? 1,
    preset: preset.name,
    parameters: preset.parameters,
    pretrainSteps: PRETRAIN_DEFAULTS.steps,
  };
}

/** A parameter count in words: 771584 → "0.77M". */
export function formatParameters(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toPrecision(2)}B` : `${(n / 1e6).toPrecision(2)}M`;
}
