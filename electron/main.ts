/**
 * The desktop app's main process: starts (or finds) the engine, opens one window on the UI
 * it serves, and answers the page's three calls (bridge.ts) — the system folder picker,
 * notifications, and ejecting a card. Everything else the page does over the HTTP API, as in
 * a browser.
 */
import './threadpool.ts'; // first: before anything starts libuv's thread pool
import { app, BrowserWindow, dialog, ipcMain, Notification, session, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { startBackend, type Backend } from './backend.ts';
import { CHANNELS, checkCardId, checkNotice, checkTitle } from './bridge.ts';
import { isAppUrl, launchPlan, windowUrl } from './launch.ts';

let backend: Backend | undefined;
let window: BrowserWindow | undefined;

/** A call from anything but the app's own page is refused. */
function fromApp(e: IpcMainInvokeEvent): void {
  if (!backend || !e.senderFrame || !isAppUrl(e.senderFrame.url, backend.url)) throw new Error('refused: not the Rushes page');
}

function answerThePage(): void {
  ipcMain.handle(CHANNELS.pickFolder, async (e, title: unknown) => {
    fromApp(e);
    const options = { title: checkTitle(title), properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
    const picked = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return picked.canceled ? undefined : picked.filePaths[0];
  });
  ipcMain.handle(CHANNELS.notify, (e, notice: unknown) => {
    fromApp(e);
    if (Notification.isSupported()) new Notification(checkNotice(notice)).show();
  });
  ipcMain.handle(CHANNELS.eject, (e, cardId: unknown) => {
    fromApp(e);
    return backend!.eject(checkCardId(cardId));
  });
}

function openWindow(b: Backend): void {
  window = new BrowserWindow({
    width: 1440,
    height: 960,
    title: 'Rushes',
    backgroundColor: '#0f1216',
    webPreferences: { preload: join(__dirname, 'preload.cjs'), contextIsolation: true, nodeIntegration: false, sandbox: true },
  });
  // The window shows the UI and nothing else: no other site, no pop-ups, no permissions.
  window.webContents.on('will-navigate', (e, url) => {
    if (!isAppUrl(url, b.url)) e.preventDefault();
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) => grant(false));
  window.on('closed', () => (window = undefined));
  void window.loadURL(windowUrl(b.url, b.token));
}

async function start(): Promise<void> {
  try {
    backend = await startBackend(launchPlan(process.argv.slice(1), process.env));
  } catch (e) {
    dialog.showErrorBox('Rushes cannot start', (e as Error).message);
    app.exit(1);
    return;
  }
  answerThePage();
  openWindow(backend);
}

// One app per data home: a second launch shows the first one's window.
if (!app.requestSingleInstanceLock()) app.quit();
else {
  app.on('second-instance', () => window?.focus());
  app.on('window-all-closed', () => app.quit());
  let stopping = false;
  app.on('will-quit', (e) => {
    if (stopping || !backend) return;
    // Running jobs reach a checkpoint and go back to the queue before the app exits.
    e.preventDefault();
    stopping = true;
    void backend.stop().finally(() => app.quit());
  });
  void app.whenReady().then(start);
}
