/** IPC channel names shared by the Electron main process and the preload. */
export const INVOKE_CHANNEL = 'plw:invoke';
export const EVENT_CHANNEL = 'plw:event';
