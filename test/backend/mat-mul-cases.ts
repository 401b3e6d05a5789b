import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { Rng } from '../../src-shared/random';
import { expectSameOnWasmAndCpu, randomNormal } from './compare';

/** Operands of a matmul [..., M, K] x [..., K, N], stored as the transposes ask. */
export interface Case {
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

export function shapes(
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

export const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

/** The product of random operands is the CPU backend's, within 1e-5 of the output's scale. */
export function check(c: Case, seed: number, label: string): Promise<void> {
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

/**
 * The cases every wasm BatchMatMul kernel must get right, against the CPU backend: every
 * transpose with plain, batched, broadcast and GQA batches, random shapes, size-0 dims, the
 * gradients of attention, and no leaked tensors or heap.
 */
export function matMulCaseTests(): void {
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
      // Grouped-query attention: [B, Hkv, g·T, hd] queries against [B, Hkv, T, hd] keys, and
      // the broadcast form [B, Hkv, g, T, hd] against [B, Hkv, 1, T, hd].
      await check(shapes([2, 2], [2, 2], 3 * 5, 8, 5, ta, tb), seed++, 'GQA stacked');
      await check(shapes([2, 2, 3], [2, 2, 1], 5, 8, 5, ta, tb), seed++, 'GQA broadcast');
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
      [[3, 40, 2], [3, 40, 30], true],
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
}
