/**
 * The training loop over encoded examples: epochs of bucketed batches, one Trainer step per
 * global batch, progress through callbacks (never console output), checkpoints every N steps
 * and at the end, exact resume from the latest checkpoint, and a clean stop on abort.
 *
 * Determinism: the only randomness is the data order, drawn from one Rng seeded with `seed`.
 * Each epoch's plan is made from the RNG state at the epoch's start, which the checkpoint
 * saves with the position inside the plan, so a resumed run sees the same batches in the same
 * order as an uninterrupted one.
 */
import { Rng } from '../../src-shared/random';
import { UsageError } from '../../src-shared/errors';
import type { SaveOptions } from '../model/checkpoint';
import type { CausalLM } from '../model/types';
import type { AdamWConfig } from './adamw';
import { planEpoch, type BatchingOptions, type GlobalBatch } from './batching';
import {
  applyCheckpoint,
  loadLatestCheckpoint,
  saveCheckpoint,
  type TrainState,
} from './checkpoint';
import { collate } from './collate';
import type { EncodedExample } from './examples';
import type { Schedule } from './schedule';
import { Trainer, type StepResult, type TrainLoss } from './trainer';

/** What a progress callback receives after each optimizer step. */
export interface StepEvent extends StepResult {
  totalSteps: number;
  /** Epoch (0-based) the step's batch came from. */
  epoch: number;
  /** Non-padding tokens per second of this step (forward, backward and update). */
  tokensPerSec: number;
  /** Seconds left at the recent pace. */
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface CheckpointEvent {
  step: number;
  dir: string;
}

export interface TrainCallbacks {
  onStep?(event: StepEvent): void;
  onCheckpoint?(event: CheckpointEvent): void;
  onLog?(line: string): void;
}

export interface LoopSettings {
  plw: number;
  totalSteps: number;
  seed: number;
  batching: BatchingOptions;
  schedule: Schedule;
  adamw: AdamWConfig;
  clip: number;
  /** Gradient checkpointing with a chunked loss (the preflight's choice; default on). */
  checkpointing?: boolean;
  /** Checkpoint folder; none: no checkpoints and no resume. */
  checkpointDir?: string;
  /** Save every this many steps (and always at the end); 0: only at the end. */
  checkpointEvery: number;
  resume: boolean;
  /** How checkpoints record the tokenizer (see saveHfModel). */
  saveOptions?: SaveOptions;
  /** Settings recorded in checkpoints that must match on resume (dataset, model…). */
  fingerprint?: Record<string, number | string | boolean>;
  signal?: AbortSignal;
}

export interface LoopResult {
  /** Optimizer updates done in total (including those before a resume). */
  steps: number;
  /** True when stopped by the abort signal before totalSteps. */
  stopped: boolean;
  last: StepEvent | null;
  /** Step the run resumed from (0: a fresh start). */
  resumedFrom: number;
}

/** Recent step times kept for the ETA: a window smooths out one slow step (GC, I/O). */
const ETA_WINDOW = 20;

function settingsRecord(s: LoopSettings): Record<string, number | string | boolean> {
  return {
    plw: s.plw,
    totalSteps: s.totalSteps,
    seed: s.seed,
    batchSize: s.batching.batchSize,
    microBatchSize: s.batching.microBatchSize,
    shuffle: s.batching.shuffle,
    windowBatches: s.batching.windowBatches,
    schedule: s.schedule.kind,
    lr: s.schedule.lr,
    warmupSteps: s.schedule.warmupSteps,
    weightDecay: s.adamw.weightDecay,
    clip: s.clip,
    ...s.fingerprint,
  };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function trainLoop(
  model: CausalLM,
  lossFn: TrainLoss,
  examples: readonly EncodedExample[],
  s: LoopSettings,
  callbacks: TrainCallbacks = {},
): Promise<LoopResult> {
  if (examples.length === 0) throw new UsageError('the training set is empty');
  const lengths = examples.map((e) => e.ids.length);
  const trainer = new Trainer(model, lossFn, {
    schedule: s.schedule,
    adamw: s.adamw,
    clip: s.clip,
    ...(s.checkpointing === undefined ? {} : { checkpointing: s.checkpointing }),
  });
  const settings = settingsRecord(s);
  let rng = new Rng(s.seed);
  let epoch = 0;
  let epochRngState = rng.state();
  let plan: GlobalBatch[] = planEpoch(lengths, rng, s.batching);
  let batchIndex = 0;
  let resumedFrom = 0;

  try {
    if (s.resume && s.checkpointDir !== undefined) {
      const ckpt = loadLatestCheckpoint(s.checkpointDir);
      if (ckpt === null) {
        callbacks.onLog?.(`no checkpoint in ${s.checkpointDir}: starting from step 0`);
      } else {
        for (const [key, value] of Object.entries(settings)) {
          if (ckpt.state.settings[key] !== value) {
            throw new UsageError(
              `--resume: the checkpoint in ${ckpt.dir} was made with ${key} = ${JSON.stringify(ckpt.state.settings[key])}, this run has ${JSON.stringify(value)}`,
            );
          }
        }
        applyCheckpoint(ckpt, model, trainer.optimizer);
        epoch = ckpt.state.epoch;
        epochRngState = ckpt.state.epochRngState;
        rng = new Rng(epochRngState);
        plan = planEpoch(lengths, rng, s.batching);
        batchIndex = ckpt.state.batchIndex;
        resumedFrom = ckpt.state.step;
        callbacks.onLog?.(`resumed from ${ckpt.dir} at step ${resumedFrom}`);
      }
    }

    const state = (): TrainState => ({
      step: trainer.stepsDone,
      totalSteps: s.totalSteps,
      epoch,
      batchIndex,
      epochRngState,
      settings,
    });
    const checkpoint = async () => {
      if (s.checkpointDir === undefined) return;
      const dir = await saveCheckpoint(
        s.checkpointDir,
        model,
        trainer.optimizer,
        state(),
        s.saveOptions,
      );
      callbacks.onCheckpoint?.({ step: trainer.stepsDone, dir });
    };

    const start = performance.now();
    const recent: number[] = [];
    let last: StepEvent | null = null;
    let stopped = false;
    while (trainer.stepsDone < s.totalSteps) {
      if (s.signal?.aborted) {
        stopped = true;
        break;
      }
      if (batchIndex >= plan.length) {
        epoch += 1;
        epochRngState = rng.state();
        plan = planEpoch(lengths, rng, s.batching);
        batchIndex = 0;
      }
      const batch = plan[batchIndex] as GlobalBatch;
      const micros = batch.map((idx) =>
        collate(
          idx.map((i) => examples[i] as EncodedExample),
          s.plw,
          padIdOf(model),
        ),
      );
      const t0 = performance.now();
      const result = await trainer.step(micros);
      const seconds = (performance.now() - t0) / 1000;
      batchIndex += 1;
      recent.push(seconds);
      if (recent.length > ETA_WINDOW) recent.shift();
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      last = {
        ...result,
        totalSteps: s.totalSteps,
        epoch,
        tokensPerSec: seconds > 0 ? result.tokens / seconds : 0,
        etaSeconds: mean * (s.totalSteps - trainer.stepsDone),
        elapsedSeconds: (performance.now() - start) / 1000,
      };
      callbacks.onStep?.(last);
      if (
        s.checkpointEvery > 0 &&
        trainer.stepsDone % s.checkpointEvery === 0 &&
        trainer.stepsDone < s.totalSteps
      ) {
        await checkpoint();
      }
      await yieldToEventLoop();
    }
    if (trainer.stepsDone > resumedFrom || stopped) await checkpoint();
    return { steps: trainer.stepsDone, stopped, last, resumedFrom };
  } finally {
    trainer.dispose();
  }
}

/** Padding id for inputs: the model's pad id, else EOS (LLaMA has none; never a target). */
function padIdOf(model: CausalLM): number {
  return model.config.padTokenId ?? model.config.eosTokenId;
}
