/**
 * Exports `LlamaModel`, the LLaMA architecture in tfjs-core ops from one ModelConfig (token
 * embedding, RMSNorm, rotate-half RoPE, grouped-query causal attention, SwiGLU MLP, tied or
 * untied head), `createRandomLlama` (seeded from-scratch init) and `llamaFromArrays` (weights
 * read from a checkpoint), plus `parameterShapes` (HF name → shape).
 *
 * Layout follows docs/PERF-NOTES.md "Kernel fixes" (fix 4): Q, K and V are separate projections transposed in 4D only;
 * RoPE is a matmul with a signed permutation and 1/sqrt(headDim) is folded into the query's
 * cos/sin tables; K/V are never repeated for GQA (the query heads of a group are stacked
 * along the time axis instead); masks are constants built outside differentiated code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../src-shared/errors';
import { Rng } from '../../src-shared/random';
import { headDim, validateConfig } from './config';
import { embedRows } from './embedding';
import { ropeTables, rotateHalfMatrix } from './rope';
import { softmaxLastAxis } from './softmax';
import type { CausalLM, ChunkedLoss, KvCache, ModelConfig } from './types';

/** A host-side tensor: row-major float32 data and its shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** transformers' `_init_weights` for Llama: normal(0, initializer_range = 0.02). */
const INIT_STD = 0.02;
/** Additive mask for disallowed keys; finite so fully masked rows cannot produce NaN. */
const MASKED = -1e9;

const layerName = (i: number, rest: string): string => `model.layers.${i}.${rest}`;

/** Every parameter's Hugging Face name and shape ([out, in] for projections, as in PyTorch). */
export function parameterShapes(c: ModelConfig): Map<string, number[]> {
  const hd = headDim(c);
  const d = c.hiddenSize;
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [c.vocabSize, d]);
  for (let i = 0; i < c.numHiddenLayers; i++) {
    shapes.set(layerName(i, 'input_layernorm.weight'), [d]);
    shapes.set(layerName(i, 'self_attn.q_proj.weight'), [c.numAttentionHeads * hd, d]);
    shapes.set(layerName(i, 'self_attn.k_proj.weight'), [c.numKeyValueHeads * hd, d]);
    shapes.set(layerName(i, 'self_attn.v_proj.weight'), [c.numKeyValueHeads * hd, d]);
    shapes.set(layerName(i, 'self_attn.o_proj.weight'), [d, c.numAttentionHeads * hd]);
    shapes.set(layerName(i, 'post_attention_layernorm.weight'), [d]);
    shapes.set(layerName(i, 'mlp.gate_proj.weight'), [c.intermediateSize, d]);
    shapes.set(layerName(i, 'mlp.up_proj.weight'), [c.intermediateSize, d]);
    shapes.set(layerName(i, 'mlp.down_proj.weight'), [d, c.intermediateSize]);
  }
  shapes.set('model.norm.weight', [d]);
  if (!c.tieWordEmbeddings) shapes.set('lm_head.weight', [c.vocabSize, d]);
  return shapes;
}

const isNormWeight = (name: string): boolean => name.endsWith('norm.weight');

/**
 * Additive causal mask for `length` new positions after `past` cached ones, with the query
 * rows of a GQA group stacked: row r is position r mod length. [group·length, past+length].
 */
function causalMask(length: number, past: number, group: number): tf.Tensor2D {
  const keys = past + length;
  const m = new Float32Array(group * length * keys);
  for (let r = 0; r < group * length; r++) {
    const t = r % length;
    for (let j = past + t + 1; j < keys; j++) m[r * keys + j] = MASKED;
  }
  return tf.tensor2d(m, [group * length, keys]);
}

function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor, eps: number): tf.Tensor2D {
  const meanSquare = tf.mean(tf.square(x), -1, true); // [N, 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight); // [N, D]
}

/** x·Wᵀ for a PyTorch-layout weight W [out, in]. */
function linear(x: tf.Tensor2D, w: tf.Tensor): tf.Tensor2D {
  return tf.matMul(x, w as tf.Tensor2D, false, true); // [N, out]
}

