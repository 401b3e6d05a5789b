/** The API's cell handlers: act on cells, inspect one, read their metrics. */
import type { MetricPoint, PlwHandlers } from '../../src-shared/api';
import { lttb } from '../../src-shared/downsample';
import { PlwError } from '../../src-shared/errors';
import type { Workspace } from '../workspace/workspace';
import { toMetricPoint } from './api-events';
import type { Summaries } from './summaries';

export function cellHandlers(
  ws: Workspace,
  summaries: Summaries,
): Pick<PlwHandlers, 'cells:action' | 'cells:get' | 'cells:metrics'> {
  const { repo } = ws;
  return {
    'cells:action': ({ ids, action }) => {
      let changed = 0;
      for (const id of ids) if (ws.act(id, action)) changed += 1;
      if (action === 'retry' || action === 'resume') ws.kick();
      return { changed };
    },
    'cells:get': ({ id }) => {
      const c = repo.cell(id);
      if (!c) throw new PlwError('bad_input', `cell ${id}: no such cell`);
      return {
        cell: summaries.cell(c),
        scores: repo.scores(id),
        logs: repo.logs(id),
        checkpoints: repo.checkpoints(id),
      };
    },
    'cells:metrics': ({ ids, maxPoints }) => {
      const out: Record<number, MetricPoint[]> = {};
      for (const id of ids) {
        const points = repo.metrics(id).map(toMetricPoint);
        out[id] =
          maxPoints > 0 && points.length > maxPoints
            ? lttb(
                points,
                maxPoints,
                (p) => p.step,
                (p) => p.loss,
              )
            : points;
      }
      return out;
    },
  };
}
