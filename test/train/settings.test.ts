/**
 * One table of training defaults (TRAIN_DEFAULTS): the sweep file, `plw train` and runTraining
 * agree on every default, and a partial recipe is completed the way the sweep schema does.
 */
import { describe, expect, it } from 'vitest';
import { parseSweep, resolveTrainSettings, TRAIN_DEFAULTS } from '../../src-shared/sweep';
import { plw } from '../helpers/cli';

const sweep = (train?: object) =>
  parseSweep(
    { name: 's', models: ['tiny-byte'], datasets: ['d.jsonl'], ...(train ? { train } : {}) },
    'sweep.json',
  );

describe('training settings', () => {
  it('the sweep file without "train" gets exactly the table, epochs included', () => {
    expect(sweep().train).toEqual(resolveTrainSettings());
    const { seed, ...rest } = TRAIN_DEFAULTS;
    expect(resolveTrainSettings()).toEqual(rest);
    expect(sweep().seed).toBe(seed);
  });

  it('completes a partial recipe like the sweep schema: steps without the default epochs', () => {
    expect(sweep({ steps: 7, lr: 1e-3 }).train).toEqual(
      resolveTrainSettings({ steps: 7, lr: 1e-3 }),
    );
    expect(resolveTrainSettings({ steps: 7 }).epochs).toBeUndefined();
    expect(resolveTrainSettings({ maxLength: undefined }).maxLength).toBe(TRAIN_DEFAULTS.maxLength);
  });

  it('plw train --help shows the same defaults', () => {
    const help = plw(['train', '--help']).stdout;
    expect(help).toContain(`(default: ${TRAIN_DEFAULTS.lr})`);
    expect(help).toContain(`(default: ${TRAIN_DEFAULTS.batchSize})`);
    expect(help).toContain(`(default: ${TRAIN_DEFAULTS.maxLength})`);
    expect(help).toContain(`(default: ${TRAIN_DEFAULTS.checkpointEvery})`);
    expect(help).toContain(`(default: "${TRAIN_DEFAULTS.schedule}")`);
  });
});
