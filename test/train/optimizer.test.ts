/**
 * AdamW, clipping and the schedules against PyTorch (test/reference/torch/trainer_ref.py →
 * trainer-fixtures.json), and the whole trainer step against the model engineer's "3 AdamW
 * steps" figures (test/reference/torch/make_fixtures.py → fixtures/reference.json).
 * Tolerances: 1e-5 relative on parameters and norms (float32 on both sides).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHfModel } from '../../src-worker/model/checkpoint';
import { AdamW, clipFactor, globalNorm } from '../../src-worker/train/adamw';
import { collate } from '../../src-worker/train/collate';
import type { EncodedExample } from '../../src-worker/train/examples';
import { plwLoss } from '../../src-worker/train/loss';
import { learningRate, warmupSteps, type ScheduleKind } from '../../src-worker/train/schedule';
import { Trainer } from '../../src-worker/train/trainer';
import { REPO_ROOT } from '../helpers/paths';
import { useNativeBackend } from '../model/fixtures';

const REF = join(REPO_ROOT, 'test/reference/torch');

interface RefRun {
  kind: ScheduleKind;
  totalSteps: number;
  warmupRatio: number;
  warmupSteps: number;
  lr: number;
  weightDecay: number;
  clip: number;
  shapes: Record<string, number[]>;
  init: Record<string, number[]>;
  steps: {
    grads: Record<string, number[]>;
    gradNorm: number;
    lr: number;
    params: Record<string, number[]>;
  }[];
}

const fixtures = JSON.parse(readFileSync(join(REF, 'trainer-fixtures.json'), 'utf8')) as {
  runs: RefRun[];
};

function expectClose(actual: ArrayLike<number>, expected: number[], rel = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    expect(Math.abs((actual[i] as number) - e)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  }
}

beforeAll(useNativeBackend); // WASM with OpenBLAS products where built

describe('optimizer path against PyTorch', () => {
  for (const run of fixtures.runs) {
    it(`AdamW + clip_grad_norm_ + ${run.kind} schedule (${run.totalSteps} steps)`, async () => {
      expect(warmupSteps(run.totalSteps, run.warmupRatio)).toBe(run.warmupSteps);
      const params = new Map(
        Object.entries(run.init).map(
          ([n, v]) => [n, tf.variable(tf.tensor(v, run.shapes[n]))] as const,
        ),
      );
      const opt = new AdamW(params, {
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: run.weightDecay,
      });
      const schedule = {
        kind: run.kind,
        lr: run.lr,
        totalSteps: run.totalSteps,
        warmupSteps: run.warmupSteps,
      };
      let clipped = 0;
      for (const [step, ref] of run.steps.entries()) {
        const grads = new Map(
          Object.entries(ref.grads).map(([n, g]) => [n, tf.tensor(g, run.shapes[n])] as const),
        );
        const norm = await globalNorm(grads);
        expect(norm).toBeCloseTo(ref.gradNorm, 4);
        const factor = clipFactor(norm, run.clip);
        if (factor < 1) clipped++;
        const lr = learningRate(schedule, step);
        expect(lr).toBeCloseTo(ref.lr, 12);
        const scaled = new Map([...grads].map(([n, g]) => [n, tf.mul(g, factor)] as const));
        opt.apply(scaled, lr);
        for (const [n, p] of params) expectClose(await p.data(), ref.params[n] as number[]);
        tf.dispose([...grads.values(), ...scaled.values()]);
      }
      expect(clipped).toBeGreaterThan(0);
      opt.dispose();
      tf.dispose([...params.values()]);
    });
  }

  it('reproduces the loss and gradient norm of 3 AdamW steps on the tiny LLaMA', async () => {
    const ref = JSON.parse(readFileSync(join(REF, 'fixtures/reference.json'), 'utf8')) as {
      padId: number;
      examples: EncodedExample[];
      adamw: {
        model: string;
        plw: number;
        lr: number;
        eps: number;
        weightDecay: number;
        clip: number;
        steps: { loss: number; gradNorm: number }[];
        lossAfter: number;
      };
    };
    const a = ref.adamw;
    const { model } = loadHfModel(join(REF, 'fixtures', a.model));
    const trainer = new Trainer(model, plwLoss, {
      schedule: { kind: 'constant', lr: a.lr, totalSteps: 3, warmupSteps: 0 },
      adamw: { beta1: 0.9, beta2: 0.999, eps: a.eps, weightDecay: a.weightDecay },
      clip: a.clip,
      decayFilter: () => true, // the fixture decays every parameter
    });
    const batch = [collate(ref.examples, a.plw, ref.padId)];
    for (const expected of a.steps) {
      const got = await trainer.step(batch);
      expect(got.loss).toBeCloseTo(expected.loss, 4);
      expect(got.gradNorm / expected.gradNorm).toBeCloseTo(1, 4);
    }
    const after = await trainer.gradients(batch);
    tf.dispose(after.grads);
    expect(after.loss).toBeCloseTo(a.lossAfter, 4);
    trainer.dispose();
    model.dispose();
  });
});
