import { basename } from 'node:path';
import { KeydeskError } from '../../core/errors';
import { localPathForKey } from '../../core/transfers/local-files';
import { baseName, folderPrefix } from '../../core/s3/uri';
import type { AppContext } from '../app-context';
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
  return {
    'transfers:list': async () => ({ items: queue.list(), totals: queue.totals() }),
    'transfers:uploadFiles': async ({ credentialId, bucket, prefix, paths, conflict }) => {
      checkCredential(credentialId);
      for (const file of paths) await queue.addUpload({ credentialId, bucket, key: folderPrefix(prefix) + basename(file), file, conflict });
      return paths.length;
    },
    'transfers:uploadFolder': async ({ credentialId, bucket, prefix, path, conflict }) => {
      checkCredential(credentialId);
      const added = await queue.addUploadFolder({ credentialId, bucket, prefix: `${folderPrefix(prefix)}${basename(path)}/`, folder: path, conflict });
      return added.length;
    },
    'transfers:download': async ({ credentialId, bucket, files, folders, targetDir, conflict }) => {
      checkCredential(credentialId);
      let count = 0;
      for (const file of files) {
        await queue.addDownload({ credentialId, bucket, key: file.key, target: localPathForKey(targetDir, baseName(file.key)), conflict, size: file.size, etag: file.etag });
        count++;
      }
      for (const folder of folders) {
        count += (await queue.addDownloadFolder({ credentialId, bucket, prefix: folder, targetDir: localPathForKey(targetDir, baseName(folder)), conflict })).length;
      }
      return count;
    },
    'transfers:cancel': async ({ ids }) => void (await Promise.all(ids.map((id) => queue.cancel(id)))),
    'transfers:retry': async ({ ids }) => ids.forEach((id) => queue.retry(id)),
    // "Apply to all" may include items another decision already settled: those are left alone.
    'transfers:resolve': async ({ ids, decision }) => ids.filter((id) => queue.get(id).state === 'conflict').forEach((id) => queue.resolveConflict(id, decision)),
    'transfers:clear': async () => queue.clear(),
    'dialogs:openFiles': async () => dialogs().openFiles(),
    'dialogs:openFolder': async () => (await dialogs().openFolder()) ?? null,
    'dialogs:chooseDirectory': async () => (await dialogs().chooseDirectory()) ?? null,
  };
}
