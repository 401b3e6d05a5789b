import { chanceLevel, type Interval } from '../../src-shared/analysis/intervals';
import { computeBleu, segmentStats, sumStats } from '../../src-shared/bleu';
import { bleuBootstrapInterval } from '../../src-shared/bleu/bootstrap';
import { UsageError } from '../../src-shared/errors';
import { greedyGenerate } from '../model/generate';
import type { CausalLM } from '../model/types';
import type { Tokenizer } from '../tokenizers/types';
import { encodeRequest } from './encode';
import { greedyGenerateBatch, type BatchGenerateStats } from './generation';
import type { GenerationInstance, MultipleChoiceInstance } from './instances';
import { scoreRequests, type ScoringMode } from './scoring';
import { findTask } from './registry';
import type { TaskOptions } from './tasks/index';

/** One scored multiple-choice document (`--log-samples`). */
export interface ChoiceSample {
  doc: unknown;
  loglikelihoods: number[];
  pred: number;
  /** Prediction under `acc_norm` (log-prob per character). */
  predNorm: number;
  gold: number;
}

export interface GenerationSample {
  doc: unknown;
  prediction: string;
  reference: string;
}

/** `plw eval --json` of docs/CLI.md "Models". */
export interface EvalResult {
  task: string;
  n: number;
  shots: number;
  metrics: { acc: number; acc_norm: number } | { bleu: number } | { exact_match: number };
  /**
   * Expected score of random guessing: mean 1/choices over the items for multiple choice, 0
   * for generation (exact match and BLEU).
   */
  chance: number;
  /**
   * Intervals only the evaluator can compute (it alone has the sentences): BLEU's 95%
   * bootstrap over sentences, with its standard error. Proportions get Wilson intervals from
   * `n` wherever they are shown (src-shared/metrics.ts).
   */
  bootstrap?: Record<string, Interval & { stderr: number }>;
  samples?: ChoiceSample[] | GenerationSample[];
}

export interface EvaluateOptions extends TaskOptions {
  task: string;
  logSamples?: boolean;
  mode?: ScoringMode;
  /** Generation length cap (default: the task's own, else lm-eval's `max_gen_toks`, 256). */
  maxNewTokens?: number;
  /** Called after each document: done, total. */
  onProgress?: (done: number, total: number) => void;
}

/** numpy's `argmax`: the first index of the maximum. */
export function argmax(xs: readonly number[]): number {
  let best = 0;
  xs.forEach((x, i) => {
    if (x > (xs[best] as number)) best = i;
  });
  return best;
}

/** Scores one multiple-choice document: lm-eval's `acc` and `acc_norm` predictions. */
export async function scoreChoiceInstance(
  model: CausalLM,
  tokenizer: Tokenizer,
  instance: MultipleChoiceInstance,
  mode: ScoringMode = 'shared',
): Promise<ChoiceSample> {
  const encoded = instance.requests.map((r) => encodeRequest(tokenizer, r));
  const scores = await scoreRequests(model, encoded, { mode, padId: tokenizer.padId });
  const lls = scores.map((s) => s.logprob);
  return {
    doc: instance.doc,
    loglikelihoods: lls,
    pred: argmax(lls),
    predNorm: argmax(lls.map((ll, i) => ll / (instance.choiceLengths[i] as number))),
    gold: instance.gold,
  };
}

/** The prompt ids a generation request feeds: no BOS, cut on the left to leave room. */
function promptIds(model: CausalLM, tokenizer: Tokenizer, prompt: string, maxNewTokens: number) {
  const budget = Math.max(1, model.config.maxPositionEmbeddings - maxNewTokens);
  return tokenizer.encode(prompt).slice(-budget);
}

/** lm-eval's `generate_until` post-processing: EOS dropped, text cut before the first stop. */
function cutAtStops(tokenizer: Tokenizer, ids: readonly number[], until: readonly string[]) {
  let text = tokenizer.decode(ids.filter((id) => id !== tokenizer.eosId));
  for (const stop of until) {
    const at = text.indexOf(stop);
    if (at >= 0) text = text.slice(0, at);
  }
  return text;
}

/**
 * Greedy continuation of a generation prompt (no BOS, as the log-likelihood requests), cut at
 * the first stop string as lm-eval's `generate_until` does.
 */
