import { canonicalTaskName, unknownTaskMessage } from '../../src-shared/catalogue';
import { UsageError } from '../../src-shared/errors';
import { BENCHMARK_TASKS, DEMO_TASKS, type TaskDefinition } from './tasks/index';

/** Every task `plw eval --task` accepts. */
export function allTasks(): readonly TaskDefinition[] {
  return [...BENCHMARK_TASKS, ...DEMO_TASKS];
}

/** A task by its lm-evaluation-harness name or an older alias (src-shared/catalogue). */
export function findTask(name: string): TaskDefinition {
  const canonical = canonicalTaskName(name);
  const task = allTasks().find((t) => t.name === canonical);
  if (task === undefined) throw new UsageError(`--task ${name}: ${unknownTaskMessage(name)}`);
  return task;
}
