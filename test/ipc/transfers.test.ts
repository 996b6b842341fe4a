import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathGrants } from '../../src-main/core/path-grants';
import type { AppContext, LocalDialogs } from '../../src-main/ipc/app-context';
import type { Handlers } from '../../src-main/ipc/contract';
import { dispatch } from '../../src-main/ipc/dispatch';
import { transferHandlers } from '../../src-main/ipc/handlers/transfers';

const ID = '0b7f3c52-8d7e-4a4e-9a55-1f1f0c2b6a11';
const at = { credentialId: ID, bucket: 'b', prefix: '' };

/** The handlers over a queue that records what it was asked to do, and dialogs that answer `picked`. */
function setup(mode: AppContext['mode'] = 'desktop') {
  const queued: string[] = [];
  const picked = { files: [] as string[], folder: undefined as string | undefined };
  const queue = {
    addUpload: async ({ file }: { file: string }) => void queued.push(`upload ${file}`),
    addUploadFolder: async ({ folder }: { folder: string }) => (queued.push(`upload folder ${folder}`), [{}]),
    addDownload: async ({ target }: { target: string }) => void queued.push(`download ${target}`),
    addDownloadFolder: async ({ targetDir }: { targetDir: string }) => (queued.push(`download folder ${targetDir}`), [{}]),
  };
  const dialogs: LocalDialogs = { openFiles: async () => picked.files, openFolder: async () => picked.folder, chooseDirectory: async () => picked.folder };
  const ctx = { mode, transfers: queue, vault: { get: () => ({}) }, dialogs: mode === 'desktop' ? dialogs : undefined, pathGrants: new PathGrants() } as unknown as AppContext;
  const handlers = transferHandlers(ctx) as Handlers;
  return { queued, picked, ctx, call: (channel: string, payload?: unknown) => dispatch(handlers, channel, payload) };
}

const denied = (message: RegExp) => ({ ok: false, error: { code: 'ACCESS_DENIED', message: expect.stringMatching(message) } });

