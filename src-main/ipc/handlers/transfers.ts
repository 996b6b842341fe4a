import { stat } from 'node:fs/promises';
import { basename, delimiter } from 'node:path';
import { KeydeskError } from '../../core/errors';
import { resolveLinks, type PathAccess } from '../../core/path-grants';
import { localPathForKey } from '../../core/transfers/local-files';
import { baseName, folderPrefix } from '../../core/s3/uri';
import type { AppContext } from '../app-context';
import type { DroppedPaths } from '../channels/transfers';
import type { Handlers } from '../contract';

type TransferHandlers = Pick<
  Handlers,
  | 'transfers:list'
  | 'transfers:uploadFiles'
  | 'transfers:uploadFolder'
  | 'transfers:download'
  | 'transfers:cancel'
  | 'transfers:retry'
  | 'transfers:resolve'
  | 'transfers:clear'
  | 'dialogs:openFiles'
  | 'dialogs:openFolder'
  | 'dialogs:chooseDirectory'
  | 'dialogs:dropped'
>;

export function transferHandlers(ctx: AppContext): TransferHandlers {
  const queue = ctx.transfers;
  // Fails before anything is queued, instead of once per item when it starts.
  const checkCredential = (credentialId: string) => void ctx.vault.get(credentialId);
  const dialogs = () => {
    if (!ctx.dialogs) {
      throw new KeydeskError({ code: 'UNSUPPORTED', message: 'Browser mode has no file dialog.', hint: 'Type the full local path instead.' });
    }
    return ctx.dialogs;
  };
  const grants = ctx.pathGrants;
  // Local paths come from the renderer, which must not reach files the user did not choose. Transfers
  // restored from the journal were written by main and do not come through here.
  const grantChosen = async (path: string, access: PathAccess, scope: 'file' | 'folder') => {
    grants.grant(path, access, scope);
    grants.grant(await resolveLinks(path), access, scope);
  };
  const checkGranted = async (path: string, access: PathAccess) => {
    if (grants.allows(path, access)) {
      const target = await resolveLinks(path);
      if (grants.allows(target, access)) return;
      throw new KeydeskError({ code: 'ACCESS_DENIED', message: `${path} is a link to ${target}, which was not chosen.`, hint: 'Choose what the link points to directly.' });
    }
    if (ctx.mode === 'browser') {
      throw new KeydeskError({
        code: 'ACCESS_DENIED',
        message: `${path} is outside the folders this browser-mode Keydesk may ${access === 'read' ? 'upload from' : 'download into'}.`,
        hint: `Start “npm run web” again with KEYDESK_WEB_PATHS listing the folders to use (separated by “${delimiter}”).`,
      });
    }
    throw new KeydeskError(
      access === 'read'
        ? { code: 'ACCESS_DENIED', message: `Keydesk uploads only files and folders you chose, and ${path} was not chosen.`, hint: 'Choose it with “Upload files” or “Upload folder”, or drop it on the window.' }
        : { code: 'ACCESS_DENIED', message: `Keydesk downloads only into folders you chose, and ${path} was not chosen.`, hint: 'Choose the folder with the “Download” button.' },
    );
  };
  return {
    'transfers:list': async () => ({ items: queue.list(), totals: queue.totals() }),
    'transfers:uploadFiles': async ({ credentialId, bucket, prefix, paths, conflict }) => {
      for (const path of paths) await checkGranted(path, 'read');
      checkCredential(credentialId);
      for (const file of paths) await queue.addUpload({ credentialId, bucket, key: folderPrefix(prefix) + basename(file), file, conflict });
      return paths.length;
    },
    'transfers:uploadFolder': async ({ credentialId, bucket, prefix, path, conflict }) => {
      await checkGranted(path, 'read');
      checkCredential(credentialId);
      const added = await queue.addUploadFolder({ credentialId, bucket, prefix: `${folderPrefix(prefix)}${basename(path)}/`, folder: path, conflict });
      return added.length;
    },
    'transfers:download': async ({ credentialId, bucket, files, folders, targetDir, conflict }) => {
      await checkGranted(targetDir, 'write');
      checkCredential(credentialId);
      let count = 0;
      for (const file of files) {
        await queue.addDownload({ credentialId, bucket, key: file.key, versionId: file.versionId, target: localPathForKey(targetDir, baseName(file.key)), conflict, size: file.size, etag: file.etag, root: targetDir });
        count++;
      }
      for (const folder of folders) {
        count += (await queue.addDownloadFolder({ credentialId, bucket, prefix: folder, targetDir: localPathForKey(targetDir, baseName(folder)), conflict, root: targetDir })).length;
      }
      return count;
    },
    'transfers:cancel': async ({ ids }) => void (await Promise.all(ids.map((id) => queue.cancel(id)))),
    'transfers:retry': async ({ ids }) => ids.forEach((id) => queue.retry(id)),
    // "Apply to all" may include items another decision already settled: those are left alone.
    'transfers:resolve': async ({ ids, decision }) => ids.filter((id) => queue.get(id).state === 'conflict').forEach((id) => queue.resolveConflict(id, decision)),
    'transfers:clear': async () => queue.clear(),
    'dialogs:openFiles': async () => {
      const files = await dialogs().openFiles();
      for (const file of files) await grantChosen(file, 'read', 'file');
      return files;
    },
    'dialogs:openFolder': async () => {
      const folder = await dialogs().openFolder();
      if (folder) await grantChosen(folder, 'read', 'folder');
      return folder ?? null;
    },
    'dialogs:chooseDirectory': async () => {
      const folder = await dialogs().chooseDirectory();
      if (folder) await grantChosen(folder, 'write', 'folder');
      return folder ?? null;
    },
    'dialogs:dropped': async ({ paths }) => {
      // Only the desktop preload sends real drops (see contract.ts); in browser mode the page itself names these paths.
      if (ctx.mode === 'browser') {
        throw new KeydeskError({ code: 'UNSUPPORTED', message: 'Drag and drop of local files needs the desktop app.', hint: 'In the browser, use “Upload files” and type the path of the file on this computer.' });
      }
      const dropped: DroppedPaths = { files: [], folders: [] };
      for (const path of paths) {
        const stats = await stat(path).catch(() => undefined);
        if (stats?.isDirectory()) {
          await grantChosen(path, 'read', 'folder');
          dropped.folders.push(path);
        } else if (stats?.isFile()) {
          await grantChosen(path, 'read', 'file');
          dropped.files.push(path);
        }
      }
      return dropped;
    },
  };
}
