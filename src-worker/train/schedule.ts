/**
 * Learning-rate schedules as Hugging Face transformers defines them
 * (`get_cosine_schedule_with_warmup`, `get_constant_schedule_with_warmup`), so a sweep's
 * curves match runs made with the Trainer. Step k (0-based) is the k-th optimizer update; as in
 * the Trainer, the scheduler steps after the update, so update 0 uses the factor at 0 (which is
 * 0 when there is warmup).
 */

export type ScheduleKind = 'cosine' | 'constant';

export interface Schedule {
  kind: ScheduleKind;
  /** Peak learning rate. */
  lr: number;
  totalSteps: number;
  warmupSteps: number;
}

/** Warmup steps as TrainingArguments.get_warmup_steps: ceil(ratio · total). */
export function warmupSteps(totalSteps: number, warmupRatio: number): number {
  return Math.ceil(totalSteps * warmupRatio);
}

/**
 * Learning rate of optimizer update `step` (0-based).
 * @example learningRate({ kind: 'cosine', lr: 1, totalSteps: 10, warmupSteps: 2 }, 1) // 0.5
 */
export function learningRate(s: Schedule, step: number): number {
  if (step < s.warmupSteps) return (s.lr * step) / Math.max(1, s.warmupSteps);
  if (s.kind === 'constant') return s.lr;
  const progress = (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps);
  // num_cycles = 0.5: a half cosine from the peak down to 0.
  return s.lr * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 2 * 0.5 * progress)));
}
