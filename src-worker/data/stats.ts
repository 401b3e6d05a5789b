import type { InstructionRecord } from '../../src-shared/alpaca';
import { PlwError } from '../../src-shared/errors';
import type { Tokenizer } from '../tokenizers/types';
import { shortCompletion } from './short';
import { recordCounts } from './token-counts';

/** Mean and population standard deviation of one field's token counts. */
export interface MeanStd {
  mean: number;
  std: number;
}

/** docs/METHOD.md "Dataset statistics"; field names are those of `plw data stats --json`, docs/CLI.md "Datasets". */
export interface DatasetStats {
  count: number;
  instruction: MeanStd;
  input: MeanStd;
  completion: MeanStd;
  /** Sum of instruction, input and output token counts over all records. */
  totalTokens: number;
  /**
   * Mean completion count / mean (instruction + input) count: < 1 short-completion, > 1
   * long-completion. Infinity when every prompt is empty.
   */
  completionPromptRatio: number;
}

export interface DatasetStatsOptions {
  /** Apply the short-completion transform (docs/METHOD.md "The short-completion transform") to each record before counting. */
  short?: boolean;
}

/**
 * Welford's online mean and variance (Knuth, TAOCP vol. 2, 4.2.2): one pass, stable for
 * millions of records where a naive sum of squares would cancel.
 */
class RunningMoments {
  private n = 0;
  private mean = 0;
  private m2 = 0;

  push(x: number): void {
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
  }

  /** Population statistics (divide by n, not n - 1), as docs/METHOD.md "Dataset statistics" asks. */
  result(): MeanStd {
    return { mean: this.mean, std: this.n > 0 ? Math.sqrt(Math.max(0, this.m2 / this.n)) : 0 };
  }
}

/**
 * Token statistics of a dataset in one streaming pass: each field tokenized alone, no
 * template, no BOS/EOS, an empty input counting 0.
 * @throws PlwError('bad_input') when there are no records (no mean to report).
 * @example await datasetStats([{instruction: 'ab', input: '', output: 'abcd'}], byte)
 *   // → {count: 1, instruction: {mean: 2, std: 0}, input: {mean: 0, std: 0},
 *   //    completion: {mean: 4, std: 0}, totalTokens: 6, completionPromptRatio: 2}
 */
export async function datasetStats(
  records: AsyncIterable<InstructionRecord> | Iterable<InstructionRecord>,
  tokenizer: Tokenizer,
  options: DatasetStatsOptions = {},
): Promise<DatasetStats> {
  const instruction = new RunningMoments();
  const input = new RunningMoments();
  const completion = new RunningMoments();
  let count = 0;
  let totalTokens = 0;
  for await (const record of records) {
    let counts = recordCounts(record, tokenizer);
    if (options.short) counts = shortCompletion(record, tokenizer, counts).counts;
    instruction.push(counts.instruction);
    input.push(counts.input);
    completion.push(counts.output);
    totalTokens += counts.instruction + counts.input + counts.output;
    count++;
  }
  if (count === 0) throw new PlwError('bad_input', 'dataset statistics need at least one record');
  const ins = instruction.result();
  const inp = input.result();
  const out = completion.result();
  const promptMean = ins.mean + inp.mean;
  return {
    count,
    instruction: ins,
    input: inp,
    completion: out,
    totalTokens,
    completionPromptRatio: promptMean > 0 ? out.mean / promptMean : Infinity,
  };
}
