import { findBenchmark } from '../../../src-shared/catalogue';
import { UsageError } from '../../../src-shared/errors';
import type { GenerationInstance, MultipleChoiceInstance } from '../instances';
import { ARC_EASY_SPLITS, ARC_SPLITS, loadArc } from '../loaders/arc';
import { loadPiqa, PIQA_SPLITS } from '../loaders/piqa';
import { resolveSplits, type SplitFiles, type SplitNaming } from '../loaders/splits';
import { loadTruthfulQa, TRUTHFULQA_SPLITS } from '../loaders/truthfulqa';
import { loadWinogrande, WINOGRANDE_SPLITS } from '../loaders/winogrande';
import { loadTranslation, type LanguagePair } from '../loaders/wmt';
import {
  buildDemoChoiceInstances,
  buildDemoGenerationInstances,
  DEMO_DEFAULT_ITEMS,
  DEMO_GEN_MAX_NEW_TOKENS,
  demoItems,
} from './demo';
import type { FewShotSamplerName } from './fewshot';
import { buildChoiceInstances, type ChoiceTemplate } from './multiple-choice';
import { ARC_TEMPLATE, PIQA_TEMPLATE, TRUTHFULQA_TEMPLATE } from './templates';
import { buildTranslationInstances } from './translation';
import { buildWinograndeInstances } from './winogrande';

/** How a run of one task is set up (docs/CLI.md "Models" `plw eval` options). */
export interface TaskOptions {
  /** `--data PATH`: a benchmark file or the directory holding its published files (not used by demo tasks). */
  data?: string;
  /** Few-shot examples; default: the task's (ARC 25, WinoGrande 5, others 0). */
  shots?: number;
  /** Evaluate only the first N documents (lm-eval's `--limit`). */
  limit?: number;
  /** Seed of the `seeded` few-shot sampler (lm-eval's and the leaderboard's draws have fixed seeds). */
  seed: number;
  /**
   * How few-shot examples are drawn; default `lm-eval` (0.4's ContextSampler, exactly).
   * `leaderboard` also decides which documents `limit` keeps (its harness shuffles them first);
   * translation and demo tasks take no shots and ignore it.
   */
  fewshotSampler?: FewShotSamplerName;
}

export type BuiltTask =
  | { kind: 'multiple_choice'; instances: MultipleChoiceInstance[] }
  | {
      kind: 'generation';
      metric: 'bleu' | 'exact_match';
      instances: GenerationInstance[];
      /** The task's own generation cap, when its answers are short (default 256). */
      maxNewTokens?: number;
    };

export interface TaskDefinition {
  name: string;
  kind: BuiltTask['kind'];
  defaultShots: number;
  /** Whether `--data` is required (the demo tasks generate their items). */
  needsData: boolean;
  build(options: TaskOptions): Promise<BuiltTask>;
}

/** Default shots of a benchmark, from the catalogue every process reads. */
function catalogueShots(name: string): number {
  const entry = findBenchmark(name);
  if (entry === undefined) throw new Error(`${name} is not in src-shared/catalogue.ts`);
  return entry.defaultShots;
}

function limited<T>(docs: T[], limit: number | undefined): T[] {
  return limit === undefined ? docs : docs.slice(0, limit);
}

function dataPath(task: string, o: TaskOptions): string {
  if (o.data === undefined) throw new UsageError(`${task}: --data PATH is required`);
  return o.data;
}

function noShots(task: string, o: TaskOptions): void {
  if ((o.shots ?? 0) > 0)
    throw new UsageError(`${task}: takes no few-shot examples; use --shots 0`);
}

function needTrain(task: string, splits: SplitFiles, data: string): void {
  if (splits.train.length === 0) {
    throw new UsageError(
      `${task}: few-shot examples come from the training split, and none was found beside ${data} ` +
        '(use --shots 0, or put the training file next to the evaluation file)',
    );
  }
}

/** The few-shot options of a run; they also say which documents it evaluates (`limit`). */
function fewshotOptions<D>(o: TaskOptions, shots: number, train: readonly D[], extraDraw: boolean) {
  return { shots, train, seed: o.seed, sampler: o.fewshotSampler, extraDraw, limit: o.limit };
}

/**
 * `extraDraw`: lm-eval's `fewshot_split == test_split` for the task's YAML (true when neither
 * is set, as for PIQA and WinoGrande: lm-eval then draws one example more and drops the
 * evaluated document if drawn).
 */
