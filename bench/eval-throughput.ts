/**
 * The paper's evaluation suite against one epoch of fine-tuning, on two models: config b's body
 * (d 256, 6 layers, 8 heads, SwiGLU 704) with the 32k LLaMA tokenizer (`b32k`, random weights),
 * and `tiny-byte`. Per benchmark: wall time on a --limit subset, choices/s (multiple choice) or
 * generated tokens/s (WMT), and the full-set time extrapolated from the subset; on ARC 25-shot
 * also the saving of shared-context reuse (`shared` scoring against one forward pass per
 * choice, `separate`). Then the time of one epoch of gsm_8k_train, extrapolated from a few
 * optimizer steps (non-padding tokens of the epoch / measured tokens per second).
 *
 *   npx tsx bench/eval-throughput.ts [--models b32k,tiny-byte] [--limit 12] [--arc-limit 4]
 *       [--wmt-limit 24] [--max-new-tokens 64] [--train-steps 3] [--batch-size 16] [--backend wasm]
 *
 * WMT: rows decode --max-new-tokens with stops off (the sustained rate); the full-set
 * estimate assumes a model that stops after as many tokens as the reference has (+1 for the
 * newline) and the measured generated tokens/s. Reads the shared
 * files (../shared/data or PLW_SHARED_DATA). Prints figures only; never part of the tests.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findBenchmark } from '../src-shared/catalogue';
import { describeBackend, initBackend } from '../src-worker/backend/index';
import { encodeRequest } from '../src-worker/eval/encode';
import { greedyGenerateBatch } from '../src-worker/eval/generation';
import { findTask } from '../src-worker/eval/registry';
import { scoreRequests, type ScoringMode } from '../src-worker/eval/scoring';
import { createRandomLlama } from '../src-worker/model/llama';
import { loadModel } from '../src-worker/model/load';
import { findPreset } from '../src-worker/model/presets';
import type { CausalLM } from '../src-worker/model/types';
import { loadTokenizer } from '../src-worker/tokenizers/index';
import type { Tokenizer } from '../src-worker/tokenizers/types';
import { DEFAULT_ADAMW } from '../src-worker/train/adamw';
import { encodeExample } from '../src-worker/train/examples';
import { ensureGradients } from '../src-worker/train/gradients';
import { plwLoss } from '../src-worker/train/loss';
import { trainLoop } from '../src-worker/train/loop';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'b32k,tiny-byte' },
    limit: { type: 'string', default: '12' },
    'arc-limit': { type: 'string', default: '4' },
    'wmt-limit': { type: 'string', default: '24' },
    'max-new-tokens': { type: 'string', default: '64' },
    'train-steps': { type: 'string', default: '3' },
    'batch-size': { type: 'string', default: '16' },
    backend: { type: 'string' },
  },
});
const DATA = process.env.PLW_SHARED_DATA ?? resolve(import.meta.dirname, '../../shared/data');
const bench = (p: string): string => resolve(DATA, 'benchmarks', p);
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

const backend = await initBackend(values.backend === undefined ? {} : { backend: values.backend });
console.log(`backend: ${describeBackend(backend)}; load average at start: ${load()}`);

async function makeModel(name: string): Promise<{ model: CausalLM; tokenizer: Tokenizer }> {
  if (name === 'b32k') {
    const b = findPreset('perf-b');
    if (b === undefined) throw new Error('no perf-b preset');
    const tokenizer = await loadTokenizer(resolve(DATA, 'tokenizer.model'));
    return { model: createRandomLlama({ ...b.config, vocabSize: 32000 }, 1), tokenizer };
  }
  const { model, tokenizer } = await loadModel(name);
  if (tokenizer === null) throw new Error(`${name} has no tokenizer`);
  return { model, tokenizer };
}

const MC: { task: string; data: string; limit: number }[] = [
  { task: 'arc_challenge', data: bench('arc'), limit: Number(values['arc-limit']) },
  { task: 'piqa', data: bench('piqa/valid.jsonl'), limit: Number(values.limit) },
  {
    task: 'truthfulqa_mc1',
    data: bench('truthfulqa/data/mc_task.json'),
    limit: Number(values.limit),
  },
  { task: 'winogrande', data: bench('winogrande/dev.jsonl'), limit: Number(values.limit) },
];

const fmt = (s: number): string =>
  s >= 3600
    ? `${(s / 3600).toFixed(2)} h`
    : s >= 60
      ? `${(s / 60).toFixed(1)} min`
      : `${s.toFixed(1)} s`;

for (const name of values.models.split(',')) {
  const { model, tokenizer } = await makeModel(name);
  console.log(
    `\n== model ${name} (vocab ${model.config.vocabSize}, d ${model.config.hiddenSize}, ${model.config.numHiddenLayers} layers; tokenizer ${tokenizer.kind})`,
  );
  let suite = 0;
  for (const { task, data, limit } of MC) {
    const built = await findTask(task).build({ data, limit, seed: 42 });
    if (built.kind !== 'multiple_choice') throw new Error(`${task} is not multiple choice`);
    const encoded = built.instances.map((i) => i.requests.map((r) => encodeRequest(tokenizer, r)));
    const choices = encoded.reduce((n, q) => n + q.length, 0);
    const ctxTokens =
      encoded.reduce((n, q) => n + (q[0]?.contextIds.length ?? 0), 0) / encoded.length;
    await scoreRequests(model, encoded[0] ?? [], { mode: 'shared', padId: tokenizer.padId });
    const time = async (mode: ScoringMode): Promise<number> => {
      const t0 = performance.now();
      for (const q of encoded) await scoreRequests(model, q, { mode, padId: tokenizer.padId });
      return (performance.now() - t0) / 1000;
    };
    const seconds = await time('shared');
    const full = findBenchmark(task)?.documents ?? encoded.length;
    const estimate = (seconds / encoded.length) * full;
    suite += estimate;
    console.log(
      `${task}\t${encoded.length} docs (${choices} choices, context ~${ctxTokens.toFixed(0)} tokens) in ${seconds.toFixed(2)} s: ` +
        `${(choices / seconds).toFixed(2)} choices/s; all ${full} docs ≈ ${fmt(estimate)}`,
    );
    if (task === 'arc_challenge') {
      // One forward pass per choice: `batched` would hold B·T·V logits at once (4 choices of
      // ~1,000 tokens with a 32k vocabulary overflow the WASM heap).
      const separate = await time('separate');
      console.log(
        `${task}\tshared-context reuse on 25-shot contexts: ${seconds.toFixed(2)} s vs ${separate.toFixed(2)} s one pass per choice ` +
          `(saves ${(100 * (1 - seconds / separate)).toFixed(0)}%, ${(separate / seconds).toFixed(2)}x)`,
      );
    }
  }
  // WMT16 de→en: batched KV-cached greedy decoding.
  const wmt = await findTask('wmt16-de-en').build({
    data: bench('wmt16'),
    limit: Number(values['wmt-limit']),
    seed: 42,
  });
  if (wmt.kind !== 'generation') throw new Error('wmt16-de-en is generation');
  // Stops off: every row decodes --max-new-tokens, so the rate is the sustained one (an
  // untrained model may stop at once, which would measure only the prefill).
  const t0 = performance.now();
  const { stats } = await greedyGenerateBatch(
    model,
    wmt.instances.map((i) => tokenizer.encode(i.prompt)),
    {
      maxNewTokens: Number(values['max-new-tokens']),
      eosId: null,
      stopStrings: [],
      decode: (ids) => tokenizer.decode(ids),
    },
  );
  const genSeconds = (performance.now() - t0) / 1000;
  const all = await findTask('wmt16-de-en').build({ data: bench('wmt16'), seed: 42 });
  if (all.kind !== 'generation') throw new Error('wmt16-de-en is generation');
  const expected = all.instances.reduce((n, i) => n + tokenizer.encode(i.reference).length + 1, 0);
  const rate = stats.generated / genSeconds;
  suite += expected / rate;
  console.log(
    `wmt16-de-en\t${wmt.instances.length} sentences, ${stats.generated} tokens in ${stats.forwards} forward passes, ${genSeconds.toFixed(2)} s: ` +
      `${rate.toFixed(1)} generated tokens/s; all 2999 (≈${expected} tokens to the newline) ≈ ${fmt(expected / rate)}`,
  );
  console.log(
    `suite (ARC 25-shot, PIQA, TruthfulQA MC1, WinoGrande 5-shot, WMT16 de-en) ≈ ${fmt(suite)}`,
  );

  // One epoch of gsm_8k_train at max length 512, from a few optimizer steps.
  const records = JSON.parse(
    readFileSync(resolve(DATA, 'instructions/gsm_8k_train.json'), 'utf8'),
  ) as {
    instruction: string;
    input: string;
    output: string;
  }[];
  const examples = records.map((r) => encodeExample(r, tokenizer, 512));
  const epochTokens = examples.reduce((n, e) => n + e.ids.length - 1, 0);
  const batchSize = Number(values['batch-size']);
  const steps = Number(values['train-steps']);
  const rates: number[] = [];
  await ensureGradients();
  await trainLoop(
    model,
    plwLoss,
    examples,
    {
      plw: 0.1,
      totalSteps: steps,
      seed: 42,
      batching: {
        batchSize,
        microBatchSize: Math.min(4, batchSize),
        shuffle: true,
        windowBatches: 8,
      },
      schedule: { kind: 'constant', lr: 2e-5, totalSteps: steps, warmupSteps: 0 },
      adamw: DEFAULT_ADAMW,
      clip: 1,
      checkpointEvery: 0,
      resume: false,
    },
    { onStep: (e) => rates.push(e.tokensPerSec) },
  );
  const steady = rates.slice(1).sort((a, b) => a - b);
  const tps = steady[Math.floor(steady.length / 2)] ?? rates[0] ?? Number.NaN;
  const epoch = epochTokens / tps;
  console.log(
    `fine-tuning\tgsm_8k_train ${records.length} examples, ${epochTokens} target tokens; ${steps} steps of ${batchSize}: ` +
      `${tps.toFixed(0)} tokens/s (median after the first) → one epoch ≈ ${fmt(epoch)}`,
  );
  console.log(`suite / epoch = ${(suite / epoch).toFixed(2)} (goal: below 1)`);
  model.dispose();
}
console.log(`\nload average at end: ${load()}`);
// The WASM backend's thread pool would keep the process alive.
process.exit(0);
