/**
 * One table of training defaults (TRAIN_DEFAULTS): the sweep file, `plw train` and runTraining
 * agree on every default, and a partial recipe is completed the way the sweep schema does.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkTrainSettings,
  parseSweep,
  resolveTrainSettings,
  TRAIN_DEFAULTS,
} from '../../src-shared/sweep';
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

  it('one check from the one table: plw train and the sweep file refuse the same values alike', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'plw-settings-')), 'out');
    const cases: [field: string, flag: string, value: number][] = [
      ['checkpointEvery', '--checkpoint-every', -1],
      ['lr', '--lr', 0],
    ];
    for (const [field, flag, value] of cases) {
      let problem = '';
      try {
        sweep({ [field]: value });
      } catch (err) {
        problem = (err as Error).message.replace(/^.*field "train\.\w+": /, '');
      }
      expect(problem).not.toBe('');
      const run = plw([
        'train',
        ...['--model', 'tiny-byte', '--data', 'missing.jsonl', '--plw', '0', '--out', out],
        ...[flag, String(value)],
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${flag}: ${problem}`);
      expect(() => checkTrainSettings({ [field]: value })).toThrow(`${flag}: ${problem}`);
    }
    // `--checkpoint-every 0` (checkpoint only at the end) is a setting both take.
    expect(sweep({ checkpointEvery: 0 }).train.checkpointEvery).toBe(0);
    expect(checkTrainSettings({ checkpointEvery: 0 }).checkpointEvery).toBe(0);
  });
});