export class LlamaModel implements CausalLM {
  readonly config: ModelConfig;
  readonly params: ReadonlyMap<string, tf.Variable>;
  private readonly rotate: tf.Tensor2D;

  /** Takes ownership of `weights` (HF name → tensor, shapes as `parameterShapes`). */
  constructor(config: ModelConfig, weights: ReadonlyMap<string, tf.Tensor>) {
    validateConfig(config);
    this.config = { ...config };
    const params = new Map<string, tf.Variable>();
    for (const [name, shape] of parameterShapes(config)) {
      const w = weights.get(name);
      if (w === undefined) throw new Error(`LlamaModel: missing weight ${name}`);
      if (w.shape.join() !== shape.join()) {
        throw new Error(`LlamaModel: ${name} has shape [${w.shape}], expected [${shape}]`);
      }
      // Unnamed variables: names are global in tfjs, and two models may be alive at once.
      params.set(name, tf.variable(w, true));
      w.dispose();
    }
    this.params = params;
    this.rotate = tf.keep(rotateHalfMatrix(headDim(config)));
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (v === undefined) throw new Error(`LlamaModel: no parameter ${name}`);
    return v;
  }

  logits(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => this.forward(ids, null).logits);
  }

  logitsWithCache(
    ids: tf.Tensor2D,
    cache: KvCache | null,
    lastPositions?: number,
  ): { logits: tf.Tensor3D; cache: KvCache } {
    const out = tf.tidy(() => {
      const r = this.forward(ids, cache, lastPositions);
      return { logits: r.logits, k: r.layers.map((l) => l.k), v: r.layers.map((l) => l.v) };
    });
    const layers = out.k.map((k, i) => ({ k, v: out.v[i] as tf.Tensor4D }));
    const next: KvCache = {
      length: (cache?.length ?? 0) + ids.shape[1],
      layers,
      dispose: () => layers.forEach((l) => tf.dispose([l.k, l.v])),
    };
    return { logits: out.logits, cache: next };
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.rotate.dispose();
  }

  /** Rotary embedding of x [B·T, n·hd] → [B, T, n, hd]; cos/sin [T, 1, hd] broadcast. */
  private rope(x: tf.Tensor2D, b: number, t: number, n: number, cos: tf.Tensor, sin: tf.Tensor) {
    const hd = headDim(this.config);
    const x4 = tf.reshape(x, [b, t, n, hd]); // [B, T, n, hd]
    const rotated = tf.reshape(tf.matMul(tf.reshape(x, [b * t * n, hd]), this.rotate), [
      b,
      t,
      n,
      hd,
    ]);
    return tf.add(tf.mul(x4, cos), tf.mul(rotated, sin)) as tf.Tensor4D; // [B, T, n, hd]
  }

  /** Shapes, RoPE tables and mask of one pass over `t` new positions after `past` cached. */
  private context(b: number, t: number, past: number): PassContext {
    const c = this.config;
    const hd = headDim(c);
    const group = c.numAttentionHeads / c.numKeyValueHeads;
    const qTab = ropeTables(past, t, hd, c.ropeTheta, 1 / Math.sqrt(hd));
    const kTab = ropeTables(past, t, hd, c.ropeTheta);
    return {
      b,
      t,
      qCos: tf.reshape(qTab.cos, [t, 1, hd]), // [T, 1, hd]
      qSin: tf.reshape(qTab.sin, [t, 1, hd]),
      kCos: tf.reshape(kTab.cos, [t, 1, hd]),
      kSin: tf.reshape(kTab.sin, [t, 1, hd]),
      mask: causalMask(t, past, group), // [g·T, past+T]
    };
  }

  /** Decoder layer `i`: x [B·T, D] → x [B·T, D], with its keys and values (past included). */
  private block(
    i: number,
    xIn: tf.Tensor2D,
    ctx: PassContext,
    pastLayer: { k: tf.Tensor4D; v: tf.Tensor4D } | null,
  ): { x: tf.Tensor2D; k: tf.Tensor4D; v: tf.Tensor4D } {
    const c = this.config;
    const { b, t } = ctx;
    const hd = headDim(c);
    const heads = c.numAttentionHeads;
    const kvHeads = c.numKeyValueHeads;
    const group = heads / kvHeads;
    const w = (rest: string) => this.p(layerName(i, rest));
    let x = xIn;
    const h = rmsNorm(x, w('input_layernorm.weight'), c.rmsNormEps); // [B·T, D]
    const q = linear(h, w('self_attn.q_proj.weight')); // [B·T, H·hd]
    const k = linear(h, w('self_attn.k_proj.weight')); // [B·T, Hkv·hd]
    const v = linear(h, w('self_attn.v_proj.weight')); // [B·T, Hkv·hd]
    const qRot = this.rope(q, b, t, heads, ctx.qCos, ctx.qSin); // [B, T, H, hd], pre-scaled
    const kRot = this.rope(k, b, t, kvHeads, ctx.kCos, ctx.kSin); // [B, T, Hkv, hd]
    // Query heads h = kv·g + j of one group are contiguous: stack them along time.
    const qh = tf.reshape(tf.transpose(qRot, [0, 2, 1, 3]), [b, kvHeads, group * t, hd]); // [B, Hkv, g·T, hd]
    let kh = tf.transpose(kRot, [0, 2, 1, 3]) as tf.Tensor4D; // [B, Hkv, T, hd]
    let vh = tf.transpose(tf.reshape(v, [b, t, kvHeads, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, Hkv, T, hd]
    if (pastLayer !== null) {
      kh = tf.concat([pastLayer.k, kh], 2); // [B, Hkv, past+T, hd]
      vh = tf.concat([pastLayer.v, vh], 2);
    }
    const scores = tf.matMul(qh, kh, false, true); // [B, Hkv, g·T, past+T]
    const probs = softmaxLastAxis(scores, ctx.mask); // masked: the causal mask added inside
    const attn = tf.matMul(probs, vh); // [B, Hkv, g·T, hd]
    const heads4 = tf.transpose(tf.reshape(attn, [b, heads, t, hd]), [0, 2, 1, 3]); // [B, T, H, hd]
    const merged = tf.reshape(heads4, [b * t, heads * hd]) as tf.Tensor2D; // [B·T, H·hd]
    x = tf.add(x, linear(merged, w('self_attn.o_proj.weight'))); // [B·T, D]

    const h2 = rmsNorm(x, w('post_attention_layernorm.weight'), c.rmsNormEps); // [B·T, D]
    const gate = linear(h2, w('mlp.gate_proj.weight')); // [B·T, I]
    const up = linear(h2, w('mlp.up_proj.weight')); // [B·T, I]
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D; // SiLU(gate)·up
    x = tf.add(x, linear(act, w('mlp.down_proj.weight'))); // [B·T, D]
    return { x, k: kh, v: vh };
  }

  /** The vocabulary head's weight name ([V, D]): the embedding when tied. */
  private headName(): string {
    return this.config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  }

  private forward(
    ids: tf.Tensor2D,
    cache: KvCache | null,
    lastPositions?: number,
  ): { logits: tf.Tensor3D; layers: { k: tf.Tensor4D; v: tf.Tensor4D }[] } {
    const c = this.config;
    const [b, t] = ids.shape;
    const past = cache?.length ?? 0;
    if (cache !== null && cache.layers.length !== c.numHiddenLayers) {
      throw new Error('LlamaModel: KV cache has the wrong number of layers');
    }
    const ctx = this.context(b, t, past);
    const flatIds = tf.reshape(tf.cast(ids, 'int32'), [b * t]) as tf.Tensor1D;
    let x = embedRows(this.p('model.embed_tokens.weight') as tf.Tensor2D, flatIds); // [B·T, D]
    const layers: { k: tf.Tensor4D; v: tf.Tensor4D }[] = [];
    for (let i = 0; i < c.numHiddenLayers; i++) {
      const out = this.block(i, x, ctx, cache === null ? null : (cache.layers[i] ?? null));
      layers.push({ k: out.k, v: out.v });
      x = out.x;
    }

    // The vocabulary projection only where logits are asked for (the last `keep` positions).
    const keep = Math.max(1, Math.min(t, lastPositions ?? t));
    if (keep < t) {
      x = tf.reshape(
        tf.slice(tf.reshape(x, [b, t, c.hiddenSize]), [0, t - keep, 0], [b, keep, c.hiddenSize]),
        [b * keep, c.hiddenSize],
      ); // [B·keep, D]
    }
    const final = rmsNorm(x, this.p('model.norm.weight'), c.rmsNormEps); // [B·keep, D]
    const logits = tf.reshape(linear(final, this.p(this.headName())), [
      b,
      keep,
      c.vocabSize,
    ]) as tf.Tensor3D; // [B, keep, V]
    return { logits, layers };
  }

  /**
   * The gradient of a loss over the logits of `ids` [B, T], with gradient checkpointing and a
   * chunked head, for models too big to keep a whole backward pass in memory:
   * - forward: only each block's input [B·T, D] is kept (no tape);
   * - head: the loss is taken over chunks of `loss.chunkRows` positions, so the [B·T, V] logits
   *   and their gradient never exist whole;
   * - backward: each block is recomputed from its input and differentiated alone, so one
   *   block's activations live at a time, and every gradient is handed to `accumulate` (which
   *   takes ownership) as soon as it is taken.
   * The same sums as differentiating the whole graph at once (tested against it).
   */
  checkpointedGradients(
    ids: tf.Tensor2D,
    loss: ChunkedLoss,
    accumulate: (name: string, grad: tf.Tensor) => void,
  ): void {
    const c = this.config;
    const [b, t] = ids.shape;
    const n = b * t;
    const d = c.hiddenSize;
    const engine = tf.engine();
    const ctx = tf.tidy(
      () => this.context(b, t, 0) as unknown as tf.TensorContainer,
    ) as unknown as PassContext;
    const flatIds = tf.tidy(() => tf.reshape(tf.cast(ids, 'int32'), [n]) as tf.Tensor1D);
    const embed = this.p('model.embed_tokens.weight') as tf.Tensor2D;
    const inputs: tf.Tensor2D[] = [];
    try {
      // Forward without a tape: keep each block's input.
      let x: tf.Tensor2D = tf.gather(embed, flatIds); // [N, D]
      for (let i = 0; i < c.numHiddenLayers; i++) {
        inputs.push(x);
        const xi = x;
        x = tf.tidy(() => this.block(i, xi, ctx, null).x);
      }
      inputs.push(x);
      // Head and loss over chunks of positions: dx of the last hidden state.
      const normW = this.p('model.norm.weight');
      const headName = this.headName();
      const head = this.p(headName);
      const rows = Math.max(1, Math.min(n, loss.chunkRows));
      const dxChunks: tf.Tensor[] = [];
      const last = x;
      for (let start = 0; start < n; start += rows) {
        const count = Math.min(rows, n - start);
        const xs = rows === n ? last : tf.slice(last, [start, 0], [count, d]);
        const { value, grads } = engine.gradients(
          () => loss.chunk(linear(rmsNorm(xs, normW, c.rmsNormEps), head), start, count),
          [xs, normW, head],
          undefined,
          true,
        );
        value.dispose();
        if (xs !== last) xs.dispose();
        dxChunks.push(grads[0] as tf.Tensor);
        accumulate('model.norm.weight', grads[1] as tf.Tensor);
        accumulate(headName, grads[2] as tf.Tensor);
      }
      let dx = (dxChunks.length === 1 ? dxChunks[0] : tf.concat(dxChunks, 0)) as tf.Tensor2D;
      if (dxChunks.length > 1) tf.dispose(dxChunks);
      inputs.pop()?.dispose();
      // Backward, block by block from the top, each recomputed from its input.
      for (let i = c.numHiddenLayers - 1; i >= 0; i--) {
        const xi = inputs.pop() as tf.Tensor2D;
        const names = BLOCK_PARAMS.map((rest) => layerName(i, rest));
        const { value, grads } = engine.gradients(
          () => this.block(i, xi, ctx, null).x,
          [xi, ...names.map((name) => this.p(name))],
          dx,
          true,
        );
        value.dispose();
        dx.dispose();
        if (i > 0) xi.dispose();
        else inputs.push(xi); // the embedding rows: disposed below
        dx = grads[0] as tf.Tensor2D;
        names.forEach((name, j) => accumulate(name, grads[j + 1] as tf.Tensor));
      }
      // The embedding: dx scattered into the rows of the looked-up ids.
      const dxEmbedded = dx;
      const { value, grads } = engine.gradients(
        () => embedRows(embed, flatIds),
        [embed],
        dxEmbedded,
        true,
      );
      value.dispose();
      dxEmbedded.dispose();
      accumulate('model.embed_tokens.weight', grads[0] as tf.Tensor);
    } finally {
      tf.dispose(inputs);
      tf.dispose([flatIds, ctx.qCos, ctx.qSin, ctx.kCos, ctx.kSin, ctx.mask]);
    }
  }
}

/** The parameters of one decoder layer, in the order checkpointedGradients takes them. */
const BLOCK_PARAMS = [
  'input_layernorm.weight',
  'self_attn.q_proj.weight',
  'self_attn.k_proj.weight',
  'self_attn.v_proj.weight',
  'self_attn.o_proj.weight',
  'post_attention_layernorm.weight',
  'mlp.gate_proj.weight',
  'mlp.up_proj.weight',
  'mlp.down_proj.weight',
] as const;

interface PassContext {
  b: number;
  t: number;
  qCos: tf.Tensor;
  qSin: tf.Tensor;
  kCos: tf.Tensor;
  kSin: tf.Tensor;
  mask: tf.Tensor2D;
}

/**
 * A from-scratch model: projections and embeddings normal(0, 0.02), norms 1, drawn in
 * `parameterShapes` order from `Rng(seed)`, so the same seed gives the same weights.
 */
export function createRandomLlama(config: ModelConfig, seed: number): LlamaModel {
  validateConfig(config);
  const rng = new Rng(seed);
  const weights = new Map<string, tf.Tensor>();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, s) => a * s, 1);
    const data = new Float32Array(size);
    if (isNormWeight(name)) data.fill(1);
    else for (let j = 0; j < size; j++) data[j] = rng.normal() * INIT_STD;
    weights.set(name, tf.tensor(data, shape));
  }
  return new LlamaModel(config, weights);
}

