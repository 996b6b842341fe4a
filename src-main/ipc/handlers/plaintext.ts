import { randomUUID } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { delimiter } from 'node:path';
import { KeydeskError } from '../../core/errors';
import { resolveLinks } from '../../core/path-grants';
import type { ScanProgress } from '../../core/plaintext/scanner';
import type { AppContext } from '../app-context';
import type { ScanFolder } from '../channels/plaintext';
import type { Handlers } from '../contract';

type PlaintextHandlers = Pick<Handlers, 'plaintext:folders' | 'plaintext:addFolder' | 'plaintext:removeFolder' | 'plaintext:scan' | 'plaintext:fix' | 'plaintext:import'>;

/** Enough for every project folder a person keeps keys near; more is a sign of a runaway caller. */
const MAX_FOLDERS = 50;
const PROGRESS_INTERVAL_MS = 200;

export function plaintextHandlers(ctx: AppContext): PlaintextHandlers {
  const folders = () => ctx.metadata.plaintextFolders();
  /** The added folders, each with why a scan would not search it now. */
  const listed = (): Promise<ScanFolder[]> =>
    Promise.all(
      folders().map(async (path) => {
        if (!(await stat(path).catch(() => undefined))?.isDirectory()) return { path, notSearched: 'not found' };
        if (ctx.mode === 'browser' && !ctx.pathGrants.allows(path, 'read')) return { path, notSearched: 'outside KEYDESK_WEB_PATHS' };
        return { path };
      }),
    );

  /**
   * The folder to add: in the desktop app only one the user picks in a native dialog (a page must not
   * widen what is read on its own), in browser mode a typed one inside the folders browser mode was
   * started with. Either way an existing folder, links resolved.
   */
  const chosenFolder = async (path: string | undefined): Promise<string | undefined> => {
    if (ctx.dialogs) {
      if (path !== undefined) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Choose the folder in the dialog.' });
      path = await ctx.dialogs.openFolder();
      if (!path) return undefined;
    } else {
      if (path === undefined) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Type the full path of the folder to search.' });
      if (!ctx.pathGrants.allows(path, 'read') || !ctx.pathGrants.allows(await resolveLinks(path), 'read')) {
        throw new KeydeskError({
          code: 'ACCESS_DENIED',
          message: `${path} is outside the folders this browser-mode Keydesk may read.`,
          hint: `Start “npm run web” again with KEYDESK_WEB_PATHS listing the folders to use (separated by “${delimiter}”).`,
        });
      }
    }
    const stats = await stat(path).catch(() => undefined);
    if (!stats?.isDirectory()) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${path} is not a folder on this computer.`, hint: 'Give the full path of an existing folder.' });
    return path;
  };

  return {
    'plaintext:folders': listed,
    'plaintext:addFolder': async ({ path }) => {
      const folder = await chosenFolder(path);
      if (!folder) return listed();
      const real = await realpath(folder);
      const known = await Promise.all(folders().map((f) => realpath(f).catch(() => f)));
      if (known.includes(real)) return listed();
      if (folders().length >= MAX_FOLDERS) throw new KeydeskError({ code: 'LIMIT_REACHED', message: `Keydesk searches at most ${MAX_FOLDERS} added folders.`, hint: 'Remove one first, or add the folder that holds several of them.' });
      ctx.metadata.setPlaintextFolders([...folders(), folder]);
      return listed();
    },
    'plaintext:removeFolder': async ({ path }) => {
      ctx.metadata.setPlaintextFolders(folders().filter((f) => f !== path));
      return listed();
    },
    'plaintext:scan': async ({ operationId, key }) =>
      ctx.operations.run(operationId, ({ signal }) => {
        let last = 0;
        const onProgress = (p: ScanProgress) => {
          if (Date.now() - last < PROGRESS_INTERVAL_MS) return;
          last = Date.now();
          ctx.events.emit('plaintext:progress', { operationId, filesRead: p.filesRead, foldersSearched: p.foldersSearched, found: p.occurrences, folder: p.folder });
        };
        if (!key) return ctx.plaintext.scan({ signal, onProgress });
        const query = 'credentialId' in key ? ctx.vault.get(key.credentialId) : key;
        const replacedBy = 'replacedBy' in key ? key.replacedBy : undefined;
        const secret = replacedBy ? ctx.leak.leakedSecret(query.accessKeyId) : undefined;
        return ctx.plaintext.scanForKey({ accessKeyId: query.accessKeyId, endpoint: query.endpoint, replacedBy, secret }, { signal, onProgress });
      }),
    'plaintext:fix': async ({ fixes }) => ctx.plaintext.fix(fixes),
    'plaintext:import': async ({ findingIds, saveAnyway, operationId }) => {
      const report = await ctx.operations.run(operationId ?? randomUUID(), (progress) =>
        ctx.plaintext.importKeys(findingIds, { ...progress, saveAnyway, onSaved: (record, check) => ctx.health.record(record, check) }),
      );
      if (report.result.imported.length) ctx.events.emit('credentials:changed', { ids: report.result.imported.map((r) => r.id) });
      return report;
    },
  };
}
