import { z } from 'zod';
import type { VersionCount } from '../../core/s3/versions';
import type { SizeReport } from '../../core/s3/sizes';
import { channel } from '../channel';
import { bucketName, credentialId, folder, objectKey, operationId, prefix } from './s3-fields';

export type { SizeReport, VersionCount };

const location = { credentialId, bucket: bucketName };
/** S3 version IDs are opaque strings ("null" for objects from before versioning). */
export const versionId = z.string().min(1).max(1024).refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'a version ID has no control characters');

export const versionChannels = {
  /** Deletes one version (or delete marker) for good. */
  'versions:delete': channel<void>()(z.strictObject({ ...location, key: objectKey, versionId })),
  /** Copies an old version over its key, making it the latest (server-side; multipart above 5 GB). */
  'versions:restore': channel<void>()(z.strictObject({ ...location, key: objectKey, versionId, operationId })),
  /** Versions and delete markers of keys and under folders, before deleting all of them. */
  'versions:count': channel<VersionCount>()(
    z.strictObject({ ...location, keys: z.array(objectKey).max(1000), folders: z.array(folder).max(1000), operationId: operationId.optional() }),
  ),
  /** Deletes every version and delete marker of the keys and under the folders; resolves to the count. */
  'versions:deleteAll': channel<number>()(z.strictObject({ ...location, keys: z.array(objectKey).max(1000), folders: z.array(folder).max(1000), operationId })),
  /**
   * Adds up objects (and, with `withVersions`, every version) under folders; '' is the whole bucket.
   * Progress as `operations:progress` with `done` = objects counted so far and `bytes`.
   */
  'sizes:measure': channel<SizeReport>()(
    z.strictObject({ ...location, prefixes: z.array(prefix).min(1).max(1000), withVersions: z.boolean().optional(), operationId }),
  ),
};
