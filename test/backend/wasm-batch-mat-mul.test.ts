import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src-shared/random';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { initBackend } from '../../src-worker/backend/index';
import {
  batchMatMulConfig,
  chooseSwapped,
} from '../../src-worker/backend/wasm-kernels/batch-mat-mul';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', threads: 1 });
});

interface Case {
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

/** a and b shapes for a matmul [..., M, K] x [..., K, N] with the given transposes. */
function shapes(
  batchA: number[],
  batchB: number[],
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): Case {
  return {
    a: [...batchA, ...(ta ? [k, m] : [m, k])],
    b: [...batchB, ...(tb ? [n, k] : [k, n])],
    ta,
    tb,
  };
}

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

function check(c: Case, seed: number, label: string): Promise<void> {
  const rng = new Rng(seed);
  const aVals = randomNormal(rng, c.a);
  const bVals = randomNormal(rng, c.b);
  return expectSameOnWasmAndCpu(
    () => {
      let a = tf.tensor(aVals, c.a);
      let b = tf.tensor(bVals, c.b);
      if (tf.getBackend() === 'cpu' && c.a.length === c.b.length) {
        // The CPU kernel broadcasts only a batch of 1 on one side: give it explicit batches.
        const batch = c.a.slice(0, -2).map((d, i) => Math.max(d, c.b[i] ?? 1));
        a = tf.broadcastTo(a, [...batch, ...c.a.slice(-2)]);
        b = tf.broadcastTo(b, [...batch, ...c.b.slice(-2)]);
      }
      return tf.matMul(a, b, c.ta, c.tb);
    },
    1e-5,
    `${label} a=[${c.a}] b=[${c.b}] ta=${c.ta} tb=${c.tb}`,
  );
}

describe('wasm BatchMatMul override', () => {
  it('is the registered wasm kernel', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm').kernelFunc).toBe(batchMatMulConfig.kernelFunc);
  });

  it('matches the CPU backend for 2D and batched products with every transpose', async () => {
    let seed = 1;
    for (const [ta, tb] of TRANSPOSES) {
      await check(shapes([], [], 7, 5, 3, ta, tb), seed++, '2D');
      await check(shapes([4], [4], 6, 9, 5, ta, tb), seed++, 'batched');
      await check(shapes([2, 3], [2, 3], 4, 8, 6, ta, tb), seed++, 'rank 4');
      await check(shapes([3], [], 5, 4, 7, ta, tb), seed++, 'weight broadcast');
      await check(shapes([], [3], 5, 4, 7, ta, tb), seed++, 'left broadcast');
      await check(shapes([2, 1], [1, 3], 3, 4, 2, ta, tb), seed++, 'two-sided broadcast');
      await check(shapes([1], [1], 1, 1, 1, ta, tb), seed++, 'scalars');
    }
  });

  it('matches the CPU backend on random shapes', async () => {
    const rng = new Rng(42);
    for (let trial = 0; trial < 25; trial++) {
      const batch = rng.int(3) === 0 ? [] : [1 + rng.int(4)];
      const bBatch = batch.length > 0 && rng.int(3) === 0 ? [] : batch;
      const [ta, tb] = TRANSPOSES[rng.int(4)] ?? [false, false];
      const c = shapes(batch, bBatch, 1 + rng.int(40), 1 + rng.int(70), 1 + rng.int(40), ta, tb);
      await check(c, 1000 + trial, `random #${trial}`);
    }
  });

  it('computes Cᵀ with A as the packed operand when that packs far fewer elements', () => {
    // Weight gradient dYᵀ·X of a layer 704 → 256 wide (down projection): pack dY, not X.
    expect(chooseSwapped(256, 2048, 704, true, false, 1, 1, 1)).toBe(true);
    // The gate/up projections' dYᵀ·X (dY wider than X): direct.
    expect(chooseSwapped(704, 2048, 256, true, false, 1, 1, 1)).toBe(false);
    // Forward x·Wᵀ over many rows, and attention's Pᵀ·dO per head: direct.
    expect(chooseSwapped(2048, 256, 704, false, true, 1, 1, 1)).toBe(false);
    expect(chooseSwapped(256, 256, 32, true, false, 64, 64, 64)).toBe(false);
    // One row (decoding) against a big transposed weight: swapped.
    expect(chooseSwapped(1, 256, 2048, false, true, 1, 1, 1)).toBe(true);
  });

  it('matches the CPU backend when the product is computed transposed (swapped operands)', async () => {
    let seed = 300;
    const cases: [Case, string][] = [
      [shapes([], [], 6, 40, 20, true, false), '2D, transposed A, N > M'],
      [shapes([], [], 4, 30, 41, false, true), '2D, transposed B, one short A'],
      [shapes([], [], 3, 50, 37, false, false), '2D, few rows'],
      [shapes([], [], 5, 33, 19, true, true), '2D, both transposed'],
      [shapes([3], [3], 5, 30, 17, true, false), 'batched'],
      [shapes([3], [], 5, 30, 17, true, false), 'weight broadcast'],
      [shapes([], [3], 2, 30, 17, false, true), 'left broadcast'],
      [shapes([2, 1], [1, 3], 3, 21, 9, true, false), 'two-sided broadcast'],
    ];
    for (const [c, label] of cases) {
      const m = c.a[c.a.length - (c.ta ? 1 : 2)] ?? 0;
      const k = c.a[c.a.length - (c.ta ? 2 : 1)] ?? 0;
      const n = c.b[c.b.length - (c.tb ? 2 : 1)] ?? 0;
      const size = (s: number[]) => s.slice(0, -2).reduce((p, q) => p * q, 1);
      const outBatch = size(
        tf.broadcast_util
          .assertAndGetBroadcastShape(c.a.slice(0, -2), c.b.slice(0, -2))
          .concat(1, 1),
      );
      expect(chooseSwapped(m, k, n, c.ta, c.tb, size(c.a), size(c.b), outBatch), label).toBe(true);
      await check(c, seed++, label);
    }
  });

  it('handles size-0 dims: empty outputs, and zeros when the inner dim is 0', async () => {
    let seed = 500;
    for (const [ta, tb] of TRANSPOSES) {
      await check(shapes([2], [2], 0, 3, 4, ta, tb), seed++, 'M=0');
      await check(shapes([2], [2], 3, 4, 0, ta, tb), seed++, 'N=0');
      await check(shapes([0], [0], 3, 4, 5, ta, tb), seed++, 'batch 0');
      await check(shapes([2], [], 3, 0, 5, ta, tb), seed++, 'K=0');
    }
  });

  it('gives the CPU gradients of an attention-like function', async () => {
    const rng = new Rng(7);
    const shape = [2, 3, 8, 4]; // [B, H, T, hd]
    const q = randomNormal(rng, shape);
    const k = randomNormal(rng, shape);
    const v = randomNormal(rng, shape);
    const w = randomNormal(rng, [4, 6]);
    await expectSameOnWasmAndCpu(
      () => {
        const f = (qt: tf.Tensor, kt: tf.Tensor, vt: tf.Tensor, wt: tf.Tensor): tf.Tensor => {
          const att = tf.softmax(tf.matMul(qt, kt, false, true)); // [B, H, T, T]
          const y = tf.matMul(att, vt); // [B, H, T, hd]
          return tf.sum(tf.square(tf.matMul(tf.reshape(y, [-1, 4]), wt))); // [B·H·T, 6] → scalar
        };
        return tf.grads(f)([
          tf.tensor(q, shape),
          tf.tensor(k, shape),
          tf.tensor(v, shape),
          tf.tensor(w, [4, 6]),
        ]);
      },
      1e-4,
      'attention grads',
    );
  });

  it('leaves no tensor or heap allocation behind', async () => {
    await tf.setBackend('wasm');
    for (const [aShape, bShape, ta] of [
      [[3, 5, 4], [3, 6, 4], false],
      [[3, 40, 2], [3, 40, 30], true], // swapped: Cᵀ then transposed back
    ] as [number[], number[], boolean][]) {
      const a = tf.ones(aShape);
      const b = tf.ones(bShape);
      const mm = () => tf.matMul(a, b, ta, !ta);
      tf.dispose(mm());
      const before = tf.memory();
      for (let i = 0; i < 5; i++) tf.dispose(mm());
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numBytes).toBe(before.numBytes);
      tf.dispose([a, b]);
    }
  });
});
