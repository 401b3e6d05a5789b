/**
 * The trainer's stdout under the contract (README "Your own trainer and lm-evaluation-harness"):
 * one JSON object per line, `{"total_steps"}`, `{"step", "loss", …}` or `{"checkpoint", "step"}`;
 * every other line is log text. A line that starts with `{` but is not valid JSON, or whose
 * `step` / `loss` is not a number, is a warning naming its line number: never stored, never fatal.
 */

export interface StepLine {
  kind: 'step';
  step: number;
  loss: number;
  promptLoss: number | null;
  completionLoss: number | null;
  lr: number | null;
  gradNorm: number | null;
  tokens: number | null;
  tokensPerSec: number | null;
}

export type TrainerLine =
  | { kind: 'total'; totalSteps: number }
  | StepLine
  | { kind: 'checkpoint'; dir: string; step: number }
  | { kind: 'text'; text: string }
  | { kind: 'warn'; message: string };

function finite(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function isCount(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

function excerpt(line: string): string {
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/** Reads one stdout line (1-based `lineNo` for warnings). */
export function parseTrainerLine(line: string, lineNo: number): TrainerLine {
  const text = line.replace(/\r$/, '');
  if (!text.trimStart().startsWith('{')) return { kind: 'text', text };
  const warn = (why: string): TrainerLine => ({
    kind: 'warn',
    message: `trainer stdout line ${lineNo}: ${why}, ignored: ${excerpt(text.trim())}`,
  });
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return warn('not valid JSON');
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return warn('not a JSON object');
  }
  const o = obj as Record<string, unknown>;
  if ('checkpoint' in o) {
    if (typeof o.checkpoint !== 'string' || o.checkpoint === '') {
      return warn('"checkpoint" is not a folder path');
    }
    if (!isCount(o.step, 0)) return warn('"step" of a checkpoint is not a whole number');
    return { kind: 'checkpoint', dir: o.checkpoint, step: o.step };
  }
  if ('step' in o || 'loss' in o) {
    if (!isCount(o.step, 1)) return warn('"step" is not a whole number >= 1');
    if (finite(o.loss) === null) return warn('"loss" is not a number');
    return {
      kind: 'step',
      step: o.step,
      loss: o.loss as number,
      promptLoss: finite(o.prompt_loss),
      completionLoss: finite(o.completion_loss),
      lr: finite(o.lr),
      gradNorm: finite(o.grad_norm),
      tokens: finite(o.tokens),
      tokensPerSec: finite(o.tokens_per_sec),
    };
  }
  if ('total_steps' in o) {
    if (!isCount(o.total_steps, 1)) return warn('"total_steps" is not a whole number >= 1');
    return { kind: 'total', totalSteps: o.total_steps };
  }
  return { kind: 'text', text };
}

/** Splits a byte stream into lines (a last unterminated line is flushed at the end). */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.onLine(p);
  }

  end(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}
