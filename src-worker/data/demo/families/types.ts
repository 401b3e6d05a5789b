import type { Rng } from '../../../../src-shared/random';

export type DemoFamilyName =
  'arithmetic' | 'sort_numbers' | 'reverse_words' | 'count_letters' | 'extract_field' | 'copy_rule';

/** One generated task, before it is rendered as a training record or an evaluation item. */
export interface DemoProblem {
  family: DemoFamilyName;
  /**
   * The underlying problem with its phrasing left out (e.g. `arith:23+48`): two problems with
   * one key are the same task, so evaluation items are kept disjoint from training by key.
   */
  key: string;
  instruction: string;
  /** Empty for families phrased without an input. */
  input: string;
  /** The exact short answer: what a checker compares against. */
  answer: string;
  /** Worked steps leading to the answer: the long completion, before its "Answer:" line. */
  steps: string;
  /** Plausible wrong answers (the usual slips), most plausible first; may hold repeats. */
  wrong: string[];
}

export interface DemoFamily {
  name: DemoFamilyName;
  /** One random problem of this family. */
  make(rng: Rng): DemoProblem;
}
