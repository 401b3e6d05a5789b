/**
 * One optimizer step over a global batch: forward/backward per micro-batch with gradient
 * accumulation, divergence check, global-norm clipping, learning-rate schedule and AdamW.
 *
 * Accumulation: the PLW loss of the GLOBAL batch is Σw·CE / W with W = Σw over all its
 * micro-batches. A micro-batch's own loss is L_i = Σ_i w·CE / W_i, so the global loss is
 * Σ_i (W_i / W)·L_i and its gradient is the same weighted sum of micro-batch gradients. Each
 * micro-batch's loss is therefore scaled by W_i / W before differentiation, which makes the
 * accumulated gradient equal to the full-batch one (tested), whatever the micro-batch split.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PlwError } from '../../src-shared/errors';
import type { CausalLM } from '../model/types';
import { AdamW, clipFactor, globalNorm, type AdamWConfig } from './adamw';
import type { MicroBatch } from './collate';
import { gradientsRegistered } from './gradients';
import {
  addSums,
  hostLossSums,
  lossFromSums,
  lossTargetsOf,
  ZERO_SUMS,
  type LossSums,
  type LossTargets,
} from './loss';
import { learningRate, type Schedule } from './schedule';

/** A micro-batch's targets, weights and masks on the device ([B, T] each; see loss.ts). */
export type LossInputs = LossTargets;

/**
 * The loss the trainer differentiates: `loss` = Σw·CE / Σw over the micro-batch (METHOD.md),
 * plus `ce`, the CE of each target [B·T] (row-major), from which the reported loss, prompt
 * loss and completion loss are summed on the host in float64 (loss.ts, hostLossSums).
 */
export type TrainLoss = (
  logits: tf.Tensor3D,
  inputs: LossInputs,
) => { loss: tf.Scalar; ce: tf.Tensor };

export interface TrainerConfig {
  schedule: Schedule;
  adamw: AdamWConfig;
  /** Max global gradient norm; ≤ 0 turns clipping off. */
  clip: number;
  /** Parameters that get weight decay (default: all but norms and biases, as HF's Trainer). */
  decayFilter?: (name: string) => boolean;
}

/** Figures of one optimizer step. */
export interface StepResult {
  /** 1-based number of the update just applied. */
  step: number;
  /** PLW-weighted loss of the step's global batch, before the update. */
  loss: number;
  /** Mean CE over the batch's prompt targets (null when it has none). */
  promptLoss: number | null;
  /** Mean CE over the batch's completion targets (null when it has none). */
  completionLoss: number | null;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Learning rate used for this update. */
  lr: number;
  /** Non-padding tokens of the batch. */
  tokens: number;
}

/** The error a diverged run ends with (CLI exit 1). */
export function divergedError(step: number): PlwError {
  return new PlwError('run_failed', `loss diverged at step ${step}; try a lower learning rate`);
}

export class Trainer {
  readonly optimizer: AdamW;
  private readonly vars: tf.Variable[];
  private readonly names: string[];

  constructor(
    private readonly model: CausalLM,
    private readonly lossFn: TrainLoss,
    readonly config: TrainerConfig,
  ) {
    if (!gradientsRegistered()) throw new Error('Trainer: call ensureGradients() first');
    this.names = [...model.params.keys()];
    this.vars = [...model.params.values()];
    this.optimizer = new AdamW(model.params, config.adamw, config.decayFilter);
  }

  /** Updates applied so far. */
  get stepsDone(): number {
    return this.optimizer.step;
  }

  /**
   * Accumulates the global batch's gradient and returns it (one tensor per parameter, the
   * caller disposes) with the batch's loss figures. Does not touch the weights.
   */
  gradients(micros: readonly MicroBatch[]): {
    grads: tf.Tensor[];
    loss: number;
    promptLoss: number | null;
    completionLoss: number | null;
    tokens: number;
  } {
    let weightTotal = 0;
    let tokens = 0;
    for (const mb of micros) {
      weightTotal += mb.weightSum;
      tokens += mb.tokens;
    }
    let acc: tf.Tensor[] | null = null;
    let sums: LossSums = ZERO_SUMS;
    for (const mb of micros) {
      // A batch whose targets all weigh 0 (PLW 0, completions truncated away) adds nothing.
      const scale = weightTotal > 0 ? mb.weightSum / weightTotal : 0;
      const kept: tf.Tensor[] = [];
      const { value, grads } = tf.tidy(() => {
        const { ids, ...inputs } = lossTargetsOf(mb); // [B, T] each
        return tf.variableGrads(() => {
          const logits = this.model.logits(ids); // [B, T, V]
          const out = this.lossFn(logits, inputs);
          kept.push(tf.keep(out.ce));
          return tf.mul(out.loss, scale) as tf.Scalar; // []
        }, this.vars);
      });
      sums = addSums(sums, hostLossSums(kept[0]?.dataSync() as Float32Array, mb));
      tf.dispose([value, ...kept]);
      const list = this.vars.map((v) => grads[v.name] as tf.Tensor);
      if (acc === null) {
        acc = list;
      } else {
        const prev: tf.Tensor[] = acc;
        acc = prev.map((a, i) => tf.add(a, list[i] as tf.Tensor));
        tf.dispose([...prev, ...list]);
      }
    }
    const figures = lossFromSums(sums);
    return {
      grads: acc ?? [],
      // Σw·CE / Σw of the whole global batch (what the accumulated gradient differentiates).
      loss: figures.loss,
      promptLoss: figures.promptLoss,
      completionLoss: figures.completionLoss,
      tokens,
    };
  }

  /**
   * One optimizer update on a global batch (its micro-batches).
   * @throws PlwError run_failed "loss diverged at step N" when the loss or gradient norm is
   * NaN/Inf; the weights are then left as they were before the step.
   */
  step(micros: readonly MicroBatch[]): StepResult {
    const step = this.optimizer.step + 1;
    const g = this.gradients(micros);
    try {
      const gradMap = new Map(this.names.map((n, i) => [n, g.grads[i] as tf.Tensor]));
      const gradNorm = globalNorm(gradMap);
      if (!Number.isFinite(g.loss) || !Number.isFinite(gradNorm)) throw divergedError(step);
      const factor = clipFactor(gradNorm, this.config.clip);
      const lr = learningRate(this.config.schedule, step - 1);
      if (factor < 1) {
        const clipped = tf.tidy(() => g.grads.map((t) => tf.mul(t, factor)));
        try {
          this.optimizer.apply(new Map(this.names.map((n, i) => [n, clipped[i] as tf.Tensor])), lr);
        } finally {
          tf.dispose(clipped);
        }
      } else {
        this.optimizer.apply(gradMap, lr);
      }
      return {
        step,
        loss: g.loss,
        promptLoss: g.promptLoss,
        completionLoss: g.completionLoss,
        gradNorm,
        lr,
        tokens: g.tokens,
      };
    } finally {
      tf.dispose(g.grads);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
