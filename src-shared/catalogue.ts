/**
 * The catalogue of built-ins every process reads: benchmark tasks (lm-evaluation-harness names,
 * their published files, default shots and metrics), model presets and demo datasets. Pure
 * data: the loaders, the model configs and the demo generator that implement them live in
 * src-worker and are checked against this list by tests.
 */

export type TaskKind = 'multiple_choice' | 'generation';

/** A benchmark of docs/METHOD.md "Evaluation" under its lm-evaluation-harness task name. */
export interface BenchmarkEntry {
  name: string;
  /** Older names that still resolve to this task. */
  aliases: readonly string[];
  title: string;
  kind: TaskKind;
  /** Metrics reported; the first is the score a sweep records. */
  metrics: readonly string[];
  defaultShots: number;
  /**
   * The published files, as their release names them, looked for in a benchmarks folder (and
   * in its `folder` sub-folder). `eval` is needed; `fewshot` only when shots > 0, the first
   * found wins.
   */
  files: { eval: readonly string[]; fewshot: readonly string[] };
  /** Sub-folder a benchmarks folder conventionally keeps the files in. */
  folder: string;
  /** Documents in the published evaluation file. */
  documents: number | null;
  /** Where to get the files. */
  source: string;
}

const ARC_SOURCE =
  "AI2's ARC release (ARC-V1-Feb2018, allenai.org/data/arc), or Hugging Face allenai/ai2_arc";
const WMT16_SOURCE =
  'WMT16 newstest2016 de-en (data.statmt.org/wmt16/translation-task/test.tgz, sacreBLEU wmt16), as aligned plain text';
const WMT14_SOURCE =
  'WMT14 newstest2014 fr-en (statmt.org/wmt14/test-filtered.tgz, sacreBLEU wmt14)';

function wmt(
  name: string,
  title: string,
  year: '2014' | '2016',
  files: readonly string[],
  documents: number,
): BenchmarkEntry {
  return {
    name,
    aliases: [name.replace(/-/g, '_')],
    title,
    kind: 'generation',
    metrics: ['bleu'],
    defaultShots: 0,
    files: { eval: files, fewshot: [] },
    folder: year === '2016' ? 'wmt16' : 'wmt14',
    documents,
    source: year === '2016' ? WMT16_SOURCE : WMT14_SOURCE,
  };
}

/** ARC-Challenge / ARC-Easy: the same AI2 file layout and lm-eval template. */
function arc(set: 'Challenge' | 'Easy', documents: number): BenchmarkEntry {
  const name = `arc_${set.toLowerCase()}`;
  return {
    name,
    aliases: [name.replace('_', '-')],
    title: `ARC-${set}`,
    kind: 'multiple_choice',
    metrics: ['acc_norm', 'acc'],
    defaultShots: 25,
    files: { eval: [`ARC-${set}-Test.jsonl`], fewshot: [`ARC-${set}-Train.jsonl`] },
    folder: 'arc',
    documents,
    source: ARC_SOURCE,
  };
}

const WMT16_FILES = ['newstest2016.de', 'newstest2016.en'];
const WMT14_FILES = ['newstest2014-fren-src.en.sgm', 'newstest2014-fren-ref.fr.sgm'];

export const BENCHMARKS: readonly BenchmarkEntry[] = [
  arc('Challenge', 1172),
  arc('Easy', 2376),
  {
    name: 'piqa',
    aliases: [],
    title: 'PIQA',
    kind: 'multiple_choice',
    metrics: ['acc_norm', 'acc'],
    defaultShots: 0,
    files: { eval: ['valid.jsonl', 'valid-labels.lst'], fewshot: ['train.jsonl'] },
    folder: 'piqa',
    documents: 1838,
    source: 'ybisk.github.io/piqa (piqa/data), or Hugging Face ybisk/piqa',
  },
  {
    name: 'truthfulqa_mc1',
    aliases: ['truthfulqa', 'truthfulqa-mc1'],
    title: 'TruthfulQA MC1',
    kind: 'multiple_choice',
    metrics: ['acc', 'acc_norm'],
    defaultShots: 0,
    files: { eval: ['mc_task.json'], fewshot: [] },
    folder: 'truthfulqa',
    documents: 817,
    source:
      'sylinrl/TruthfulQA (data/mc_task.json), or Hugging Face truthfulqa/truthful_qa multiple_choice',
  },
  {
    name: 'winogrande',
    aliases: [],
    title: 'WinoGrande',
    kind: 'multiple_choice',
    metrics: ['acc', 'acc_norm'],
    defaultShots: 5,
    files: {
      eval: ['dev.jsonl', 'dev-labels.lst'],
      fewshot: [
        'train_xl.jsonl',
        'train_l.jsonl',
        'train_m.jsonl',
        'train_s.jsonl',
        'train_xs.jsonl',
      ],
    },
    folder: 'winogrande',
    documents: 1267,
    source: 'the WinoGrande 1.1 release (winogrande_1.1.zip), or Hugging Face winogrande_xl',
  },
  wmt('wmt16-de-en', 'WMT16 de→en', '2016', WMT16_FILES, 2999),
  wmt('wmt16-en-de', 'WMT16 en→de', '2016', WMT16_FILES, 2999),
  wmt('wmt14-en-fr', 'WMT14 en→fr', '2014', WMT14_FILES, 3003),
  wmt(
    'wmt14-fr-en',
    'WMT14 fr→en',
    '2014',
    ['newstest2014-fren-src.fr.sgm', 'newstest2014-fren-ref.en.sgm'],
    3003,
  ),
];

