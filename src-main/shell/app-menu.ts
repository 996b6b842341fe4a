import type { MenuItemConstructorOptions } from 'electron';
import type { AppNavigation } from '../ipc/channels/app';
import { accelerator } from '../ipc/shortcuts';

/**
 * The application menu as a pure template builder (like tray-menu.ts), so what it offers is
 * unit-testable without Electron. Screens and Help sheets reach the window as `app:navigate`.
 */

export interface AppMenuActions {
  navigate(target: AppNavigation): void;
  back(): void;
  forward(): void;
}

export function appMenuTemplate(actions: AppMenuActions, options: { platform: string; appName: string; devTools: boolean }): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const go = (target: AppNavigation) => () => actions.navigate(target);
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: options.appName,
      submenu: [
        { label: `About ${options.appName}`, click: go({ view: 'about' }) },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: 'File',
      submenu: [
        { label: 'Add Credentials…', accelerator: accelerator('menu-add-credential'), click: go({ view: 'add-credential' }) },
        { label: 'Add Account…', accelerator: accelerator('menu-add-account'), click: go({ view: 'add-account' }) },
        { label: 'Import…', accelerator: accelerator('menu-import'), click: go({ view: 'import' }) },
        { type: 'separator' },
        // Closing the window keeps Keydesk in the tray; Quit ends it (transfers stop and resume next time).
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { label: 'Credentials', accelerator: accelerator('menu-credentials'), click: go({ view: 'credentials' }) },
        { label: 'Accounts', accelerator: accelerator('menu-accounts'), click: go({ view: 'accounts' }) },
        { label: 'Buckets', accelerator: accelerator('menu-buckets'), click: go({ view: 'browse' }) },
        { type: 'separator' },
        { label: 'Back', accelerator: accelerator('back'), click: actions.back },
        { label: 'Forward', accelerator: accelerator('forward'), click: actions.forward },
        { type: 'separator' },
        { role: 'reload', accelerator: accelerator('menu-reload') },
        ...(options.devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Help',
      submenu: [
        { label: 'Keyboard Shortcuts', accelerator: accelerator('menu-shortcuts'), click: go({ view: 'shortcuts' }) },
        ...(mac ? [] : [{ type: 'separator' } as const, { label: `About ${options.appName}`, click: go({ view: 'about' }) }]),
      ],
    },
  );
  return template;
}