function choiceTask<D>(
  name: string,
  naming: SplitNaming,
  load: (files: readonly string[]) => Promise<D[]>,
  template: ChoiceTemplate<D>,
  extraDraw: boolean,
): TaskDefinition {
  const defaultShots = catalogueShots(name);
  return {
    name,
    kind: 'multiple_choice',
    defaultShots,
    needsData: true,
    async build(o) {
      // TruthfulQA has no training split: lm-eval pins it to 0-shot (its primer is the prompt).
      if (naming.train.length === 0) noShots(name, o);
      const shots = o.shots ?? defaultShots;
      const data = dataPath(name, o);
      const splits = resolveSplits(data, naming);
      if (shots > 0) needTrain(name, splits, data);
      // Every document is loaded: the leaderboard sampler limits after shuffling them.
      const docs = await load(splits.eval);
      const train = shots > 0 ? await load(splits.train) : [];
      return {
        kind: 'multiple_choice',
        instances: buildChoiceInstances(docs, template, fewshotOptions(o, shots, train, extraDraw)),
      };
    },
  };
}

function translationTask(name: string, pair: LanguagePair, testSet: string): TaskDefinition {
  return {
    name,
    kind: 'generation',
    defaultShots: 0,
    needsData: true,
    async build(o) {
      if ((o.shots ?? 0) > 0)
        throw new UsageError(`${name}: few-shot translation is not supported; use --shots 0`);
      const docs = limited(await loadTranslation(dataPath(name, o), pair, testSet), o.limit);
      return {
        kind: 'generation',
        metric: 'bleu',
        instances: buildTranslationInstances(docs, pair),
      };
    },
  };
}

/** The benchmarks of docs/METHOD.md "Evaluation" under their lm-eval task names. */
export const BENCHMARK_TASKS: readonly TaskDefinition[] = [
  // arc_easy.yaml: test_split "test", no fewshot_split.
  choiceTask('arc_challenge', ARC_SPLITS, loadArc, ARC_TEMPLATE, false),
  choiceTask('arc_easy', ARC_EASY_SPLITS, loadArc, ARC_TEMPLATE, false),
  // piqa.yaml: training and validation splits only.
  choiceTask('piqa', PIQA_SPLITS, loadPiqa, PIQA_TEMPLATE, true),
  choiceTask('truthfulqa_mc1', TRUTHFULQA_SPLITS, loadTruthfulQa, TRUTHFULQA_TEMPLATE, false),
  {
    name: 'winogrande',
    kind: 'multiple_choice',
    defaultShots: catalogueShots('winogrande'),
    needsData: true,
    async build(o) {
      const shots = o.shots ?? catalogueShots('winogrande');
      const data = dataPath('winogrande', o);
      const splits = resolveSplits(data, WINOGRANDE_SPLITS);
      if (shots > 0) needTrain('winogrande', splits, data);
      const docs = await loadWinogrande(splits.eval);
      const train = shots > 0 ? await loadWinogrande(splits.train) : [];
      return {
        kind: 'multiple_choice',
        instances: buildWinograndeInstances(docs, fewshotOptions(o, shots, train, true)),
      };
    },
  },
  translationTask('wmt14-en-fr', { src: 'en', tgt: 'fr' }, 'newstest2014'),
  translationTask('wmt14-fr-en', { src: 'fr', tgt: 'en' }, 'newstest2014'),
  translationTask('wmt16-en-de', { src: 'en', tgt: 'de' }, 'newstest2016'),
  translationTask('wmt16-de-en', { src: 'de', tgt: 'en' }, 'newstest2016'),
];

/** Built-in demo benchmarks over the demo task families' held-out items (no files needed). */
export const DEMO_TASKS: readonly TaskDefinition[] = [
  {
    name: 'demo_mc',
    kind: 'multiple_choice',
    defaultShots: 0,
    needsData: false,
    async build(o) {
      noShots('demo_mc', o);
      const items = demoItems(o.limit ?? DEMO_DEFAULT_ITEMS, o.seed);
      return { kind: 'multiple_choice', instances: buildDemoChoiceInstances(items) };
    },
  },
  {
    name: 'demo_gen',
    kind: 'generation',
    defaultShots: 0,
    needsData: false,
    async build(o) {
      noShots('demo_gen', o);
      const items = demoItems(o.limit ?? DEMO_DEFAULT_ITEMS, o.seed);
      return {
        kind: 'generation',
        metric: 'exact_match',
        instances: buildDemoGenerationInstances(items),
        maxNewTokens: DEMO_GEN_MAX_NEW_TOKENS,
      };
    },
  },
];
