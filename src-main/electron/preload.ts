/**
 * The preload of the sandboxed renderer: exposes exactly the typed bridge (`invoke` one API
 * channel, subscribe to pushed events) through contextBridge — no Node, no raw ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Channel, EventName, PlwBridge } from '../../src-shared/api';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels';

const bridge = {
  invoke: (channel: Channel, payload: unknown) =>
    ipcRenderer.invoke(INVOKE_CHANNEL, channel, payload) as ReturnType<PlwBridge['invoke']>,
  on: (listener: (event: EventName, payload: unknown) => void) => {
    const wrapped = (_e: IpcRendererEvent, event: EventName, payload: unknown): void =>
      listener(event, payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
} satisfies PlwBridge;

contextBridge.exposeInMainWorld('plwBridge', bridge);
