/**
 * `runTraining(options, callbacks)`: the one entry the CLI (`plw train`) and the sweep worker
 * call to fine-tune a model with the PLW loss. Resolves the model (preset or HF directory) and
 * its tokenizer, reads and encodes the dataset, derives the step count and schedule, runs the
 * loop with checkpoints and resume, and saves the result as an HF directory in `outDir`.
 * The caller picks the compute backend (initBackend) before calling.
 */
import { join, resolve } from 'node:path';
import { UsageError } from '../../src-shared/errors';
import { checkTrainSettings, TRAIN_DEFAULTS, type TrainSettings } from '../../src-shared/sweep';
import { Rng } from '../../src-shared/random';
import { readDataset } from '../data/reader';
import { saveHfModel, type SaveOptions } from '../model/checkpoint';
import { loadModel } from '../model/load';
import { DEFAULT_ADAMW } from './adamw';
import { batchesPerEpoch, DEFAULT_WINDOW_BATCHES, paddingFraction, planEpoch } from './batching';
import { encodeExample, type EncodedExample } from './examples';
import { ensureGradients } from './gradients';
import { plwLoss } from './loss';
import { trainLoop, type StepEvent, type TrainCallbacks } from './loop';
import { describePlan, memoryLimit, planStepMemory } from './preflight';
import { warmupSteps } from './schedule';
import { wasmHeapLimit } from '../backend/wasm-heap';

export type { StepEvent, TrainCallbacks, CheckpointEvent } from './loop';

/** One fine-tuning run: what to train on, and the recipe (TrainSettings, the sweep file's `train` of docs/CLI.md "Sweeps"). */
export interface TrainOptions {
  /** Preset name or Hugging Face LlamaForCausalLM directory. */
  model: string;
  /** Instruction dataset (JSON array or JSONL). */
  data: string;
  /** Prompt loss weight in [0, 1]. */
  plw: number;
  /** Where the fine-tuned HF directory is saved. */
  outDir: string;
  /** The recipe; a field left out takes TRAIN_DEFAULTS (src-shared/sweep.ts). */
  train?: Partial<TrainSettings>;
  /** Data order (and preset weights); default TRAIN_DEFAULTS.seed. */
  seed?: number;
  /** Continue from the latest checkpoint in checkpointDir. */
  resume?: boolean;
  /** Default: `<outDir>/checkpoints`. */
  checkpointDir?: string;
  signal?: AbortSignal;
}

export interface TrainResult {
  steps: number;
  totalSteps: number;
  /** Stopped by the abort signal (a checkpoint was written; the final model was not). */
  stopped: boolean;
  resumedFrom: number;
  last: StepEvent | null;
  outDir: string;
  examples: number;
  /** Examples cut at maxLen. */
  truncated: number;
  /** Padding share of the first epoch's micro-batches. */
  paddingFraction: number;
}

/** Micro-batch size when none is given: the largest divisor of the batch up to 8 (memory). */
export function defaultMicroBatch(batchSize: number): number {
  for (let m = Math.min(8, batchSize); m > 1; m--) if (batchSize % m === 0) return m;
  return 1;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new UsageError(message);
}

export async function runTraining(
  options: TrainOptions,
  callbacks: TrainCallbacks = {},
): Promise<TrainResult> {
  const o = {
    ...options,
    ...checkTrainSettings(options.train),
    seed: options.seed ?? TRAIN_DEFAULTS.seed,
    resume: options.resume ?? false,
  };
  const microBatchSize = o.microBatchSize ?? defaultMicroBatch(o.batchSize);
  check(o.plw >= 0 && o.plw <= 1, `--plw: ${o.plw} is outside [0, 1]`);

  await ensureGradients();
  const { records } = await readDataset(o.data);
  if (records.length === 0) throw new UsageError(`${o.data}: the dataset has no records`);
  const loaded = await loadModel(o.model, { seed: o.seed });
  const { model, tokenizer } = loaded;
  try {
    if (tokenizer === null) {
      throw new UsageError(`model "${o.model}" has no tokenizer, so it cannot read text data`);
    }
    const examples: EncodedExample[] = records.map((r) => encodeExample(r, tokenizer, o.maxLength));
    // A cut sequence lost its final EOS (encode never produces the EOS id from text).
    const truncated = examples.filter((e) => e.ids[e.ids.length - 1] !== tokenizer.eosId).length;
    const perEpoch = batchesPerEpoch(examples.length, o.batchSize);
    const totalSteps = o.steps ?? Math.max(1, Math.ceil((o.epochs ?? 1) * perEpoch));
    const batching = {
      batchSize: o.batchSize,
      microBatchSize,
      shuffle: o.shuffle,
      windowBatches: DEFAULT_WINDOW_BATCHES,
    };
    const lengths = examples.map((e) => e.ids.length);
    const padding = paddingFraction(planEpoch(lengths, new Rng(o.seed), batching), lengths);
    const saveOptions: SaveOptions =
      tokenizer.kind === 'byte'
        ? { builtinTokenizer: 'byte' }
        : loaded.source === 'directory'
          ? { tokenizerFrom: loaded.name }
          : {};
    const outDir = resolve(o.outDir);
    // Before step 1: the step's peak memory, which backward pass, or a refusal.
    const memory = planStepMemory(
      model.config,
      microBatchSize,
      Math.min(o.maxLength, Math.max(...lengths)),
      memoryLimit(wasmHeapLimit()),
    );
    callbacks.onLog?.(describePlan(memory));
    const result = await trainLoop(
      model,
      plwLoss,
      examples,
      {
        plw: o.plw,
        totalSteps,
        seed: o.seed,
        batching,
        schedule: {
          kind: o.schedule,
          lr: o.lr,
          totalSteps,
          warmupSteps: warmupSteps(totalSteps, o.warmupRatio),
        },
        adamw: { ...DEFAULT_ADAMW, weightDecay: o.weightDecay },
        clip: o.clip,
        checkpointing: memory.checkpointing,
        checkpointDir: o.checkpointDir ?? join(outDir, 'checkpoints'),
        checkpointEvery: o.checkpointEvery,
        resume: o.resume,
        saveOptions,
        fingerprint: {
          model: o.model,
          data: resolve(o.data),
          examples: examples.length,
          maxLen: o.maxLength, // the key older checkpoints recorded
        },
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      },
      callbacks,
    );
    if (!result.stopped) await saveHfModel(model, outDir, saveOptions);
    return {
      steps: result.steps,
      totalSteps,
      stopped: result.stopped,
      resumedFrom: result.resumedFrom,
      last: result.last,
      outDir,
      examples: examples.length,
      truncated,
      paddingFraction: padding,
    };
  } finally {
    model.dispose();
  }
}