/** Built-in tasks over the demo families' held-out items: no files needed. */
export const DEMO_TASKS: readonly { name: string; kind: TaskKind; metrics: readonly string[] }[] = [
  { name: 'demo_mc', kind: 'multiple_choice', metrics: ['acc', 'acc_norm'] },
  { name: 'demo_gen', kind: 'generation', metrics: ['exact_match'] },
];

/** Model presets (their configs are src-worker/model/presets.ts, keyed by these names). */
export const MODEL_PRESETS: readonly {
  name: string;
  description: string;
  /** Tokenizer the preset is sized for, or null: ids only (benchmarks). */
  tokenizer: 'byte' | null;
  /** Scalar parameters of its config (`parameterCount`, checked by test/eval/catalogue.test.ts). */
  parameters: number;
}[] = [
  {
    name: 'tiny-byte',
    description: 'demo model for the byte tokenizer: d 128, 4 layers, 4 heads (2 KV), tied head',
    tokenizer: 'byte',
    parameters: 771_584,
  },
  {
    name: 'perf-a',
    description: 'PERF-NOTES config a: vocab 512, d 128, 4 layers, 4 heads (0.9M params)',
    tokenizer: null,
    parameters: 935_040,
  },
  {
    name: 'perf-b',
    description: 'PERF-NOTES config b: vocab 2048, d 256, 6 layers, 8 heads (5.9M params)',
    tokenizer: null,
    parameters: 5_868_800,
  },
];

/**
 * The pre-training defaults: the demo base model's settings (`plw pretrain`, `plw demo` and the
 * app alike, so all find the same model), sized so it trains in minutes on a laptop CPU (WASM).
 * The repository ships the model these settings make (resources/demo/demo-base/).
 */
export const PRETRAIN_DEFAULTS = {
  preset: 'tiny-byte',
  // 700 × 16 windows × 256 bytes ≈ 2.9M tokens, about five passes over the demo corpus; on the
  // corpus of worked and plainly answered problems the loss is flat (≈ 0.4 nats/byte) from
  // step ~400 on (resources/demo/README.md).
  steps: 700,
  seqLen: 256,
  batchSize: 16,
  microBatchSize: 8,
  lr: 3e-3, // small models from scratch take a far larger step than fine-tuning's 2e-5
  warmupRatio: 0.05,
  seed: 42,
};

/** Demo datasets by name → their file in resources/demo. */
export const DEMO_DATASETS: readonly { name: string; file: string }[] = [
  { name: 'demo-long', file: 'demo-long.jsonl' },
  { name: 'demo-short', file: 'demo-short.jsonl' },
];

/** The names benchmarks need a data file for, canonical names only. */
export const STANDARD_TASK_NAMES: readonly string[] = BENCHMARKS.map((b) => b.name);

/** Every canonical task name, standard then demo. */
export function allTaskNames(): string[] {
  return [...STANDARD_TASK_NAMES, ...DEMO_TASKS.map((t) => t.name)];
}

/** A task's canonical name from its name or an alias; undefined when unknown. */
export function canonicalTaskName(name: string): string | undefined {
  if (allTaskNames().includes(name)) return name;
  return BENCHMARKS.find((b) => b.aliases.includes(name))?.name;
}

export function findBenchmark(name: string): BenchmarkEntry | undefined {
  const canonical = canonicalTaskName(name);
  return BENCHMARKS.find((b) => b.name === canonical);
}

/** "unknown task; one of …" for a name neither canonical nor an alias. */
export function unknownTaskMessage(name: string): string {
  return `unknown task "${name}"; one of ${allTaskNames().join(', ')}`;
}
