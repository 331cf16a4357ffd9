/**
 * The preload script: runs isolated from the page (contextIsolation) and hands it exactly
 * the calls renderer/src/desktop.ts describes, each a message to the main process — no
 * Node, no Electron object, nothing else reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopBridge } from '../renderer/src/desktop.ts';
import { CHANNELS } from './bridge.ts';

const bridge: DesktopBridge = {
  pickFolder: (title) => ipcRenderer.invoke(CHANNELS.pickFolder, title) as Promise<string | undefined>,
  notify: (notice) => void ipcRenderer.invoke(CHANNELS.notify, { title: notice.title, body: notice.body }),
  eject: (cardId) => ipcRenderer.invoke(CHANNELS.eject, cardId) as Promise<{ ejected: boolean; message: string }>,
};

contextBridge.exposeInMainWorld('rushesDesktop', bridge);
