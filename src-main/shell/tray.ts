import { app, clipboard, Menu, Notification, Tray, nativeImage } from 'electron';
import { toErrorInfo } from '../core/errors';
import type { AppContext } from '../ipc/app-context';
import type { AppNavigation, Events } from '../ipc/contract';
import { trayMenuTemplate, trayModel, trayTooltip, type TrayActions, type TrayModel } from './tray-menu';

export interface TrayOptions {
  iconPath: string;
  context: AppContext;
  show(): void;
  /** Shows the window at a screen: Browse Buckets, the rotation dialog, a revoke/restore confirmation. */
  navigate(target: AppNavigation): void;
  quit(): void;
  /** How often saved keys are checked for due rotation. */
  checkIntervalMs?: number;
}

export interface TrayController {
  tray: Tray;
  refresh(): Promise<TrayModel>;
  /** Updates badge and tooltip, and notifies about keys that became due since the last notification. */
  checkDue(): Promise<void>;
}

const FOUR_HOURS = 4 * 60 * 60 * 1000;

/**
 * The tray keeps Keydesk reachable after its window is closed, shows which keys need rotating and which old
 * keys wait to be revoked, and notifies when a scheduled revocation happened or was refused. Everything
 * that changes or ends a key opens the window first, where the user sees what will happen.
 */
export function createTray(options: TrayOptions): TrayController {
  const { context } = options;
  const tray = new Tray(nativeImage.createFromPath(options.iconPath));
  const notified = new Set<string>();

  const actions: TrayActions = {
    show: options.show,
    quit: options.quit,
    browse: (credentialId) => options.navigate({ view: 'browse', credentialId }),
    copyAccessKeyId: (id) => clipboard.writeText(context.vault.get(id).accessKeyId),
    rotate: (credentialId) => options.navigate({ view: 'rotate', credentialId }),
    reportLeaked: (credentialId) => options.navigate({ view: 'leak', credentialId }),
    revokeNow: (revocationId) => options.navigate({ view: 'revocation', revocationId, action: 'revoke' }),
    restore: (revocationId) => options.navigate({ view: 'revocation', revocationId, action: 'restore' }),
    extend: (revocationId, days) => void extend(revocationId, days),
  };

  async function refresh(): Promise<TrayModel> {
    const accounts = context.accounts.list().map((a) => ({ id: a.id, label: a.label, canRotate: a.provider.capabilities.rotation !== 'none' }));
    const failing = (id: string) => {
      const health = context.metadata.health(id);
      return health?.failure && health.accessKeyId === context.vault.get(id).accessKeyId ? health.failure.reason : undefined;
    };
    const pending = await context.revocations.list().catch(() => []);
    const model = trayModel(context.vault.list(), accounts, (id) => context.rotation.isRunning(id), new Date(context.clock.now()), failing, pending);
    tray.setToolTip(trayTooltip(model));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(model, actions)));
    // Dock/launcher badge where the desktop shows one (macOS, Unity launchers); a no-op elsewhere.
    app.setBadgeCount(model.dueCount + model.attentionCount);
    return model;
  }

  async function extend(revocationId: string, days: number): Promise<void> {
    try {
      const entry = await context.revocations.extend(revocationId, days);
      notify('Grace period extended', `${entry.retiring.accessKeyId} (${entry.label}) keeps working until ${new Date(entry.dueAt).toLocaleString()}.`);
    } catch (error) {
      notify('Could not extend', toErrorInfo(error).message);
    }
  }

  async function checkDue(): Promise<void> {
    const model = await refresh();
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

  context.events.subscribe((event, payload) => {
    if (event === 'rotation:notice') {
      const notice = payload as Events['rotation:notice'];
      notify(notice.title, notice.body);
    }
    if (event === 'credentials:changed' || event === 'credentials:health' || event === 'accounts:changed' || event === 'rotation:progress' || event === 'rotation:pending') void refresh();
  });
  tray.on('click', options.show);
  void checkDue();
  setInterval(() => void checkDue(), options.checkIntervalMs ?? FOUR_HOURS).unref();
  return { tray, refresh, checkDue };
}
