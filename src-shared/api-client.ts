/**
 * Builds the typed `PlwApi` object from one untyped `invoke` function, so every shell's client
 * (web-mode WebSocket, Electron preload bridge, tests) has the same shape and channel list.
 */
import { requestSchemas, type Channel, type PlwApi } from './api';

export type Invoke = (channel: Channel, payload: unknown) => Promise<unknown>;

export function makeApi(invoke: Invoke): PlwApi {
  const api: Record<string, (request: unknown) => Promise<unknown>> = {};
  for (const channel of Object.keys(requestSchemas) as Channel[]) {
    api[channel] = (request: unknown) => invoke(channel, request ?? {});
  }
  return api as PlwApi;
}
