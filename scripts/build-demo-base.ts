/**
 * Builds the demo base model the repository ships: resources/demo/demo-base/ (config.json with
 * the built-in byte tokenizer named in it, model.safetensors, pretrain.json). It pre-trains with
 * the settings `plw demo` and the app ask for (src-worker/train/pretrain.ts PRETRAIN_DEFAULTS on
 * resources/demo/corpus.txt) and records beside the weights the settings' key, the commit it was
 * built at, the backend and how long it took. Run it after changing the pre-training defaults,
 * the preset or the corpus (the demo otherwise ignores the shipped model and pre-trains its own):
 *
 *     npx tsx scripts/build-demo-base.ts
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describeBackend, initBackend } from '../src-worker/backend/index';
import { PRETRAIN_RECORD, runPretraining } from '../src-worker/train/pretrain';
import { demoBaseRequest, SHIPPED_DEMO_BASE } from '../src-worker/train/demo-base';

const root = join(import.meta.dirname, '..');
const git = (...args: string[]): string =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

// The tree it is built from, read before training (a rebase during the run must not change it).
const commit = git('rev-parse', 'HEAD');
const uncommittedChanges = git('status', '--porcelain', '--untracked-files=no') !== '';
const backend = await initBackend();
console.error(`backend: ${describeBackend(backend)}`);
const cacheDir = mkdtempSync(join(tmpdir(), 'plw-demo-base-'));
const started = Date.now();
try {
  const result = await runPretraining(
    { ...demoBaseRequest(), cacheDir, force: true },
    {
      onStep: (e) => {
        if (e.step % 50 === 0 || e.step === e.totalSteps)
          console.error(`pretrain step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(4)}`);
      },
    },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  rmSync(SHIPPED_DEMO_BASE, { recursive: true, force: true });
  cpSync(result.model, SHIPPED_DEMO_BASE, { recursive: true });
  const recordPath = join(SHIPPED_DEMO_BASE, PRETRAIN_RECORD);
  const record = JSON.parse(readFileSync(recordPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(
    recordPath,
    `${JSON.stringify(
      {
        ...record,
        corpus: relative(root, String(record.corpus)),
        commit,
        uncommittedChanges,
        command: 'npx tsx scripts/build-demo-base.ts',
        backend: describeBackend(backend),
        seconds,
      },
      null,
      2,
    )}\n`,
  );
  console.error(`built ${relative(root, SHIPPED_DEMO_BASE)} in ${seconds} s (key ${result.key})`);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
