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
import { withMemoryStage } from '../backend/wasm-heap';
import type { CausalLM } from '../model/types';
import { AdamW, clipFactor, globalNormTensor, type AdamWConfig } from './adamw';
import type { MicroBatch } from './collate';
import { gradientsRegistered } from './gradients';
import { installLeanBackward } from './lean-tape';
import {
  addSums,
  chunkedPlwLoss,
  hostLossSums,
  lossFromSums,
  lossTargetsOf,
  plwLoss,
  ZERO_SUMS,
  type LossSums,
  type LossTargets,
} from './loss';
import { learningRate, type Schedule } from './schedule';

/** A micro-batch's targets, weights and masks on the device ([B, T] each; see loss.ts). */
export type LossInputs = LossTargets;

/**
 * The loss the trainer differentiates: `loss` = Σw·CE / Σw over the micro-batch (docs/METHOD.md "Loss"),
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
  /**
   * Gradient checkpointing with a chunked loss where the model offers it and the loss is
   * plwLoss (default on): one block's activations at a time instead of the whole graph's.
   */
  checkpointing?: boolean;
  /** Positions per loss chunk on the checkpointed path (default: 32 MB of logits). */
  lossChunkRows?: number;
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
    installLeanBackward();
    this.names = [...model.params.keys()];
    this.vars = [...model.params.values()];
    this.optimizer = new AdamW(model.params, config.adamw, config.decayFilter);
  }

  /** Updates applied so far. */
  get stepsDone(): number {
    return this.optimizer.step;
  }

  /**
   * Runs forward and backward over every micro-batch and accumulates the global batch's
   * gradient, all on the device: nothing is read back here, so a GPU backend gets the whole
   * batch queued before anything waits on it. Returns the gradients and each micro-batch's
   * per-target CE (the caller disposes both).
   */
  private accumulate(micros: readonly MicroBatch[]): {
    grads: tf.Tensor[];
    ce: tf.Tensor[];
    tokens: number;
  } {
    let weightTotal = 0;
    let tokens = 0;
    for (const mb of micros) {
      weightTotal += mb.weightSum;
      tokens += mb.tokens;
    }
    // Each parameter's gradient summed over micro-batches, added part by part as it is taken.
    const acc = new Map<string, tf.Tensor>();
    const add = (name: string, grad: tf.Tensor): void => {
      const prev = acc.get(name);
      if (prev === undefined) {
        acc.set(name, grad);
        return;
      }
      acc.set(name, tf.add(prev, grad));
      tf.dispose([prev, grad]);
    };
    const ces: tf.Tensor[] = [];
    const checkpointed = this.checkpointed();
    try {
      micros.forEach((mb, k) => {
        const stage = `the forward and backward pass of micro-batch ${k + 1} of ${micros.length} ([${mb.batch}, ${mb.length}] tokens)`;
        ces.push(
          withMemoryStage(stage, () =>
            checkpointed
              ? this.checkpointedMicroBatch(mb, weightTotal, add)
              : this.wholeMicroBatch(mb, weightTotal, add),
          ),
        );
      });
    } catch (err) {
      tf.dispose([...acc.values(), ...ces]);
      throw err;
    }
    const grads = this.names.map((name) => {
      const g = acc.get(name);
      if (g === undefined) throw new Error(`no gradient for parameter ${name}`);
      return g;
    });
    return { grads, ce: ces, tokens };
  }

  /**
   * Whether micro-batches take the memory-lean path: gradient checkpointing and a chunked loss
   * (LlamaModel.checkpointedGradients) for the PLW loss, unless `checkpointing` is off.
   */
  private checkpointed(): boolean {
    return (
      this.config.checkpointing !== false &&
      this.lossFn === plwLoss &&
      this.model.checkpointedGradients !== undefined
    );
  }

  /** One micro-batch differentiated whole (any loss); returns its per-target CE [B·T]. */
  private wholeMicroBatch(
    mb: MicroBatch,
    weightTotal: number,
    add: (name: string, grad: tf.Tensor) => void,
  ): tf.Tensor {
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
    value.dispose();
    this.vars.forEach((v, i) => add(this.names[i] as string, grads[v.name] as tf.Tensor));
    return kept[0] as tf.Tensor;
  }

  /** One micro-batch through checkpointedGradients; returns its per-target CE [B·T]. */
  private checkpointedMicroBatch(
    mb: MicroBatch,
    weightTotal: number,
    add: (name: string, grad: tf.Tensor) => void,
  ): tf.Tensor {
    const model = this.model as Required<Pick<CausalLM, 'checkpointedGradients'>>;
    const loss = chunkedPlwLoss(
      mb,
      this.model.config.vocabSize,
      weightTotal > 0 ? 1 / weightTotal : 0,
      this.config.lossChunkRows,
    );
    const ids = tf.tensor2d(mb.ids, [mb.batch, mb.length], 'int32');
    try {
      model.checkpointedGradients(ids, loss, add);
      return loss.ce.length === 1 ? (loss.ce[0] as tf.Tensor) : tf.concat(loss.ce);
    } catch (err) {
      tf.dispose(loss.ce);
      throw err;
    } finally {
      ids.dispose();
      if (loss.ce.length > 1) tf.dispose(loss.ce);
    }
  }

  /** The batch's loss figures, summed in float64 on the host from each micro-batch's CE. */
  private static async lossFigures(ce: readonly tf.Tensor[], micros: readonly MicroBatch[]) {
    const rows = await Promise.all(ce.map((t) => t.data()));
    let sums: LossSums = ZERO_SUMS;
    rows.forEach((r, i) => {
      sums = addSums(sums, hostLossSums(r as Float32Array, micros[i] as MicroBatch));
    });
    return lossFromSums(sums);
  }

  /**
   * Accumulates the global batch's gradient and returns it (one tensor per parameter, the
   * caller disposes) with the batch's loss figures. Does not touch the weights. The figures
   * are read back asynchronously (webgpu cannot read a tensor synchronously in Node).
   */
  async gradients(micros: readonly MicroBatch[]): Promise<{
    grads: tf.Tensor[];
    loss: number;
    promptLoss: number | null;
    completionLoss: number | null;
    tokens: number;
  }> {
    const { grads, ce, tokens } = this.accumulate(micros);
    try {
      // Σw·CE / Σw of the whole global batch (what the accumulated gradient differentiates).
      const figures = await Trainer.lossFigures(ce, micros);
      return { grads, ...figures, tokens };
    } catch (err) {
      tf.dispose(grads);
      throw err;
    } finally {
      tf.dispose(ce);
    }
  }

  /**
   * One optimizer update on a global batch (its micro-batches). The step's only reads from the
   * device are the figures its event carries (per-target CE and the gradient norm), awaited
   * together once forward, backward and the norm are queued.
   * @throws PlwError run_failed "loss diverged at step N" when the loss or gradient norm is
   * NaN/Inf; the weights are then left as they were before the step.
   */
  async step(micros: readonly MicroBatch[]): Promise<StepResult> {
    const step = this.optimizer.step + 1;
    const g = this.accumulate(micros);
    let normTensor: tf.Scalar | null = null;
    try {
      const gradMap = new Map(this.names.map((n, i) => [n, g.grads[i] as tf.Tensor]));
      normTensor = globalNormTensor(gradMap);
      const [figures, normData] = await Promise.all([
        Trainer.lossFigures(g.ce, micros),
        normTensor.data(),
      ]);
      const gradNorm = normData[0] as number;
      if (!Number.isFinite(figures.loss) || !Number.isFinite(gradNorm)) throw divergedError(step);
      const factor = clipFactor(gradNorm, this.config.clip);
      const lr = learningRate(this.config.schedule, step - 1);
      // Clipped one tensor at a time: never a second copy of every gradient.
      if (factor < 1) {
        g.grads.forEach((t, i) => {
          g.grads[i] = tf.mul(t, factor);
          t.dispose();
        });
      }
      const update = new Map(this.names.map((n, i) => [n, g.grads[i] as tf.Tensor]));
      withMemoryStage('the AdamW update', () => this.optimizer.apply(update, lr));
      return {
        step,
        loss: figures.loss,
        promptLoss: figures.promptLoss,
        completionLoss: figures.completionLoss,
        gradNorm,
        lr,
        tokens: g.tokens,
      };
    } finally {
      tf.dispose([...g.grads, ...g.ce]);
      normTensor?.dispose();
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
