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

export function prepareDemoSweep(log: (line: string) => void): Promise<unknown> {
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
      for (const line of d.split('\n').filter(Boolean)) log(`demo base model: ${line}`);
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
