import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resolveHome } from '../../src-main/core/paths';
import { METADATA_VERSION } from '../../src-main/core/vault/metadata-store';
import { resolveProxy } from '../../src-main/core/transport/proxy';
import { channels } from '../../src-main/ipc/contract';
import { CONTENT_SECURITY_POLICY } from '../../src-main/shell/security';
import { outside } from '../helpers/planted-links';

const fake = vi.hoisted(() => ({ current: undefined as unknown as import('../helpers/fake-electron').FakeElectron }));
vi.mock('electron', async () => {
  const { createFakeElectron: create } = await import('../helpers/fake-electron');
  fake.current = create();
  return fake.current.module;
});

const root = join(import.meta.dirname, '../..');

const listenersBefore = { exception: process.listenerCount('uncaughtException'), rejection: process.listenerCount('unhandledRejection') };

describe('Electron shell (electron faked)', () => {
  beforeAll(async () => {
    await import('../../src-main/shell/main');
    fake.current.module.app.ready();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

  it('registers exactly the channels of the contract, and nothing else on ipcMain', () => {
    expect([...fake.current.handlers.keys()].sort()).toEqual(Object.keys(channels).sort());
    expect(fake.current.module.ipcMain.eventNames()).toEqual([]);
  });

  it('opens one window with a sandboxed, isolated, node-free renderer and the CommonJS preload', () => {
    const [window] = fake.current.windows;
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      preload: expect.stringMatching(/\/preload\/index\.cjs$/),
    });
    expect(window.loadedUrl).toMatch(/^file:\/\/.*\/renderer\/index\.html$/);
  });

  it('denies popups, navigation away, webviews and permission requests', () => {
    const contents = fake.current.windows[0].webContents;
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const navigate = (url: string) => {
      let prevented = false;
      contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate(`${fake.current.windows[0].loadedUrl}#/credentials`)).toBe(false);
    let webviewPrevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (webviewPrevented = true) });
    expect(webviewPrevented).toBe(true);

    let granted: boolean | undefined;
    fake.current.sessionCalls.permission?.({}, 'media', (allow: boolean) => (granted = allow));
    expect(granted).toBe(false);
    expect(fake.current.sessionCalls.permissionCheck?.()).toBe(false);
    expect(fake.current.sessionCalls.permissionCheck?.({}, 'clipboard-read')).toBe(false);
    // The copy buttons (new key pairs) write with navigator.clipboard.
    expect(fake.current.sessionCalls.permissionCheck?.({}, 'clipboard-sanitized-write')).toBe(true);
  });

  it('sends a strict CSP with every response and in the page itself', async () => {
    let headers: Record<string, string[]> = {};
    fake.current.sessionCalls.headers?.({ responseHeaders: {} }, (result) => (headers = (result as { responseHeaders: Record<string, string[]> }).responseHeaders));
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    const html = await readFile(join(root, 'src-renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    // A meta CSP cannot carry frame-ancestors; everything else must match the header.
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
  });

  it('refuses IPC from frames other than the app page, and validates payloads', async () => {
    const handler = fake.current.handlers.get('credentials:remove')!;
    const appUrl = fake.current.windows[0].loadedUrl!;
    const iframe = await handler({ senderFrame: { parent: {}, url: appUrl } }, { id: crypto.randomUUID() });
    expect(iframe).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    const foreign = await handler({ senderFrame: { parent: null, url: 'https://evil.example/' } }, { id: crypto.randomUUID() });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    const invalid = await handler({ senderFrame: { parent: null, url: appUrl } }, { id: 'not-a-uuid', extra: 1 });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const info = await fake.current.handlers.get('app:info')!({ senderFrame: { parent: null, url: appUrl } }, undefined);
    expect(info).toMatchObject({ ok: true, value: { mode: 'desktop', version: '0.0.0-test' } });
  });

  it('transfers take only local paths picked in the native dialogs', async () => {
    const trusted = { senderFrame: { parent: null, url: fake.current.windows[0].loadedUrl! } };
    const call = (channel: string, payload?: unknown) => fake.current.handlers.get(channel)!(trusted, payload);
    const upload = { credentialId: crypto.randomUUID(), bucket: 'b', prefix: '', paths: ['/home/u/picked.txt'] };
    await expect(call('transfers:uploadFiles', upload)).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    fake.current.dialog.next = { canceled: false, filePaths: ['/home/u/picked.txt'] };
    await expect(call('dialogs:openFiles')).resolves.toEqual({ ok: true, value: ['/home/u/picked.txt'] });
    // Past the grant check: the (random) credential is what stops it now.
    await expect(call('transfers:uploadFiles', upload)).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(call('transfers:uploadFiles', { ...upload, paths: ['/home/u/other.txt'] })).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });

    const download = { credentialId: upload.credentialId, bucket: 'b', files: [{ key: 'k' }], folders: [], targetDir: '/home/u/Downloads' };
    await expect(call('transfers:download', download)).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    fake.current.dialog.next = { canceled: false, filePaths: ['/home/u/Downloads'] };
    await expect(call('dialogs:chooseDirectory')).resolves.toEqual({ ok: true, value: '/home/u/Downloads' });
    await expect(call('transfers:download', download)).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('keeps its settings with electron-store in a plain keydesk.json in its data folder, and never reads through a link put there', async () => {
    const trusted = { senderFrame: { parent: null, url: fake.current.windows[0].loadedUrl! } };
    const list = () => fake.current.handlers.get('credentials:list')!(trusted, undefined);
    const settings = join(resolveHome(fake.current.userData), 'keydesk.json');
    expect(JSON.parse(await readFile(settings, 'utf8'))).toMatchObject({ version: METADATA_VERSION, credentials: [] });
    await expect(list()).resolves.toEqual({ ok: true, value: [] });

    const world = await outside();
    await rename(settings, `${settings}.kept`);
    await world.plant('symlink to a file', settings);
    await expect(list()).resolves.toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: `${settings} is a link; Keydesk keeps its settings only in a plain file and did not follow it.`, hint: expect.stringContaining('Replace the link') },
    });
    await world.expectUntouched();
    await rm(settings);
    await rename(`${settings}.kept`, settings);
    await expect(list()).resolves.toEqual({ ok: true, value: [] });
  });

  it('copies secrets in main and clears them after 30 s unless something else was copied', async () => {
    vi.useFakeTimers();
    try {
      const copy = fake.current.handlers.get('clipboard:copySecret')!;
      const appUrl = fake.current.windows[0].loadedUrl!;
      await expect(copy({ senderFrame: { parent: null, url: appUrl } }, { secret: 'the-secret-value' })).resolves.toEqual({ ok: true, value: undefined });
      expect(fake.current.clipboard.text).toBe('the-secret-value');
      await vi.advanceTimersByTimeAsync(30_000);
      expect(fake.current.clipboard.text).toBe('');
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps running after an error nothing caught, instead of exiting with transfers in flight', () => {
    expect(process.listenerCount('uncaughtException')).toBe(listenersBefore.exception + 1);
    expect(process.listenerCount('unhandledRejection')).toBe(listenersBefore.rejection + 1);
  });

  it('tells the person when the window crashes, and reloads it on request', async () => {
    const [window] = fake.current.windows;
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    const box = fake.current.dialog.messageBoxes.at(-1)!;
    expect(box).toMatchObject({ message: 'Keydesk’s window stopped unexpectedly.', detail: expect.stringContaining('Reason: crashed'), buttons: ['Reload window', 'Quit Keydesk'] });
    box.answer(0);
    await vi.waitFor(() => expect(window.webContents.reloads).toBe(1));
    // A window closed on purpose is not a crash.
    window.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 });
    expect(fake.current.dialog.messageBoxes.at(-1)).toBe(box);
    expect(String(warn.mock.calls[0]?.[0])).toContain("Keydesk's window stopped: crashed (exit code 139)");
    warn.mockRestore();
  });

  it('asks whether to wait or reload when the window hangs, and withdraws the question when it answers again', async () => {
    const [window] = fake.current.windows;
    const warn = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const asked = fake.current.dialog.messageBoxes.length;
    window.emit('unresponsive');
    window.emit('unresponsive'); // Electron repeats it; one question is enough
    expect(fake.current.dialog.messageBoxes.length).toBe(asked + 1);
    const box = fake.current.dialog.messageBoxes.at(-1)!;
    expect(box).toMatchObject({ message: 'Keydesk’s window is not responding.', buttons: ['Wait', 'Reload window'] });
    window.emit('responsive');
    expect(box.signal?.aborted).toBe(true);
    const reloads = window.webContents.reloads;
    window.emit('unresponsive');
    fake.current.dialog.messageBoxes.at(-1)!.answer(1);
    await vi.waitFor(() => expect(window.webContents.reloads).toBe(reloads + 1));
    warn.mockRestore();
  });

  it('refuses a request whose frame was disposed while it was in flight, instead of throwing', async () => {
    const handler = fake.current.handlers.get('app:info')!;
    const disposed = {
      get senderFrame(): never {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
    };
    await expect(Promise.resolve(handler(disposed, undefined))).resolves.toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
  });

  it("asks Electron's session for the system proxy of each URL, and uses the first route it can", async () => {
    fake.current.proxy.answer = 'SOCKS5 10.0.0.9:1080; PROXY proxy.corp.example:3128; DIRECT';
    const route = await resolveProxy(new URL('https://s3.example.com:9021/'));
    expect(route).toMatchObject({ url: new URL('http://proxy.corp.example:3128'), source: 'the system proxy settings', authorization: undefined });
    expect(fake.current.proxy.asked.at(-1)).toBe('https://s3.example.com:9021/');
    fake.current.proxy.answer = 'DIRECT';
    await expect(resolveProxy(new URL('https://s3.example.com/'))).resolves.toBeUndefined();
    fake.current.proxy.answer = 'SOCKS 10.0.0.9:1080';
    await expect(resolveProxy(new URL('https://s3.example.com/'))).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('SOCKS') });
  });

  it('sets an application menu whose entries reach the window as app:navigate, and whose Back moves through the page’s own history', () => {
    type Item = { label?: string; role?: string; accelerator?: string; click?: () => void; submenu?: Item[] };
    const menu = fake.current.module.Menu.applicationMenu as { items: Item[] };
    expect(menu.items.map((item) => item.label)).toEqual(['File', 'Edit', 'View', 'Help']);
    const entry = (top: string, label: string) => menu.items.find((item) => item.label === top)!.submenu!.find((item) => item.label === label)!;
    const contents = fake.current.windows[0].webContents;
    const sent = () => contents.sent.filter((message) => message.channel === 'keydesk-event:app:navigate').map((message) => message.payload);
    entry('View', 'Accounts').click!();
    entry('File', 'Import…').click!();
    entry('Help', 'Keyboard Shortcuts').click!();
    expect(sent().slice(-3)).toEqual([{ view: 'accounts' }, { view: 'import' }, { view: 'shortcuts' }]);
    expect(entry('View', 'Accounts').accelerator).toBe('CmdOrCtrl+2');

    contents.history = { index: 1, length: 3 };
    entry('View', 'Back').click!();
    expect(contents.history.index).toBe(0);
    entry('View', 'Back').click!();
    expect(contents.history.index).toBe(0);
    entry('View', 'Forward').click!();
    entry('View', 'Forward').click!();
    entry('View', 'Forward').click!();
    expect(contents.history.index).toBe(2);
  });

  it('keeps running in the tray when the window is closed', () => {
    const [window] = fake.current.windows;
    let prevented = false;
    window.emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(window.visible).toBe(false);
    const menu = fake.current.trays[0].menu as { items: { label?: string }[] };
    expect(menu.items.map((item) => item.label).filter(Boolean)).toEqual(['Show Keydesk', 'Quit']);
  });
});
