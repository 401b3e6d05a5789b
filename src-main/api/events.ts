import type { EventName, PlwEvents } from '../../src-shared/api';

export type EventListener = <E extends EventName>(event: E, payload: PlwEvents[E]) => void;

/** Where a shell subscribes to the pushed events (the EventHub implements it). */
export interface EventFeed {
  subscribe(listener: EventListener): () => void;
}
