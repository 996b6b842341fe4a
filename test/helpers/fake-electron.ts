import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A stand-in for the `electron` module, recording what Keydesk's shell asks of it. Used with
 * `vi.mock('electron', ...)` because no Electron binary can run on CI machines.
 */
export function createFakeElectron() {
  const handlers = new Map<string, (event: unknown, payload: unknown) => unknown>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handle: (channel: string, handler: (event: unknown, payload: unknown) => unknown) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    handlers,
  });

  class FakeWebContents extends EventEmitter {
    windowOpenHandler?: (details: { url: string }) => { action: string };
    sent: { channel: string; payload: unknown }[] = [];
    mainFrame = { parent: null, url: '' };
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler;
    }
    send(channel: string, payload: unknown) {
      this.sent.push({ channel, payload });
    }
    reloads = 0;
    reload() {
      this.reloads++;
    }
    /** The page's own history entries; Back and Forward in the application menu move through them. */
    history = { index: 0, length: 1 };
    navigationHistory = {
      canGoBack: () => this.history.index > 0,
      canGoForward: () => this.history.index < this.history.length - 1,
      goBack: () => void this.history.index--,
      goForward: () => void this.history.index++,
    };
    isDestroyed() {
      return false;
    }
  }

  const windows: FakeBrowserWindow[] = [];
  class FakeBrowserWindow extends EventEmitter {
    webContents = new FakeWebContents();
    loadedUrl?: string;
    visible = false;
    constructor(readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
      super();
      windows.push(this);
    }
    loadURL(url: string) {
      this.loadedUrl = url;
      return Promise.resolve();
    }
    show() {
      this.visible = true;
    }
    hide() {
      this.visible = false;
    }
    focus() {}
    isDestroyed() {
      return false;
    }
  }

  const exitCodes: number[] = [];
  const userData = mkdtempSync(join(tmpdir(), 'keydesk-fake-electron-'));
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    getPath: (name: string) => (name === 'userData' ? userData : tmpdir()),
    getAppPath: () => process.cwd(),
    exit: (code: number) => void (exitCodes.push(code)),
    setPath: () => {},
    getVersion: () => '0.0.0-test',
    getName: () => 'Keydesk',
    requestSingleInstanceLock: () => true,
    quit: () => {},
    whenReady: () => ready,
    ready: () => readyResolve(),
    badgeCount: 0,
    setBadgeCount(count: number) {
      this.badgeCount = count;
      return true;
    },
  });

  const sessionCalls = { headers: undefined as undefined | ((details: unknown, callback: (r: unknown) => void) => void), permission: undefined as undefined | ((...args: unknown[]) => void), permissionCheck: undefined as undefined | ((...args: unknown[]) => boolean) };
  // What session.resolveProxy answers (Chromium's PAC-style result), and the URLs it was asked about.
  const proxy = { answer: 'DIRECT', asked: [] as string[] };
  const defaultSession = {
    resolveProxy: async (url: string) => {
      proxy.asked.push(url);
      return proxy.answer;
    },
    webRequest: { onHeadersReceived: (fn: typeof sessionCalls.headers) => (sessionCalls.headers = fn) },
    setPermissionRequestHandler: (fn: typeof sessionCalls.permission) => (sessionCalls.permission = fn),
    setPermissionCheckHandler: (fn: typeof sessionCalls.permissionCheck) => (sessionCalls.permissionCheck = fn),
  };

  const trays: { menu?: unknown; tooltip?: string }[] = [];
  class FakeTray extends EventEmitter {
    menu?: unknown;
    constructor() {
      super();
      trays.push(this);
    }
    tooltip?: string;
    setToolTip(tooltip: string) {
      this.tooltip = tooltip;
    }
    setContextMenu(menu: unknown) {
      this.menu = menu;
    }
  }

  const notifications: { title: string; body: string; shown: boolean }[] = [];
  class FakeNotification extends EventEmitter {
    static isSupported() {
      return true;
    }
    readonly record: { title: string; body: string; shown: boolean };
    constructor(options: { title: string; body: string }) {
      super();
      this.record = { ...options, shown: false };
      notifications.push(this.record);
    }
    show() {
      this.record.shown = true;
    }
  }
  // Electron's clipboard is asynchronous.
  const clipboard = {
    text: '',
    writeText: async (text: string) => void (clipboard.text = text),
    readText: async () => clipboard.text,
  };

  // What the next native open dialog answers, as Electron's dialog.showOpenDialog; message boxes are
  // recorded and answered with `messageBoxAnswer` (or their cancelId once their signal aborts).
  type MessageBox = { message: string; detail?: string; buttons: string[]; cancelId?: number; signal?: AbortSignal; answer(response: number): void };
  const dialog = {
    next: { canceled: true, filePaths: [] as string[] },
    showOpenDialog: async () => dialog.next,
    messageBoxes: [] as MessageBox[],
    showMessageBox: (_window: unknown, options: Omit<MessageBox, 'answer'>) =>
      new Promise<{ response: number; checkboxChecked: boolean }>((resolve) => {
        const answer = (response: number) => resolve({ response, checkboxChecked: false });
        options.signal?.addEventListener('abort', () => answer(options.cancelId ?? 0));
        dialog.messageBoxes.push({ ...options, answer });
      }),
  };

  const module = {
    app,
    ipcMain,
    BrowserWindow: FakeBrowserWindow,
    session: { defaultSession },
    shell: { openExternal: async () => {} },
    Tray: FakeTray,
    Notification: FakeNotification,
    clipboard,
    dialog,
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ items: template }),
      applicationMenu: undefined as unknown,
      setApplicationMenu(menu: unknown) {
        this.applicationMenu = menu;
      },
    },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
    contextBridge: { exposeInMainWorld: () => {} },
    ipcRenderer: { invoke: async () => undefined, on: () => {}, removeListener: () => {} },
  };
  return { module: { ...module, default: module }, exitCodes, windows, trays, sessionCalls, handlers, userData, notifications, clipboard, dialog, proxy };
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;
