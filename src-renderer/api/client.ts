/**
 * The renderer's API client: Electron's preload bridge when present (`window.plwBridge`),
 * otherwise a WebSocket to `plw serve` (web mode). Both give the same `PlwClient`.
 */
import type { EventName, PlwBridge, PlwClient, PlwEvents, WireMessage } from '../../src-shared/api';
import { makeApi } from '../../src-shared/api-client';
import type { ErrorData } from '../../src-shared/errors';

declare global {
  interface Window {
    plwBridge?: PlwBridge;
  }
}

export class ApiError extends Error {
  readonly code: string;
  constructor(data: ErrorData) {
    super(data.message);
    this.code = data.code;
  }
}

type Listener = (payload: unknown) => void;

function listenerSet() {
  const listeners = new Map<EventName, Set<Listener>>();
  return {
    emit(event: EventName, payload: unknown) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    on<E extends EventName>(event: E, listener: (p: PlwEvents[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      const l = listener as Listener;
      set.add(l);
      return () => set.delete(l);
    },
  };
}

function bridgeClient(bridge: PlwBridge): PlwClient {
  const events = listenerSet();
  bridge.on((event, payload) => events.emit(event, payload));
  return {
    api: makeApi(async (channel, payload) => {
      const r = await bridge.invoke(channel, payload);
      if (!r.ok) throw new ApiError(r.error ?? { code: 'internal', message: 'no reply' });
      return r.result;
    }),
    on: events.on,
  };
}

/** Connection state of web mode, for the status indicator. */
export type ConnectionState = 'connecting' | 'open' | 'closed';

function webClient(onState: (s: ConnectionState) => void): PlwClient {
  const events = listenerSet();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  const token = new URLSearchParams(location.search).get('token') ?? '';

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    onState('connecting');
    ready = new Promise((resolve, reject) => {
      const ws = new WebSocket(
        `ws://${location.host}/api${token ? `?token=${encodeURIComponent(token)}` : ''}`,
      );
      ws.onopen = () => {
        socket = ws;
        onState('open');
        resolve(ws);
      };
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as WireMessage;
        if (msg.kind === 'event') events.emit(msg.event, msg.payload);
        else if (msg.kind === 'response') {
          const p = pending.get(msg.id);
          if (!p) return;
          pending.delete(msg.id);
          if (msg.ok) p.resolve(msg.result);
          else p.reject(new ApiError(msg.error));
        }
      };
      ws.onclose = () => {
        onState('closed');
        for (const p of pending.values()) p.reject(new Error('connection to plw serve lost'));
        pending.clear();
        socket = null;
        ready = null;
        reject(new Error('connection to plw serve closed'));
        // Reconnect so a restarted server picks the page back up.
        setTimeout(() => void connect().catch(() => undefined), 1000);
      };
    });
    return ready;
  };

  return {
    api: makeApi(async (channel, payload) => {
      const ws = socket ?? (await connect());
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ kind: 'request', id, channel, payload } satisfies WireMessage));
      });
    }),
    on: (event, listener) => {
      void connect().catch(() => undefined);
      return events.on(event, listener);
    },
  };
}

export function createClient(onState: (s: ConnectionState) => void = () => undefined): PlwClient {
  return window.plwBridge ? bridgeClient(window.plwBridge) : webClient(onState);
}
