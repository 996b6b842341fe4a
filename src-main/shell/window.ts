import { BrowserWindow } from 'electron';
import type { RendererLocation } from './renderer-location';
import { lockDownContents } from './security';

export function createMainWindow(location: RendererLocation, preloadPath: string, iconPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 780,
    minWidth: 640,
    minHeight: 520,
    title: 'Keydesk',
    icon: iconPath,
    show: false,
    // Spelled out here, not spread from a constant, so reviewers and Electronegativity see every flag.
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // Middle-click would otherwise open links in new windows.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  lockDownContents(window.webContents, location.isAppUrl);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(location.url);
  return window;
}
