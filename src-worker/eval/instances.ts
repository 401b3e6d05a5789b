/**
 * What a task hands the scorer: lm-evaluation-harness's requests, already built. A multiple
 * choice question is one `(context, continuation)` pair per choice; a generation item is one
 * prompt with its stop strings and reference.
 */

export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

export interface MultipleChoiceInstance {
  /** The loaded document, echoed by `--log-samples`. */
  doc: unknown;
  /** One per choice, in choice order. */
  requests: LoglikelihoodRequest[];
  /**
   * What lm-eval's `acc_norm` divides each choice's log-prob by: the length in characters
   * (Unicode code points, as Python's `len`) of the choice as `doc_to_choice` gives it, without
   * the delimiter.
   */
  choiceLengths: number[];
  gold: number;
}

export interface GenerationInstance {
  doc: unknown;
  prompt: string;
  /** Generation stops at the first of these (lm-eval's `until`) or at EOS; cut before it. */
  until: string[];
  reference: string;
  /** For exact-match tasks: whether a prediction counts as correct. */
  isCorrect?: (prediction: string) => boolean;
}

/** Python's `len(str)`: code points, so astral characters count once. */
export function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
