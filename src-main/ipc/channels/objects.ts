import { z } from 'zod';
import type { ListingPage } from '../../core/s3/listing';
import type { ObjectDetails } from '../../core/s3/objects';
import type { ShareLink } from '../../core/s3/share';
import { MAX_SHARE_SECONDS } from '../../core/s3/share-limits';
import { channel } from '../channel';
import type { ListingStep } from '../listings';
import { MAX_DELETE_KEYS } from '../payload-limits';
import { bucketName, credentialId, folder, objectKey, operationId, prefix } from './s3-fields';

export type { ListingPage, ObjectDetails, ShareLink };
export type ListingStart = ListingStep & { listingId: string };

const location = { credentialId, bucket: bucketName };
const folderName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((name) => !/[\u0000-\u001f\u007f/]/.test(name), 'a folder name must not contain "/" or control characters')
  .refine((name) => name !== '.' && name !== '..', 'a folder cannot be named "." or ".."');

export const objectChannels = {
  /**
   * Opens a listing and returns its first page. `search` lists every key starting with prefix + search at
   * any depth (S3 can only match the start of keys); without it, one folder level. `versions` lists every
   * version and delete marker of the folder's objects (ListObjectVersions).
   */
  'objects:listStart': channel<ListingStart>()(
    z.strictObject({ ...location, prefix, search: z.string().min(1).max(1024).optional(), versions: z.boolean().optional() }).refine(
      (l) => !(l.versions && l.search !== undefined),
      'versions are listed per folder, not in search results',
    ),
  ),
  'objects:listNext': channel<ListingStep>()(z.strictObject({ listingId: z.uuid() })),
  'objects:listCancel': channel<boolean>()(z.strictObject({ listingId: z.uuid() })),
  'objects:details': channel<ObjectDetails>()(z.strictObject({ ...location, key: objectKey })),
  /** Creates "prefix/name/" and resolves to it. */
  'objects:newFolder': channel<string>()(z.strictObject({ ...location, prefix, name: folderName })),
  /** Objects under the folders, shown before a folder delete. `operationId` makes it cancellable. */
  'objects:count': channel<{ count: number; bytes: number }>()(
    z.strictObject({ ...location, folders: z.array(folder).min(1).max(1000), operationId: operationId.optional() }),
  ),
  /** Deletes keys and whole folders in batches; progress as `operations:progress`. Resolves to the count. */
  'objects:delete': channel<number>()(
    z.strictObject({ ...location, keys: z.array(objectKey).max(MAX_DELETE_KEYS), folders: z.array(folder).max(1000), operationId }),
  ),
  /** Renames or moves a file, or a folder ("a/" → "b/c/") with progress. Resolves to the objects moved. */
  'objects:move': channel<number>()(
    z
      .strictObject({ ...location, from: objectKey, to: objectKey, overwrite: z.boolean().optional(), operationId })
      .refine((m) => m.from.endsWith('/') === m.to.endsWith('/'), 'a folder moves to a folder ("…/") and a file to a file name'),
  ),
  /** A presigned GET link; S3 signatures last at most 7 days, so longer is refused here. */
  'objects:share': channel<ShareLink>()(
    z.strictObject({ ...location, key: objectKey, expiresInSeconds: z.int().min(60).max(MAX_SHARE_SECONDS, 'a share link lasts at most 7 days') }),
  ),
  'operations:cancel': channel<boolean>()(z.strictObject({ operationId })),
};
