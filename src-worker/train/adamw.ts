/**
 * AdamW with decoupled weight decay, step for step as torch.optim.AdamW (defaults: not
 * amsgrad, not maximize): p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε). Epsilon sits outside the square root,
 * after the bias correction of v, as in PyTorch. Its state (m, v, t) is saved in checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedAdamWAvailable, PLW_ADAMW, type PlwAdamWAttrs } from '../backend/wasm-kernels/adamw';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** The recipe of docs/METHOD.md "Sweep" (torch defaults betas (0.9, 0.999), eps 1e-8; Alpaca's weight decay 0). */
export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

/**
 * Whether a parameter gets weight decay. Like the Hugging Face Trainer, norms and biases are
 * exempt: decaying a norm's gain towards 0 shrinks activations rather than regularising.
 */
export function decays(name: string): boolean {
  return !/norm/i.test(name) && !name.endsWith('.bias');
}

/** Host copy of the optimizer state, for checkpoints. */
export interface AdamWState {
  step: number;
  m: Map<string, tf.Tensor>;
  v: Map<string, tf.Tensor>;
}

export class AdamW {
  /** Number of updates applied so far (torch's `state['step']`). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly config: AdamWConfig = DEFAULT_ADAMW,
    /** Which parameters weight decay applies to (default: all but norms and biases). */
    private readonly decayFilter: (name: string) => boolean = decays,
  ) {
    tf.tidy(() => {
      for (const [name, p] of params) {
        this.m.set(name, tf.variable(tf.zerosLike(p), false));
        this.v.set(name, tf.variable(tf.zerosLike(p), false));
      }
    });
  }

  /** Applies one update with learning rate `lr`. `grads` holds one tensor per parameter. */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { beta1, beta2, eps, weightDecay } = this.config;
    const bc1 = 1 - beta1 ** this.step;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.step);
    // On wasm one fused kernel per parameter does the whole update (same float32 operations).
    const fused = fusedAdamWAvailable();
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (g === undefined) throw new Error(`no gradient for parameter ${name}`);
        const m = this.m.get(name) as tf.Variable;
        const v = this.v.get(name) as tf.Variable;
        const decay = weightDecay !== 0 && this.decayFilter(name) ? 1 - lr * weightDecay : 1;
        if (fused) {
          const attrs: PlwAdamWAttrs = { beta1, beta2, eps, decay, stepSize: lr / bc1, bc2Sqrt };
          const [pNew, mNew, vNew] = tf
            .engine()
            .runKernel(
              PLW_ADAMW,
              { p, g, m, v },
              attrs as unknown as tf.NamedAttrMap,
            ) as tf.Tensor[];
          m.assign(mNew as tf.Tensor);
          v.assign(vNew as tf.Tensor);
          p.assign(pNew as tf.Tensor);
          continue;
        }
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)); // like p
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)); // like p
        m.assign(mNew);
        v.assign(vNew);
        const decayed = decay !== 1 ? tf.mul(p, decay) : p;
        const denom = tf.add(tf.div(tf.sqrt(vNew), bc2Sqrt), eps);
        p.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), lr / bc1)));
      }
    });
  }

  /** Copies of m and v (the caller disposes them), for a checkpoint. */
  state(): AdamWState {
    const copy = (src: Map<string, tf.Variable>) =>
      new Map([...src].map(([k, t]) => [k, tf.clone(t)] as [string, tf.Tensor]));
    return { step: this.step, m: copy(this.m), v: copy(this.v) };
  }

  /**
   * Restores a saved state. Every parameter needs an m and v of its shape.
   * @throws Error naming the first missing or misshapen entry.
   */
  load(state: AdamWState): void {
    for (const [name, p] of this.params) {
      for (const [label, src, dst] of [
        ['m', state.m, this.m],
        ['v', state.v, this.v],
      ] as const) {
        const t = src.get(name);
        if (t === undefined || !tf.util.arraysEqual(t.shape, p.shape)) {
          throw new Error(`optimizer state ${label}: ${name} missing or of the wrong shape`);
        }
        (dst.get(name) as tf.Variable).assign(t);
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/**
 * Global L2 norm of all gradients (as torch.nn.utils.clip_grad_norm_ computes it), left on the
 * device: a scalar tensor the caller reads (asynchronously) and disposes. The squared sums are
 * folded with one add at a time, in parameter order, rather than one AddN: an AddN kernel binds
 * one buffer per input, which on webgpu runs past the device's storage-buffer limit for a model's
 * gradient list. On the CPU backends the fold adds in the same order AddN does.
 */
export function globalNormTensor(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar | null = null;
    for (const g of grads.values()) {
      // Its own scope: each g² is freed at once, never all of them (a second copy of the
      // gradients: 600 MB on a 156M-parameter model).
      const sq = tf.tidy(() => tf.sum(tf.square(g))) as tf.Scalar;
      total = total === null ? sq : tf.add(total, sq);
    }
    return tf.sqrt(total ?? tf.scalar(0));
  });
}

/** Global L2 norm of all gradients, read back without blocking (webgpu has no sync readback). */
export async function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): Promise<number> {
  const norm = globalNormTensor(grads);
  try {
    return (await norm.data())[0] as number;
  } finally {
    norm.dispose();
  }
}

/**
 * The factor clip_grad_norm_ multiplies gradients by: min(1, maxNorm / (norm + 1e-6)).
 * maxNorm ≤ 0 means no clipping.
 */
export function clipFactor(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}
