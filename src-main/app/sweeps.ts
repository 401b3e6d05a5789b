/** The API's sweep handlers: list, inspect, validate, create and act on sweeps. */
import type { PlwHandlers, ValidationIssue } from '../../src-shared/api';
import { InputError } from '../../src-shared/errors';
import { expandCells } from '../../src-shared/sweep';
import { resolveSweep, type Builtins } from '../sweeps/load';
import type { Workspace } from '../workspace/workspace';
import type { Emit } from './api-events';
import type { Summaries } from './summaries';

export interface SweepContext {
  ws: Workspace;
  summaries: Summaries;
  builtins: Builtins;
  /** Relative paths in sweeps created from the UI are taken from here. */
  baseDir: string;
  emit: Emit;
}

/** Creates a sweep (or continues the same one), announces it and, with `start`, runs it. */
export type CreateSweep = (definition: unknown, start: boolean) => { id: number; created: boolean };

export function createSweep(c: SweepContext): CreateSweep {
  return (definition, start) => {
    const def = resolveSweep(definition, '(sweep)', c.baseDir, c.builtins);
    const result = c.ws.repo.createOrContinue(def, null);
    if (!result.created) c.ws.scheduler.states.requeueUnfinished(result.id);
    c.emit('sweeps:changed', { sweepId: result.id });
    if (start) c.ws.kick();
    return result;
  };
}

export function sweepHandlers(
  c: SweepContext,
  create: CreateSweep,
): Pick<
  PlwHandlers,
  'sweeps:list' | 'sweeps:get' | 'sweeps:validate' | 'sweeps:create' | 'sweeps:action'
> {
  const { ws } = c;
  const validate = (
    definition: unknown,
  ): { ok: boolean; issues: ValidationIssue[]; cells: number } => {
    try {
      const def = resolveSweep(definition, '(sweep)', c.baseDir, c.builtins);
      return { ok: true, issues: [], cells: expandCells(def).length };
    } catch (err) {
      if (err instanceof InputError) {
        return {
          ok: false,
          issues: [
            {
              path: err.location.field ?? '',
              message: err.message.replace(/^\(sweep\): (field "[^"]*": )?/, ''),
            },
          ],
          cells: 0,
        };
      }
      throw err;
    }
  };
  return {
    'sweeps:list': () =>
      ws.repo
        .sweeps()
        .reverse()
        .map((s) => c.summaries.sweep(s.id).summary),
    'sweeps:get': ({ id }) => {
      const { summary, cellList } = c.summaries.sweep(id);
      const sweep = ws.repo.sweep(id);
      return {
        ...summary,
        definition: sweep?.definition ?? null,
        benchmarks: sweep?.definition.benchmarks.map((b) => b.task) ?? [],
        cellList: cellList(),
      };
    },
    'sweeps:validate': ({ definition }) => validate(definition),
    'sweeps:create': ({ definition, start }) => create(definition, start),
    'sweeps:action': ({ id, action }) => {
      const changed =
        action === 'retry-failed'
          ? ws.scheduler.states.requeueUnfinished(id)
          : ws.actOnSweep(id, action);
      if (action === 'retry-failed' || action === 'resume') ws.kick();
      c.emit('sweeps:changed', { sweepId: id });
      return { changed };
    },
  };
}
