import { app, clipboard, Menu, Notification, Tray, nativeImage } from 'electron';
import { toErrorInfo } from '../core/errors';
import type { AppContext } from '../ipc/app-context';
import { trayMenuTemplate, trayModel, trayTooltip, type TrayActions, type TrayModel } from './tray-menu';

export interface TrayOptions {
  iconPath: string;
  context: AppContext;
  show(): void;
  browse(credentialId: string): void;
  quit(): void;
  /** How often saved keys are checked for due rotation. */
  checkIntervalMs?: number;
}

export interface TrayController {
  tray: Tray;
  refresh(): TrayModel;
  /** Updates badge and tooltip, and notifies about keys that became due since the last notification. */
  checkDue(): void;
}

const FOUR_HOURS = 4 * 60 * 60 * 1000;

/** The tray keeps Keydesk reachable after its window is closed, and shows which keys need rotating. */
export function createTray(options: TrayOptions): TrayController {
  const { context } = options;
  const tray = new Tray(nativeImage.createFromPath(options.iconPath));
  const notified = new Set<string>();

  const actions: TrayActions = {
    show: options.show,
    quit: options.quit,
    browse: options.browse,
    copyAccessKeyId: (id) => clipboard.writeText(context.vault.get(id).accessKeyId),
    rotate: (id) => void rotate(id),
  };

  function refresh(): TrayModel {
    const accounts = context.accounts.list().map((a) => ({ id: a.id, label: a.label, canRotate: a.provider.capabilities.rotation !== 'none' }));
    const failing = (id: string) => {
      const health = context.metadata.health(id);
      return health?.failure && health.accessKeyId === context.vault.get(id).accessKeyId ? health.failure.reason : undefined;
    };
    const model = trayModel(context.vault.list(), accounts, (id) => context.rotation.isRunning(id), new Date(), failing);
    tray.setToolTip(trayTooltip(model));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(model, actions)));
    // Dock/launcher badge where the desktop shows one (macOS, Unity launchers); a no-op elsewhere.
    app.setBadgeCount(model.dueCount);
    return model;
  }

  async function rotate(credentialId: string): Promise<void> {
    const { label } = context.vault.get(credentialId);
    try {
      const result = await context.rotation.rotate(credentialId);
      notified.delete(credentialId);
      notify('Key rotated', `${label} now uses ${result.newAccessKeyId}; the old key was ${result.revoked}.`);
    } catch (error) {
      const info = toErrorInfo(error);
      notify('Rotation failed', `${label}: ${info.message}`);
      // The tray cannot ask for the confirmation a regenerate-in-place rotation needs; the window can.
      if (info.providerCode === 'ConfirmationRequired') options.show();
    } finally {
      refresh();
    }
  }

  function checkDue(): void {
    const model = refresh();
    const fresh = model.groups.flatMap((g) => g.keys).filter((k) => k.due && !notified.has(k.credentialId));
    if (!fresh.length) return;
    for (const key of fresh) notified.add(key.credentialId);
    const title = `${model.dueCount} key${model.dueCount === 1 ? '' : 's'} due for rotation`;
    notify(title, fresh.map((k) => `${k.label} (${k.age})`).join(', '));
  }

  function notify(title: string, body: string): void {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title, body });
    notification.on('click', options.show);
    notification.show();
  }

  context.events.subscribe((event) => {
    if (event === 'credentials:changed' || event === 'credentials:health' || event === 'accounts:changed' || event === 'rotation:progress') refresh();
  });
  tray.on('click', options.show);
  checkDue();
  setInterval(checkDue, options.checkIntervalMs ?? FOUR_HOURS).unref();
  return { tray, refresh, checkDue };
}
