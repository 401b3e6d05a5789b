/**
 * The worker's own record of the steps it trained, one JSON line per step, appended before
 * the step's checkpoint can be written. Main may die after the trainer saved checkpoint s but
 * before main stored steps up to s (it writes in batches); the next attempt resumes from s and
 * would never recompute them, so it replays them from here. With this, every step reaches the
 * database exactly once whatever was killed when. Built-in and external cells keep it alike.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerEvent } from '../../src-shared/protocol';

export const JOURNAL_FILE = 'metrics.jsonl';

export type TrainProgress = Extract<WorkerEvent, { type: 'progress'; phase: 'train' }>;

/** Journal entries up to `step`; the file is cut back to them (later steps are recomputed). */
export function journalUpTo(dir: string, step: number): TrainProgress[] {
  const file = join(dir, JOURNAL_FILE);
  if (!existsSync(file)) return [];
  const kept: TrainProgress[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const e = JSON.parse(line) as TrainProgress;
      if (e.step <= step) kept.push(e);
    } catch {
      // A line cut by a kill in the middle of a write: it was never followed by a checkpoint.
    }
  }
  writeFileSync(file, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return kept;
}

/** Appends one step to the journal in `dir`. */
export function journalStep(dir: string, event: TrainProgress): void {
  appendFileSync(join(dir, JOURNAL_FILE), `${JSON.stringify(event)}\n`);
}
