/**
 * Benchmark documents after loading, one shape per benchmark whatever file layout they came
 * from (AI2/original release or Hugging Face export). Field names follow the Hugging Face
 * datasets lm-evaluation-harness reads, so its templates map over one to one.
 */

/** ARC: `choices`/`labels` in file order; `gold` = index of `answerKey` among the labels. */
export interface ArcDoc {
  id: string;
  question: string;
  choices: string[];
  labels: string[];
  gold: number;
}

/** PIQA: a goal and two solutions; `label` 0 or 1. */
export interface PiqaDoc {
  goal: string;
  sol1: string;
  sol2: string;
  label: number;
}

/** TruthfulQA MC1: choices in file order, exactly one correct (`gold`, 0 in the real data). */
export interface TruthfulQaDoc {
  question: string;
  choices: string[];
  gold: number;
}

/** WinoGrande: a sentence with one `_` blank, two options, `answer` 1 or 2. */
export interface WinograndeDoc {
  sentence: string;
  option1: string;
  option2: string;
  answer: 1 | 2;
}

/** One segment of a translation test set. */
export interface TranslationDoc {
  source: string;
  reference: string;
}
