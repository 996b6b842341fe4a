import { z } from 'zod';
import type { ItemProgress, TransferItemSnapshot, TransferTotals } from '../../core/transfers/types';
import { channel } from '../channel';
import { bucketName, credentialId, folder, localPath, objectKey, prefix } from './s3-fields';
import { versionId } from './versions';

export type { TransferItemSnapshot, TransferTotals };
/** The one ETA model (core/transfers/speed.ts): the panel sums a folder's rows with it. */
export { etaSeconds } from '../../core/transfers/speed';

export interface TransferList {
  items: TransferItemSnapshot[];
  totals: TransferTotals;
}

/** What `transfers:event` carries: item changes batched (a folder adds thousands at once) and throttled progress. */
export interface TransfersEvent {
  items: TransferItemSnapshot[];
  removed: string[];
  progress?: { items: ItemProgress[]; total: TransferTotals };
}

const conflict = z.enum(['ask', 'overwrite', 'skip', 'keep-both']).optional();
const ids = z.array(z.uuid()).min(1).max(10_000);
const location = { credentialId, bucket: bucketName };

export const transferChannels = {
  'transfers:list': channel<TransferList>()(z.undefined()),
  /** Each file lands at prefix + its file name. Resolves to the number of items queued. */
  'transfers:uploadFiles': channel<number>()(z.strictObject({ ...location, prefix, paths: z.array(localPath).min(1).max(1000), conflict })),
  /** The folder lands at prefix + its name + "/", keeping relative paths. */
  'transfers:uploadFolder': channel<number>()(z.strictObject({ ...location, prefix, path: localPath, conflict })),
  /**
   * Files land in targetDir under their names, folders as sub-folders of it. Size and ETag (from the
   * listing) save a HEAD each; `versionId` downloads that version instead of the latest.
   */
  'transfers:download': channel<number>()(
    z.strictObject({
      ...location,
      files: z
        .array(z.strictObject({ key: objectKey, size: z.int().min(0).optional(), etag: z.string().max(128).optional(), versionId: versionId.optional() }))
        .max(2000),
      folders: z.array(folder).max(1000),
      targetDir: localPath,
      conflict,
    }),
  ),
  'transfers:cancel': channel<void>()(z.strictObject({ ids })),
  'transfers:retry': channel<void>()(z.strictObject({ ids })),
  'transfers:resolve': channel<void>()(z.strictObject({ ids, decision: z.enum(['overwrite', 'skip', 'keep-both']) })),
  /** Removes finished items; resolves to their ids. */
  'transfers:clear': channel<string[]>()(z.undefined()),
};

/** Dropped files and folders, told apart by main. */
export interface DroppedPaths {
  files: string[];
  folders: string[];
}

/**
 * Where the user chooses local paths, desktop only: main grants what these return, and transfers accept
 * only granted paths (core/path-grants.ts). Browser mode has neither: see web/server.ts.
 */
export const dialogChannels = {
  'dialogs:openFiles': channel<string[]>()(z.undefined()),
  'dialogs:openFolder': channel<string | null>()(z.undefined()),
  'dialogs:chooseDirectory': channel<string | null>()(z.undefined()),
  /** Files dropped on the window. The renderer passes File objects; the preload sends their paths (see contract.ts). */
  'dialogs:dropped': channel<DroppedPaths>()(z.strictObject({ paths: z.array(localPath).max(1000) })),
};
