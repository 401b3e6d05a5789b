import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src-shared/errors';
import { DEFAULT_ADAMW } from '../../src-worker/train/adamw';
import { LATEST_FILE, OPTIMIZER_FILE, STATE_FILE } from '../../src-worker/train/checkpoint';
import { trainLoop, type LoopSettings, type StepEvent } from '../../src-worker/train/loop';
import { autodiffLoss, shortExamples, tinyModel, useCpu } from './helpers';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'plw-resume-'));
  dirs.push(d);
  return d;
};

beforeAll(useCpu);
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// 10 examples, global batch 4 of 2 micro-batches: 3 batches per epoch (the last one short),
// so 8 steps cross two epoch boundaries with a reshuffle each.
const examples = shortExamples(10);
const settings = (checkpointDir: string, extra: Partial<LoopSettings> = {}): LoopSettings => ({
  plw: 0.2,
  totalSteps: 8,
  seed: 11,
  batching: { batchSize: 4, microBatchSize: 2, shuffle: true, windowBatches: 2 },
  schedule: { kind: 'cosine', lr: 3e-3, totalSteps: 8, warmupSteps: 1 },
  adamw: { ...DEFAULT_ADAMW, weightDecay: 0.1 },
  clip: 1.0,
  checkpointDir,
  checkpointEvery: 0,
  resume: false,
  saveOptions: { builtinTokenizer: 'byte' },
  ...extra,
});

async function run(s: LoopSettings, crashAfter?: number): Promise<StepEvent[]> {
  const model = tinyModel(2);
  const events: StepEvent[] = [];
  try {
    await trainLoop(model, autodiffLoss, examples, s, {
      onStep: (e) => {
        events.push(e);
        if (e.step === crashAfter) throw new Error('simulated crash');
      },
    });
  } catch (err) {
    if (!(err instanceof Error && err.message === 'simulated crash')) throw err;
  } finally {
    model.dispose();
  }
  return events;
}

describe('checkpoints and exact resume', () => {
  it('a run killed after step 5 and resumed from its step-4 checkpoint matches an uninterrupted run', async () => {
    const full = await run(settings(tempDir()));
    expect(full.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(full.map((e) => e.epoch))).toEqual(new Set([0, 1, 2]));

    const dir = tempDir();
    const first = await run(settings(dir, { checkpointEvery: 2 }), 5);
    expect(first).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(dir, LATEST_FILE), 'utf8')).step).toBe(4);

    const resumed = await run(settings(dir, { checkpointEvery: 2, resume: true }));
    expect(resumed.map((e) => e.step)).toEqual([5, 6, 7, 8]);
    for (const e of resumed) {
      const ref = full[e.step - 1] as StepEvent;
      expect(e.loss).toBeCloseTo(ref.loss, 5);
      expect(e.gradNorm).toBeCloseTo(ref.gradNorm, 4);
      expect(e.lr).toBe(ref.lr);
      expect(e.epoch).toBe(ref.epoch);
    }
    // The trajectory moved: later losses differ from the first, so equality above is not trivial.
    expect(Math.abs((full[7] as StepEvent).loss - (full[0] as StepEvent).loss)).toBeGreaterThan(
      0.05,
    );
  });

  it('stops cleanly on abort and leaves a checkpoint at the last step', async () => {
    const dir = tempDir();
    const controller = new AbortController();
    const model = tinyModel(2);
    const before = tf.memory().numTensors;
    const result = await trainLoop(
      model,
      autodiffLoss,
      examples,
      settings(dir, { signal: controller.signal }),
      {
        onStep: (e) => {
          if (e.step === 2) controller.abort();
        },
      },
    );
    expect(result).toMatchObject({ steps: 2, stopped: true });
    expect(JSON.parse(readFileSync(join(dir, LATEST_FILE), 'utf8')).step).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();

    // Resuming and stopping at once re-saves step 2 without touching the folder latest.json
    // names until the new one is complete; the result loads again.
    const stop = new AbortController();
    stop.abort();
    const again = tinyModel(2);
    const r2 = await trainLoop(
      again,
      autodiffLoss,
      examples,
      settings(dir, { resume: true, signal: stop.signal }),
    );
    expect(r2).toMatchObject({ steps: 2, stopped: true, resumedFrom: 2 });
    const latest = JSON.parse(readFileSync(join(dir, LATEST_FILE), 'utf8')) as { dir: string };
    expect(latest.dir).toMatch(/^step-000002-\d+$/);
    const r3 = await trainLoop(
      again,
      autodiffLoss,
      examples,
      settings(dir, { resume: true, totalSteps: 8 }),
    );
    expect(r3).toMatchObject({ steps: 8, stopped: false, resumedFrom: 2 });
    again.dispose();
  });

  it('rejects a corrupt checkpoint with an input error naming the file', async () => {
    const dir = tempDir();
    await run(
      settings(dir, {
        totalSteps: 2,
        schedule: { kind: 'constant', lr: 1e-3, totalSteps: 2, warmupSteps: 0 },
      }),
    );
    const latest = JSON.parse(readFileSync(join(dir, LATEST_FILE), 'utf8')).dir as string;
    const resume = settings(dir, {
      totalSteps: 2,
      resume: true,
      schedule: { kind: 'constant', lr: 1e-3, totalSteps: 2, warmupSteps: 0 },
    });

    const optFile = join(dir, latest, OPTIMIZER_FILE);
    truncateSync(optFile, 100);
    const err1 = await run(resume).catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(InputError);
    expect((err1 as Error).message).toContain(optFile);

    const stateFile = join(dir, latest, STATE_FILE);
    writeFileSync(stateFile, '{"step": 2, "totalSteps": 2, "epo');
    const err2 = await run(resume).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(InputError);
    expect((err2 as Error).message).toContain(stateFile);
  });

  it('refuses to resume a checkpoint made with other settings', async () => {
    const dir = tempDir();
    await run(
      settings(dir, {
        totalSteps: 1,
        schedule: { kind: 'constant', lr: 1e-3, totalSteps: 1, warmupSteps: 0 },
      }),
    );
    const err = await run(
      settings(dir, {
        totalSteps: 1,
        plw: 0.5,
        resume: true,
        schedule: { kind: 'constant', lr: 1e-3, totalSteps: 1, warmupSteps: 0 },
      }),
    ).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/plw = 0\.2, this run has 0\.5/);
  });
});
