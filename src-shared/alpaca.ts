/** An instruction record (Alpaca format). Extra fields in the source files are ignored. */
export interface InstructionRecord {
  instruction: string;
  /** May be empty. */
  input: string;
  output: string;
}

/** Stanford Alpaca's prompt templates, verbatim (docs/METHOD.md "Data"). */
export const PROMPT_WITH_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further ' +
  'context. Write a response that appropriately completes the request.\n\n' +
  '### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:';

export const PROMPT_NO_INPUT =
  'Below is an instruction that describes a task. Write a response that appropriately ' +
  'completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:';

/** The filled template (no BOS): the prompt region's text. */
export function promptText(record: Pick<InstructionRecord, 'instruction' | 'input'>): string {
  // Function replacers so `$&`-style sequences in user text are kept literally.
  if (record.input.length > 0) {
    return PROMPT_WITH_INPUT.replace('{instruction}', () => record.instruction).replace(
      '{input}',
      () => record.input,
    );
  }
  return PROMPT_NO_INPUT.replace('{instruction}', () => record.instruction);
}
