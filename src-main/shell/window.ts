import { BrowserWindow } from 'electron';
import type { RendererLocation } from './renderer-location';
import { lockDownContents, SECURE_WEB_PREFERENCES } from './security';

export function createMainWindow(location: RendererLocation, preloadPath: string, iconPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1200,
    height: 780,
    minWidth: 760,
    minHeight: 520,
    title: 'Keydesk',
    icon: iconPath,
    show: false,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: preloadPath },
  });
  lockDownContents(window.webContents, location.isAppUrl);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(location.url);
  return window;
}
