import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventHub, type HubEvent } from '../../src-main/events/event-hub';
import { defaultWorkers, workerEnv } from '../../src-main/workers/concurrency';
import { crashLine } from '../../src-main/workers/host';

afterEach(() => {
  vi.useRealTimers();
});

function metrics(step: number, time: number) {
  return {
    step,
    totalSteps: 100,
    loss: 1,
    promptLoss: null,
    completionLoss: null,
    lr: 1e-3,
    gradNorm: null,
    tokensPerSec: null,
    time,
  };
}

describe('EventHub', () => {
  it('throttles progress per cell to the latest step and keeps other events in order', () => {
    vi.useFakeTimers();
    const hub = new EventHub(100);
    const seen: HubEvent[] = [];
    hub.subscribe((e) => seen.push(e));
    for (let s = 1; s <= 50; s++) hub.publishProgress(1, 7, metrics(s, 1000 + s * 10));
    hub.publishProgress(1, 8, metrics(1, 1000));
    // The first step of each cell goes out at once; the rest wait for the throttle window.
    expect(seen.map((e) => (e.type === 'progress' ? [e.cellId, e.metrics.step] : []))).toEqual([
      [7, 1],
      [8, 1],
    ]);
    // A state change delivers the cell's pending progress first.
    hub.publish({
      type: 'state',
      sweepId: 1,
      cellId: 7,
      state: 'evaluating',
      attempts: 1,
      error: null,
    });
    expect(seen.slice(2).map((e) => e.type)).toEqual(['progress', 'state']);
    expect(seen[2]!.type === 'progress' && seen[2]!.metrics.step).toBe(50);
    hub.publishProgress(1, 8, metrics(2, 1010));
    vi.advanceTimersByTime(100);
    expect(seen.at(-1)!.type === 'progress' && seen.at(-1)!.cellId).toBe(8);
  });

  it('estimates time left from the pace since the cell started', () => {
    const hub = new EventHub(0);
    const eta: (number | null)[] = [];
    hub.subscribe((e) => e.type === 'progress' && eta.push(e.etaSeconds));
    hub.publishProgress(1, 1, metrics(10, 0));
    hub.publishProgress(1, 1, metrics(20, 5000)); // 0.5 s a step, 80 steps left
    expect(eta).toEqual([null, 40]);
  });

  it('stops delivering to an unsubscribed listener', () => {
    const hub = new EventHub(0);
    const seen: HubEvent[] = [];
    const off = hub.subscribe((e) => seen.push(e));
    off();
    hub.publish({ type: 'log', sweepId: 1, cellId: 1, level: 'info', message: 'x' });
    expect(seen).toEqual([]);
  });
});

describe('worker placement', () => {
  it('runs one worker per GPU, each seeing only its card, with allow-growth', () => {
    const hw = { cores: 16, gpus: ['0', '1'] };
    expect(defaultWorkers(hw)).toBe(2);
    expect(workerEnv(hw, 1, 2)).toEqual({
      CUDA_VISIBLE_DEVICES: '1',
      TF_FORCE_GPU_ALLOW_GROWTH: 'true',
    });
    // More workers than cards share them round-robin.
    expect(workerEnv(hw, 2, 3).CUDA_VISIBLE_DEVICES).toBe('0');
  });

  it('splits the cores between CPU workers so their threads do not oversubscribe them', () => {
    expect(defaultWorkers({ cores: 2, gpus: [] })).toBe(1);
    expect(defaultWorkers({ cores: 8, gpus: [] })).toBe(4);
    expect(workerEnv({ cores: 8, gpus: [] }, 0, 4)).toMatchObject({
      PLW_WORKERS: '4',
      OMP_NUM_THREADS: '2',
      TF_NUM_INTRAOP_THREADS: '2',
    });
  });

  it('explains a crash with the error line of its stderr', () => {
    const stderr =
      'file:///w/x.ts:3\n  throw new Error("boom")\n\nRangeError: Array buffer allocation failed\n    at f (x.ts:3:9)\n\nNode.js v20.20.2\n';
    expect(crashLine(stderr)).toBe('RangeError: Array buffer allocation failed');
  });
});
