/** The hub's events as the API pushes them (src-shared/api.ts PlwEvents). */
import type { EventName, MetricPoint, PlwEvents } from '../../src-shared/api';
import type { HubEvent } from '../events/event-hub';

export function toMetricPoint(m: {
  step: number;
  loss: number | null;
  promptLoss: number | null;
  completionLoss: number | null;
  lr: number | null;
  tokensPerSec: number | null;
  time: number;
}): MetricPoint {
  return {
    step: m.step,
    loss: m.loss ?? Number.NaN,
    promptLoss: m.promptLoss,
    completionLoss: m.completionLoss,
    lr: m.lr ?? 0,
    tokensPerSec: m.tokensPerSec,
    time: m.time,
  };
}

/** Translates hub events into the API's pushed events. */
export function toApiEvent(e: HubEvent): { [E in EventName]: [E, PlwEvents[E]] }[EventName] | null {
  switch (e.type) {
    case 'progress':
      return [
        'cell:progress',
        {
          cellId: e.cellId,
          sweepId: e.sweepId,
          point: toMetricPoint(e.metrics),
          totalSteps: e.metrics.totalSteps,
          etaSeconds: e.etaSeconds,
        },
      ];
    case 'state':
      return [
        'cell:state',
        { cellId: e.cellId, sweepId: e.sweepId, state: e.state, error: e.error },
      ];
    case 'score':
      return [
        'cell:score',
        {
          cellId: e.cellId,
          sweepId: e.sweepId,
          score: { benchmark: e.benchmark, metric: e.metric, value: e.value, stderr: e.stderr },
        },
      ];
    case 'log':
      return [
        'cell:log',
        {
          cellId: e.cellId,
          sweepId: e.sweepId,
          log: { time: Date.now(), level: e.level, message: e.message },
        },
      ];
    default:
      return null;
  }
}

/** Emits one pushed event to the shells' listeners. */
export type Emit = <E extends EventName>(event: E, payload: PlwEvents[E]) => void;
