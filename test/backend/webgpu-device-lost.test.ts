/**
 * A lost GPU device (here a real one: the device destroyed mid-run, which Dawn reports through
 * `device.lost` as "destroyed") fails the training run with a clear message instead of
 * training on garbage, and a retry on a new device resumes from the last checkpoint with the
 * figures of an uninterrupted run. A retried sweep cell is a new worker process with a new
 * device; here the new device is started in the same process. Also: the worker hello carries
 * the adapter.
 */
import './webgpu-env';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerHelloSchema } from '../../src-shared/protocol';
import { workerHello } from '../../src-worker/backend/index';
import { loseWebGpuDevice, startWebGpu } from '../../src-worker/backend/webgpu';
import { DEFAULT_ADAMW } from '../../src-worker/train/adamw';
import { trainLoop, type LoopSettings, type StepEvent } from '../../src-worker/train/loop';
import { plwLoss } from '../../src-worker/train/loss';
import { useWebGpuBackend } from '../model/fixtures';
import { shortExamples, tinyModel } from '../train/helpers';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'plw-webgpu-lost-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

beforeAll(useWebGpuBackend);

const examples = shortExamples(4);
const settings = (checkpointDir: string, resume = false): LoopSettings => ({
  plw: 0.5,
  totalSteps: 3,
  seed: 3,
  batching: { batchSize: 2, microBatchSize: 2, shuffle: false, windowBatches: 1 },
  schedule: { kind: 'constant', lr: 1e-2, totalSteps: 3, warmupSteps: 0 },
  adamw: DEFAULT_ADAMW,
  clip: 1.0,
  checkpointDir,
  checkpointEvery: 1,
  resume,
  saveOptions: { builtinTokenizer: 'byte' },
});

async function run(s: LoopSettings, loseAt?: number): Promise<StepEvent[]> {
  const model = tinyModel(8);
  const events: StepEvent[] = [];
  try {
    await trainLoop(model, plwLoss, examples, s, {
      onStep: (e) => {
        events.push(e);
        if (e.step === loseAt) loseWebGpuDevice();
      },
    });
  } finally {
    model.dispose();
  }
  return events;
}

describe('webgpu device loss', () => {
  it('the hello names the adapter and its limits', async () => {
    const { initBackend } = await import('../../src-worker/backend/index');
    const hello = workerHelloSchema.parse(workerHello('w', await initBackend()));
    expect(hello.backend.name).toBe('webgpu');
    expect(hello.backend.gpu).toMatchObject({ vendor: 'google', architecture: 'swiftshader' });
    expect(hello.backend.gpu?.software).toMatch(/software adapter/);
    expect(hello.backend.gpu?.maxBufferSize).toBe(2 ** 30);
  });

  it('fails the run with a clear message; a new device resumes from the last checkpoint', async () => {
    const full = await run(settings(tempDir()));
    expect(full.map((e) => e.step)).toEqual([1, 2, 3]);

    const dir = tempDir();
    let error: unknown;
    await run(settings(dir), 2).catch((err: unknown) => (error = err));
    expect((error as Error).message).toMatch(
      /^the GPU device was lost \(destroyed: .*\); the run stops here: retrying the cell resumes from its last checkpoint$/,
    );

    await startWebGpu(true); // the retry's new device
    expect(tf.getBackend()).toBe('webgpu');
    const resumed = await run(settings(dir, true));
    const firstResumed = resumed[0]?.step as number;
    expect(firstResumed).toBeGreaterThanOrEqual(2); // step 1's checkpoint at least survived
    expect(resumed.map((e) => e.step).at(-1)).toBe(3);
    for (const e of resumed) {
      const ref = full[e.step - 1] as StepEvent;
      expect(Math.abs(e.loss - ref.loss), `step ${e.step}`).toBeLessThanOrEqual(1e-5 * ref.loss);
    }
  });
});
