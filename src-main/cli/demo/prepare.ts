/**
 * Prepares the demo sweep for the app's shells without blocking their event loop: the demo base
 * model is pre-trained (or found in the cache) by a `plw pretrain` child process.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { PlwError } from '../../../src-shared/errors';
import { resourcesDir } from '../../sweeps/builtins';
import { DEMO_BASE, demoDefinition } from './demo-sweep';

/** bin/plw.mjs beside resources/, from the source tree or the bundled Electron main. */
const BIN = join(dirname(resourcesDir()), 'bin/plw.mjs');

/**
 * Runs `plw pretrain` for the demo base model in a child process and resolves with the demo
 * sweep definition on it; `onStep` hears each pre-training step the child logs
 * ("pretrain step 40/200 …"), so the app can show the job while it runs.
 */
export function prepareDemoSweep(
  log: (line: string) => void,
  onStep: (step: number, totalSteps: number) => void = () => {},
): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    // The same cached model as `plw demo` (demoBaseModel): same settings, same folder name.
    const child = spawn(process.execPath, [BIN, 'pretrain', '--json', '--name', DEMO_BASE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      for (const line of d.split('\n').filter(Boolean)) {
        log(`demo base model: ${line}`);
        const m = /pretrain step (\d+)\/(\d+)/.exec(line);
        if (m) onStep(Number(m[1]), Number(m[2]));
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new PlwError(
            'run_failed',
            `pre-training the demo base model failed: ${err.trim().split('\n').pop() ?? ''}`,
          ),
        );
        return;
      }
      try {
        const { model } = JSON.parse(out) as { model: string };
        resolvePromise(demoDefinition(model));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