export async function generateInstance(
  model: CausalLM,
  tokenizer: Tokenizer,
  instance: GenerationInstance,
  maxNewTokens: number,
): Promise<GenerationSample> {
  const out = await greedyGenerate(
    model,
    promptIds(model, tokenizer, instance.prompt, maxNewTokens),
    {
      maxNewTokens,
      eosId: tokenizer.eosId,
      stopStrings: instance.until,
      decode: (ids) => tokenizer.decode(ids),
    },
  );
  return {
    doc: instance.doc,
    prediction: cutAtStops(tokenizer, out.ids, instance.until),
    reference: instance.reference,
  };
}

/**
 * Every generation instance at once: same-length prompts decode together as one KV-cached
 * batch (`greedyGenerateBatch`), each stopping at its first stop string, EOS or the cap.
 * Predictions equal `generateInstance`'s one by one; samples come back in document order.
 */
export async function generateInstances(
  model: CausalLM,
  tokenizer: Tokenizer,
  instances: readonly GenerationInstance[],
  options: { maxNewTokens: number; batchSize?: number; onProgress?: (done: number) => void },
): Promise<{ samples: GenerationSample[]; stats: BatchGenerateStats }> {
  // One batch run per set of stop strings (every instance of a task shares one in practice).
  const groups = new Map<string, number[]>();
  instances.forEach((inst, i) => {
    const key = JSON.stringify(inst.until);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const outputs: number[][] = instances.map(() => []);
  const stats: BatchGenerateStats = { forwards: 0, generated: 0 };
  let done = 0;
  for (const [key, members] of groups) {
    const r = await greedyGenerateBatch(
      model,
      members.map((i) =>
        promptIds(
          model,
          tokenizer,
          (instances[i] as GenerationInstance).prompt,
          options.maxNewTokens,
        ),
      ),
      {
        maxNewTokens: options.maxNewTokens,
        eosId: tokenizer.eosId,
        stopStrings: JSON.parse(key) as string[],
        decode: (ids) => tokenizer.decode(ids),
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        onDone: () => options.onProgress?.(++done),
      },
    );
    members.forEach((i, j) => (outputs[i] = r.outputs[j] as number[]));
    stats.forwards += r.stats.forwards;
    stats.generated += r.stats.generated;
  }
  const samples = instances.map((inst, i) => ({
    doc: inst.doc,
    prediction: cutAtStops(tokenizer, outputs[i] as number[], inst.until),
    reference: inst.reference,
  }));
  return { samples, stats };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Runs one benchmark end to end: load, build the lm-eval requests, score, aggregate. */
export async function evaluate(
  model: CausalLM,
  tokenizer: Tokenizer,
  options: EvaluateOptions,
): Promise<EvalResult> {
  const task = findTask(options.task);
  const shots = options.shots ?? task.defaultShots;
  const built = await task.build({ ...options, shots });
  if (built.instances.length === 0)
    throw new UsageError(`${options.task}: no documents to evaluate`);
  const total = built.instances.length;
  if (built.kind === 'multiple_choice') {
    const samples: ChoiceSample[] = [];
    for (const instance of built.instances) {
      samples.push(await scoreChoiceInstance(model, tokenizer, instance, options.mode));
      options.onProgress?.(samples.length, total);
    }
    const result: EvalResult = {
      task: task.name,
      n: total,
      shots,
      chance: chanceLevel(built.instances.map((inst) => inst.requests.length)),
      metrics: {
        acc: mean(samples.map((s) => (s.pred === s.gold ? 1 : 0))),
        acc_norm: mean(samples.map((s) => (s.predNorm === s.gold ? 1 : 0))),
      },
    };
    if (options.logSamples) result.samples = samples;
    return result;
  }
  const { samples } = await generateInstances(model, tokenizer, built.instances, {
    maxNewTokens: options.maxNewTokens ?? built.maxNewTokens ?? 256,
    onProgress: (done) => options.onProgress?.(done, total),
  });
  let result: EvalResult;
  if (built.metric === 'bleu') {
    const sentences = samples.map((s) => segmentStats(s.prediction, [s.reference]));
    const ci = bleuBootstrapInterval(sentences);
    result = {
      task: task.name,
      n: total,
      shots,
      chance: 0,
      metrics: { bleu: computeBleu(sumStats(sentences), false).score },
      bootstrap: { bleu: { lower: ci.lower, upper: ci.upper, stderr: ci.stderr } },
    };
  } else {
    const correct = built.instances.map((inst, i) =>
      inst.isCorrect?.(samples[i]?.prediction ?? '') ? 1 : 0,
    );
    result = {
      task: task.name,
      n: total,
      shots,
      chance: 0,
      metrics: { exact_match: mean(correct) },
    };
  }
  if (options.logSamples) result.samples = samples;
  return result;
}
