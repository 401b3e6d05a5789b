/**
 * The Electron shell: one window on the shared renderer, the typed API over IPC (every
 * payload validated by `dispatch`), workers as utilityProcess, and the workspace in app-data.
 * The only code besides preload.ts and the utilityProcess host that imports electron.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Channel } from '../../src-shared/api';
import { dispatch } from '../api/dispatch';
import { openWorkspaceService, type WorkspaceService } from '../app/service';
import { appBuiltins } from '../sweeps/builtins';
import { prepareDemoSweep } from '../demo/prepare';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels';
import { UtilityProcessHost } from './utility-host';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(rendererIndex).href;

/** Only our own page may call the API (a navigated-away or injected frame may not). */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(rendererUrl.replace(/index\.html$/, '')) || url.startsWith(rendererUrl);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'PLW Studio',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // No pop-ups, no navigation away from the app; links open in the user's browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!url.startsWith(rendererUrl.split('#')[0] ?? rendererUrl)) e.preventDefault();
  });
  void win.loadURL(rendererUrl);
  return win;
}

function buildMenu(): void {
  const template: Electron.MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let window: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });

  await app.whenReady();
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] },
    });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );

  // One host for cells, dataset jobs and the demo base model's pre-training alike.
  const host = new UtilityProcessHost();
  const service: WorkspaceService = await openWorkspaceService({
    dbPath: join(app.getPath('userData'), 'workspace.sqlite'),
    host,
    builtins: appBuiltins(),
    demoSweep: (onStep) => prepareDemoSweep(host, (line) => console.log(line), onStep),
  });

  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, payload: unknown) => {
    if (!trustedSender(event)) {
      return { ok: false, error: { code: 'bad_usage', message: 'untrusted sender' } };
    }
    return dispatch(service.handlers, channel as Channel, payload);
  });
  service.events.subscribe((event, payload) => {
    for (const w of BrowserWindow.getAllWindows())
      w.webContents.send(EVENT_CHANNEL, event, payload);
  });

  buildMenu();
  window = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    void service.close();
  });
}

void main();
