import { UsageError } from '../../src-shared/errors';
import { BENCHMARK_TASKS, DEMO_TASKS, type TaskDefinition } from './tasks/index';

/** Every task `plw eval --task` accepts. */
export function allTasks(): readonly TaskDefinition[] {
  return [...BENCHMARK_TASKS, ...DEMO_TASKS];
}

export function findTask(name: string): TaskDefinition {
  const task = allTasks().find((t) => t.name === name);
  if (task === undefined) {
    throw new UsageError(
      `--task ${name}: unknown task; one of ${allTasks()
        .map((t) => t.name)
        .join(', ')}`,
    );
  }
  return task;
}