/**
 * A model from checkpoint tensors. Every expected tensor must be present with its exact shape
 * (InputError naming `file` and the tensor otherwise); extra tensors such as an lm_head beside
 * tied embeddings or old `rotary_emb.inv_freq` buffers are ignored.
 */
export function llamaFromArrays(
  config: ModelConfig,
  arrays: ReadonlyMap<string, HostTensor>,
  file: string,
): LlamaModel {
  validateConfig(config, file);
  const shapes = parameterShapes(config);
  for (const [name, shape] of shapes) {
    const a = arrays.get(name);
    if (a === undefined)
      throw new InputError({ file, field: name }, 'tensor missing from the checkpoint');
    if (a.shape.join() !== shape.join()) {
      throw new InputError(
        { file, field: name },
        `shape [${a.shape}] does not match config.json, expected [${shape}]`,
      );
    }
  }
  const weights = new Map<string, tf.Tensor>();
  for (const [name, shape] of shapes)
    weights.set(name, tf.tensor((arrays.get(name) as HostTensor).data, shape));
  return new LlamaModel(config, weights);
}

/** Host copies of a model's parameters (HF name → data), e.g. for saving. */
export async function parametersToHost(model: CausalLM): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  for (const [name, v] of model.params) {
    out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
  }
  return out;
}
