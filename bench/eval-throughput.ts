/**
 * Multiple-choice scoring throughput: choices scored per second with the shared-context KV
 * cache (`shared`), one padded batch per question (`batched`) and one forward pass per choice
 * (`separate`), on PIQA (the figure) and TruthfulQA MC1 (a long shared primer).
 *
 *   npx tsx bench/eval-throughput.ts [--model tiny-byte] [--docs 30] [--backend wasm]
 *
 * Reads the shared benchmark files (../shared/data, or PLW_SHARED_DATA). Prints one line per
 * task and mode, and the speed-up of `shared` over the others. Never part of the test suite.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeBackend, initBackend } from '../src-worker/backend/index';
import { encodeRequest } from '../src-worker/eval/encode';
import type { MultipleChoiceInstance } from '../src-worker/eval/instances';
import { loadPiqa } from '../src-worker/eval/loaders/piqa';
import { loadTruthfulQa } from '../src-worker/eval/loaders/truthfulqa';
import { scoreRequests, type ScoringMode } from '../src-worker/eval/scoring';
import { buildChoiceInstances } from '../src-worker/eval/tasks/multiple-choice';
import { PIQA_TEMPLATE, TRUTHFULQA_TEMPLATE } from '../src-worker/eval/tasks/templates';
import { loadModel } from '../src-worker/model/load';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'tiny-byte' },
    docs: { type: 'string', default: '30' },
    backend: { type: 'string' },
  },
});
const DATA = process.env.PLW_SHARED_DATA ?? resolve(import.meta.dirname, '../../shared/data');
const docs = Number(values.docs);

const backend = await initBackend(values.backend === undefined ? {} : { backend: values.backend });
console.log(`backend: ${describeBackend(backend)}`);
const { model, tokenizer } = await loadModel(values.model);
if (tokenizer === null) throw new Error(`${values.model} has no tokenizer`);

const tasks: [string, MultipleChoiceInstance[]][] = [
  [
    'piqa',
    buildChoiceInstances(
      (await loadPiqa([resolve(DATA, 'benchmarks/piqa/valid.jsonl')])).slice(0, docs),
      PIQA_TEMPLATE,
      { shots: 0, train: [], seed: 42 },
    ),
  ],
  [
    'truthfulqa_mc1',
    buildChoiceInstances(
      (await loadTruthfulQa([resolve(DATA, 'benchmarks/truthfulqa/data/mc_task.json')])).slice(
        0,
        Math.ceil(docs / 3),
      ),
      TRUTHFULQA_TEMPLATE,
      { shots: 0, train: [], seed: 42 },
    ),
  ],
];

console.log(`model: ${values.model}; tokenizer: ${tokenizer.kind}`);
for (const [task, instances] of tasks) {
  const encoded = instances.map((inst) => inst.requests.map((r) => encodeRequest(tokenizer, r)));
  const choices = encoded.reduce((n, q) => n + q.length, 0);
  const tokens = encoded
    .flat()
    .reduce((n, r) => n + r.contextIds.length + r.continuationIds.length, 0);
  // Warm-up: kernels compile and caches fill outside the timed runs.
  await scoreRequests(model, encoded[0] ?? [], { mode: 'shared', padId: tokenizer.padId });
  const rates = new Map<ScoringMode, number>();
  for (const mode of ['shared', 'batched', 'separate'] as ScoringMode[]) {
    const t0 = performance.now();
    for (const q of encoded) await scoreRequests(model, q, { mode, padId: tokenizer.padId });
    const seconds = (performance.now() - t0) / 1000;
    rates.set(mode, choices / seconds);
    console.log(
      `${task}\t${mode}\t${instances.length} questions, ${choices} choices (${tokens} tokens) in ${seconds.toFixed(2)} s: ${(choices / seconds).toFixed(1)} choices/s`,
    );
  }
  const shared = rates.get('shared') ?? NaN;
  console.log(
    `${task}\tspeed-up of shared: ${(shared / (rates.get('batched') ?? NaN)).toFixed(2)}x over batched, ${(shared / (rates.get('separate') ?? NaN)).toFixed(2)}x over separate`,
  );
}
model.dispose();
// The WASM backend's thread pool would keep the process alive.
process.exit(0);
