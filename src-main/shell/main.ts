import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, session, shell, type OpenDialogOptions } from 'electron';
import ElectronStore from 'electron-store';
import { join } from 'node:path';
import { runCli } from '../cli/keydesk';
import { keepRunningOnUnexpectedErrors } from '../core/crash-guard';
import { cliCommand } from '../core/ecosystem/snippets';
import { httpsOnly } from '../core/links';
import { SecretClipboard } from '../core/secret-clipboard';
import { resolveHome } from '../core/paths';
import { desktopProxyResolver } from '../core/transport/proxy';
import { log } from '../core/redact';
import { createAppContext, startRotationWork } from '../ipc/app-context';
import type { AppNavigation } from '../ipc/contract';
import { createHandlers } from '../ipc/handlers';
import { appMenuTemplate } from './app-menu';
import { forwardEvents, registerIpc } from './ipc';
import { rendererLocation } from './renderer-location';
import { applySessionPolicy, lockDownContents } from './security';
import { createTray } from './tray';
import { createMainWindow } from './window';
import { watchWindowHealth } from './window-health';
import { storeOptions } from '../core/vault/metadata-store';
import { linkGuarded } from '../core/vault/settings-guard';

// `Keydesk credential-process --profile NAME` (AWS credential_process): answer and exit, with no window
// and no single-instance handover. This is how installed apps run it, since their RunAsNode fuse is off.
const cliStart = process.argv.indexOf('credential-process');
if (cliStart !== -1) {
  app.exit(await runCli(process.argv.slice(cliStart)));
  await new Promise(() => {}); // app.exit ends the process; nothing below may start.
}

// An error that escaped every handler is logged (redacted) instead of ending the app with transfers in flight.
keepRunningOnUnexpectedErrors();

const defaultHome = app.getPath('userData');
const home = resolveHome(defaultHome);
if (home !== defaultHome) app.setPath('userData', home);

const location = rendererLocation(process.env.ELECTRON_RENDERER_URL, join(__dirname, '../renderer'));
const preloadPath = join(__dirname, '../preload/index.cjs');
const resources = app.isPackaged ? process.resourcesPath : join(__dirname, '../../resources');

if (!app.requestSingleInstanceLock()) app.quit();

let mainWindow: BrowserWindow | undefined;
let quitting = false;

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow(location, preloadPath, join(resources, 'icon.png'));
    forwardEvents(context.events, mainWindow.webContents);
    watchWindowHealth(mainWindow, { dialog, quit: () => app.quit() });
    mainWindow.on('close', (event) => {
      // Closing the window keeps Keydesk in the tray; Quit in the tray menu really quits.
      if (!quitting) {
        event.preventDefault();
        mainWindow?.hide();
      }
    });
  }
  mainWindow.show();
  mainWindow.focus();
}

/** Tray and menu entries that open a screen: a window opened just now learns where to go once its page has loaded. */
function navigate(target: AppNavigation): void {
  const opening = !mainWindow || mainWindow.isDestroyed();
  showWindow();
  const send = () => context.events.emit('app:navigate', target);
  if (opening) mainWindow?.webContents.once('did-finish-load', send);
  else send();
}

/** Back and Forward move between the page's own history entries (screens and folders); never to another page. */
function goInHistory(direction: 'back' | 'forward'): void {
  const history = mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.navigationHistory : undefined;
  if (direction === 'back' && history?.canGoBack()) history.goBack();
  if (direction === 'forward' && history?.canGoForward()) history.goForward();
}

const store = linkGuarded(home, () => new ElectronStore({ ...storeOptions(home), name: 'keydesk' } as ConstructorParameters<typeof ElectronStore>[0]));
// electron-store registers an IPC listener of its own; Keydesk's renderer never uses it, so main exposes
// exactly the channels of the contract.
ipcMain.removeAllListeners('electron-store-get-data');

const secretClipboard = new SecretClipboard(clipboard);

const context = createAppContext({
  mode: 'desktop',
  version: app.getVersion(),
  home,
  defaultHome,
  store,
  cliCommand: app.isPackaged ? cliCommand(process.execPath) : cliCommand(process.execPath, app.getAppPath()),
  openLink: (url) => shell.openExternal(httpsOnly(url)),
  clipboard: secretClipboard,
  // The system proxy (settings, PAC, WPAD) as Chromium resolves it, unless proxy variables are set.
  resolveProxy: desktopProxyResolver(process.env, async (url) => {
    await app.whenReady();
    return session.defaultSession.resolveProxy(url);
  }),
  dialogs: {
    openFiles: async () => (await pick({ properties: ['openFile', 'multiSelections'] })) ?? [],
    openFolder: async () => (await pick({ properties: ['openDirectory'] }))?.[0],
    chooseDirectory: async () => (await pick({ properties: ['openDirectory', 'createDirectory'], buttonLabel: 'Download here' }))?.[0],
  },
});

/** A native picker attached to the window; undefined when cancelled. */
async function pick(options: OpenDialogOptions): Promise<string[] | undefined> {
  const result = mainWindow && !mainWindow.isDestroyed() ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? undefined : result.filePaths;
}

app.on('web-contents-created', (_event, contents) => lockDownContents(contents, location.isAppUrl));
app.on('second-instance', showWindow);
app.on('before-quit', (event) => {
  quitting = true;
  // A copied secret must not outlive the app: clear it first, then quit for real.
  if (secretClipboard.holdsSecrets) {
    event.preventDefault();
    void secretClipboard.clearNow().finally(() => app.quit());
  }
});
// Running transfers stop with their journals kept, so the next start resumes them instead of starting over.
let transfersStopped = false;
app.on('will-quit', (event) => {
  if (transfersStopped) return;
  transfersStopped = true;
  context.health.stop();
  event.preventDefault();
  void context.transfers.shutdown().finally(() => app.quit());
});
app.on('window-all-closed', () => {
  // Stay alive in the tray.
});

void app.whenReady().then(() => {
  applySessionPolicy(session.defaultSession);
  registerIpc(ipcMain, createHandlers(context), location.isAppUrl);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate(
        { navigate, back: () => goInHistory('back'), forward: () => goInHistory('forward') },
        { platform: process.platform, appName: app.getName(), devTools: !app.isPackaged },
      ),
    ),
  );
  createTray({ iconPath: join(resources, 'tray.png'), context, show: showWindow, navigate, quit: () => app.quit() });
  // Rotations cut short by a crash or quit, then old keys whose grace period ran out while Keydesk was closed.
  void startRotationWork(context);
  void context.transfers.resumePending().catch((error: unknown) => log.warn(`Resuming transfers failed: ${(error as Error).message}`));
  context.health.start();
  showWindow();
  app.on('activate', showWindow);
});
