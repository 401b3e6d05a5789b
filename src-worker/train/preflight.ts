/**
 * The memory preflight: before step 1, estimate a training step's peak memory from the model,
 * the micro-batch and the sequence length; choose between the whole-graph backward pass (fast)
 * and gradient checkpointing with a chunked loss (lean: LlamaModel.checkpointedGradients), and
 * refuse with one message when even the lean one cannot fit.
 *
 * The estimate counts float32 tensors (4 bytes an element), N = micro-batch × sequence tokens:
 * - weights, AdamW's m and v, and the accumulated gradient: 4 × 4 bytes per parameter;
 * - activations, whole graph: what each layer's backward pass keeps (the tensors its kernels
 *   save: ~22 N·D + 5 N·I for norms, projections, RoPE, residuals and SwiGLU, plus the
 *   attention probabilities B·H·T²), for every layer, one more for the gradients in flight
 *   (lean-tape.ts frees each as soon as it is used), plus the head (logits, softmax, one-hot
 *   and their gradient: 4 N·V);
 * - activations, checkpointed: each block's input (L + 1) N·D, one layer, the loss chunk
 *   (logits' softmax, one-hot and gradient: 3 rows·V), and the embedding's gradient V·D;
 * - the larger of those and the optimizer's transient (3 copies of the largest parameter);
 * - 10% for the allocator's fragmentation, and 32 MiB for the module's own memory.
 * test/train/preflight.test.ts checks it against measured peaks (wasm heap high-water marks).
 */
import { totalmem } from 'node:os';
import { formatBytes, MEMORY_ADVICE, OutOfMemoryError } from '../backend/wasm-heap';
import { parameterCount } from '../model/presets';
import type { ModelConfig } from '../model/types';

const F32 = 4;
const FIXED_BYTES = 32 * 1024 ** 2;
const FRAGMENTATION = 1.1;
/** Logits elements per loss chunk (loss.ts CHUNK_ELEMENTS). */
const CHUNK_ELEMENTS = 8 * 1024 * 1024;
/** The whole-graph pass is used while its estimate stays under this share of the limit. */
const WHOLE_GRAPH_SHARE = 0.9;

export interface MemoryParts {
  weights: number;
  optimizer: number;
  gradients: number;
  activations: number;
}

export interface MemoryEstimate {
  bytes: number;
  parts: MemoryParts;
  checkpointing: boolean;
}

/** A training step's estimated peak (bytes) for micro-batches of `batch` × `seq` tokens. */
export function estimateStepMemory(
  c: ModelConfig,
  batch: number,
  seq: number,
  checkpointing: boolean,
): MemoryEstimate {
  const params = parameterCount(c);
  const d = c.hiddenSize;
  const i = c.intermediateSize;
  const v = c.vocabSize;
  const n = batch * seq;
  const layer = n * (22 * d + 5 * i) + batch * c.numAttentionHeads * seq * seq;
  let activations: number;
  if (checkpointing) {
    const rows = Math.max(1, Math.min(n, Math.floor(CHUNK_ELEMENTS / v)));
    activations = (c.numHiddenLayers + 1) * n * d + layer + 3 * rows * v + v * d;
  } else {
    activations = (c.numHiddenLayers + 1) * layer + 4 * n * v;
  }
  const largestParam = Math.max(v * d, i * d);
  const transient = Math.max(activations, 3 * largestParam);
  const parts: MemoryParts = {
    weights: params * F32,
    optimizer: 2 * params * F32,
    gradients: params * F32,
    activations: transient * F32,
  };
  const sum = parts.weights + parts.optimizer + parts.gradients + parts.activations;
  return { bytes: Math.ceil(sum * FRAGMENTATION) + FIXED_BYTES, parts, checkpointing };
}

export interface MemoryPlan extends MemoryEstimate {
  limit: number;
  /** What the limit is, e.g. "the WASM heap's 4.00 GiB". */
  limitName: string;
}

/**
 * The limit a step must fit: the WASM heap's (`wasmHeapLimit`, null off wasm) and the
 * machine's memory, whichever is smaller.
 */
export function memoryLimit(wasmLimit: number | null): { limit: number; limitName: string } {
  const ram = totalmem();
  if (wasmLimit !== null && wasmLimit <= ram) {
    return { limit: wasmLimit, limitName: `the WASM heap's ${formatBytes(wasmLimit)}` };
  }
  return { limit: ram, limitName: `this machine's ${formatBytes(ram)} of memory` };
}

/**
 * Chooses the backward pass for a run and checks that it fits: the whole graph when its
 * estimate stays under 90% of the limit (and `allowCheckpointing` is not forced), else
 * gradient checkpointing; throws OutOfMemoryError when that does not fit either.
 */
export function planStepMemory(
  c: ModelConfig,
  batch: number,
  seq: number,
  limits: { limit: number; limitName: string },
  checkpointing: 'auto' | boolean = 'auto',
): MemoryPlan {
  const whole = estimateStepMemory(c, batch, seq, false);
  const lean = estimateStepMemory(c, batch, seq, true);
  let chosen: MemoryEstimate;
  if (checkpointing === 'auto') {
    chosen = whole.bytes <= WHOLE_GRAPH_SHARE * limits.limit ? whole : lean;
  } else {
    chosen = checkpointing ? lean : whole;
  }
  const plan = { ...chosen, ...limits };
  if (chosen.bytes > limits.limit) {
    throw new OutOfMemoryError(
      `out of memory (preflight): a training step at micro-batch ${batch} × ${seq} tokens needs about ${describeParts(plan)}, more than ${limits.limitName}; ${MEMORY_ADVICE}. ${largestRule()}`,
    );
  }
  return plan;
}

function describeParts(e: MemoryEstimate): string {
  const p = e.parts;
  return (
    `${formatBytes(e.bytes)} (weights ${formatBytes(p.weights)}, AdamW state ${formatBytes(p.optimizer)}, ` +
    `gradients ${formatBytes(p.gradients)}, activations ${formatBytes(p.activations)}` +
    `${e.checkpointing ? ' with gradient checkpointing' : ''})`
  );
}

/** The preflight's line for the log: estimate, mode and limit. */
export function describePlan(plan: MemoryPlan): string {
  return (
    `memory: a step needs about ${describeParts(plan)} of ${plan.limitName}` +
    (plan.checkpointing
      ? '; gradient checkpointing and a chunked loss are on (the whole graph would not fit)'
      : '')
  );
}

/** README's rule, quoted by the refusal. */
export function largestRule(): string {
  return (
    'On the WASM backends a model trains when 16 bytes per parameter (weights, gradient, AdamW m and v) ' +
    'plus its checkpointed activations fit in the 4 GiB heap: about 220M parameters at micro-batch 1 × 256 tokens.'
  );
}