describe('transfer handlers: only local paths the user chose', () => {
  it('refuses uploads and downloads of paths nobody chose, and queues nothing', async () => {
    const { call, queued } = setup();
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/home/u/.ssh/id_ed25519'] })).resolves.toEqual({
      ok: false,
      error: {
        code: 'ACCESS_DENIED',
        message: 'Keydesk uploads only files and folders you chose, and /home/u/.ssh/id_ed25519 was not chosen.',
        hint: 'Choose it with “Upload files” or “Upload folder”, or drop it on the window.',
      },
    });
    await expect(call('transfers:uploadFolder', { ...at, path: '/home/u/.ssh' })).resolves.toMatchObject(denied(/was not chosen/));
    await expect(call('transfers:download', { credentialId: ID, bucket: 'b', files: [{ key: '.bashrc' }], folders: [], targetDir: '/home/u' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ACCESS_DENIED', hint: 'Choose the folder with the “Download” button.' },
    });
    expect(queued).toEqual([]);
  });

  it('accepts the files picked in the open dialog, and no others', async () => {
    const { call, queued, picked } = setup();
    picked.files = ['/home/u/a.txt', '/home/u/b.txt'];
    await expect(call('dialogs:openFiles')).resolves.toEqual({ ok: true, value: picked.files });
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/home/u/a.txt', '/home/u/b.txt'] })).resolves.toEqual({ ok: true, value: 2 });
    // One ungranted path refuses the whole request before anything is queued.
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/home/u/a.txt', '/home/u/c.txt'] })).resolves.toMatchObject(denied(/\/home\/u\/c\.txt was not chosen/));
    await expect(call('transfers:uploadFolder', { ...at, path: '/home/u' })).resolves.toMatchObject(denied(/was not chosen/));
    expect(queued).toEqual(['upload /home/u/a.txt', 'upload /home/u/b.txt']);
  });

  it('accepts files and folders inside a picked folder, but nothing beside it or above it, and does not write there', async () => {
    const { call, queued, picked } = setup();
    picked.folder = '/home/u/docs';
    await expect(call('dialogs:openFolder')).resolves.toEqual({ ok: true, value: '/home/u/docs' });
    await expect(call('transfers:uploadFolder', { ...at, path: '/home/u/docs' })).resolves.toMatchObject({ ok: true });
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/home/u/docs/2024/report.pdf'] })).resolves.toMatchObject({ ok: true });
    await expect(call('transfers:uploadFolder', { ...at, path: '/home/u/docs/2024/' })).resolves.toMatchObject({ ok: true });
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/home/u/docs-evil/x'] })).resolves.toMatchObject(denied(/was not chosen/));
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/home/u/docs/../.aws/credentials'] })).resolves.toMatchObject(denied(/was not chosen/));
    await expect(call('transfers:download', { credentialId: ID, bucket: 'b', files: [{ key: 'x' }], folders: [], targetDir: '/home/u/docs' })).resolves.toMatchObject(denied(/downloads only into folders you chose/));
    expect(queued).toEqual(['upload folder /home/u/docs', 'upload /home/u/docs/2024/report.pdf', 'upload folder /home/u/docs/2024/']);
  });

  it('downloads into the folder chosen for it and its sub-folders, but does not upload from it', async () => {
    const { call, queued, picked } = setup();
    picked.folder = '/home/u/Downloads';
    await expect(call('dialogs:chooseDirectory')).resolves.toEqual({ ok: true, value: '/home/u/Downloads' });
    const download = (targetDir: string) => call('transfers:download', { credentialId: ID, bucket: 'b', files: [{ key: 'a/x.txt' }], folders: ['photos/'], targetDir });
    await expect(download('/home/u/Downloads')).resolves.toEqual({ ok: true, value: 2 });
    await expect(download('/home/u/Downloads/sub')).resolves.toEqual({ ok: true, value: 2 });
    await expect(download('/home/u/Downloads/../.config')).resolves.toMatchObject(denied(/was not chosen/));
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/home/u/Downloads/x.txt'] })).resolves.toMatchObject(denied(/was not chosen/));
    expect(queued).toEqual([
      'download /home/u/Downloads/x.txt',
      'download folder /home/u/Downloads/photos',
      'download /home/u/Downloads/sub/x.txt',
      'download folder /home/u/Downloads/sub/photos',
    ]);
  });

  it('a cancelled dialog grants nothing', async () => {
    const { call } = setup();
    await expect(call('dialogs:openFolder')).resolves.toEqual({ ok: true, value: null });
    await expect(call('dialogs:chooseDirectory')).resolves.toEqual({ ok: true, value: null });
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/x'] })).resolves.toMatchObject(denied(/was not chosen/));
  });

  describe('drops', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'keydesk-drop-'));
      await writeFile(join(dir, 'file.txt'), 'x');
      await mkdir(join(dir, 'folder'));
      await writeFile(join(dir, 'folder', 'inner.txt'), 'y');
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('grants dropped files and folders (for reading), told apart by main; missing paths are left out', async () => {
      const { call, queued } = setup();
      const [file, folder, gone] = [join(dir, 'file.txt'), join(dir, 'folder'), join(dir, 'gone.txt')];
      await expect(call('dialogs:dropped', { paths: [file, folder, gone] })).resolves.toEqual({ ok: true, value: { files: [file], folders: [folder] } });
      await expect(call('transfers:uploadFiles', { ...at, paths: [file, join(folder, 'inner.txt')] })).resolves.toEqual({ ok: true, value: 2 });
      await expect(call('transfers:uploadFolder', { ...at, path: folder })).resolves.toMatchObject({ ok: true });
      await expect(call('transfers:uploadFiles', { ...at, paths: [gone] })).resolves.toMatchObject(denied(/was not chosen/));
      await expect(call('transfers:download', { credentialId: ID, bucket: 'b', files: [{ key: 'x' }], folders: [], targetDir: folder })).resolves.toMatchObject(denied(/was not chosen/));
      expect(queued).toEqual([`upload ${file}`, `upload ${join(folder, 'inner.txt')}`, `upload folder ${folder}`]);
    });

    it('follows no link out of a chosen folder, but a chosen folder reached through a link is still chosen', async () => {
      const { call, queued, picked } = setup();
      const outside = await mkdtemp(join(tmpdir(), 'keydesk-outside-'));
      try {
        await writeFile(join(outside, 'secret.txt'), 's');
        await symlink(join(outside, 'secret.txt'), join(dir, 'folder', 'innocent.txt'));
        await symlink(join(outside), join(dir, 'folder', 'elsewhere'));
        await symlink(join(dir, 'folder'), join(outside, 'shortcut'));
        picked.folder = join(dir, 'folder');
        await call('dialogs:openFolder');
        await expect(call('transfers:uploadFiles', { ...at, paths: [join(dir, 'folder', 'innocent.txt')] })).resolves.toMatchObject(denied(/innocent\.txt is a link to .*secret\.txt, which was not chosen/));
        await expect(call('transfers:uploadFolder', { ...at, path: join(dir, 'folder', 'elsewhere') })).resolves.toMatchObject(denied(/is a link to/));
        // The folder picked through a link elsewhere: its real path is granted with it.
        picked.folder = join(outside, 'shortcut');
        await call('dialogs:chooseDirectory');
        await expect(call('transfers:download', { credentialId: ID, bucket: 'b', files: [{ key: 'x' }], folders: [], targetDir: join(outside, 'shortcut', 'new') })).resolves.toEqual({ ok: true, value: 1 });
        expect(queued).toEqual([`download ${join(outside, 'shortcut', 'new', 'x')}`]);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('browser mode refuses drops: there the page itself would name the paths', async () => {
      const { call } = setup('browser');
      await expect(call('dialogs:dropped', { paths: [join(dir, 'file.txt')] })).resolves.toMatchObject({
        ok: false,
        error: { code: 'UNSUPPORTED', message: 'Drag and drop of local files needs the desktop app.' },
      });
      await expect(call('transfers:uploadFiles', { ...at, paths: [join(dir, 'file.txt')] })).resolves.toMatchObject(denied(/outside the folders this browser-mode Keydesk may upload from/));
    });
  });

  it('in browser mode accepts paths under the folders granted at start, and says how to change them', async () => {
    const { call, ctx, queued } = setup('browser');
    ctx.pathGrants.grant('/srv/data', 'read', 'folder');
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/srv/data/a.txt'] })).resolves.toEqual({ ok: true, value: 1 });
    await expect(call('transfers:uploadFiles', { ...at, paths: ['/srv/data-old/a.txt'] })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ACCESS_DENIED', message: '/srv/data-old/a.txt is outside the folders this browser-mode Keydesk may upload from.', hint: expect.stringContaining('KEYDESK_WEB_PATHS') },
    });
    expect(queued).toEqual(['upload /srv/data/a.txt']);
  });
});
