import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';

export interface TrayActions {
  show(): void;
  quit(): void;
}

/** The tray keeps Keydesk reachable after its window is closed. */
export function createTray(iconPath: string, actions: TrayActions): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('Keydesk');
  tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(actions)));
  tray.on('click', actions.show);
  return tray;
}

export function trayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Show Keydesk', click: actions.show },
    { type: 'separator' },
    { label: 'Quit', click: actions.quit },
  ];
}
