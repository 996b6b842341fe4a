import { z } from 'zod';
import type { BucketInfo } from '../../core/s3/buckets';
import { channel } from '../channel';
import { bucketName, credentialId, newBucketName, operationId, region } from './s3-fields';

export type BucketSummary = BucketInfo;

export const bucketChannels = {
  /** Regions come from the listing where the server includes them, else per bucket while there are few buckets. */
  'buckets:list': channel<BucketSummary[]>()(z.strictObject({ credentialId })),
  'buckets:create': channel<void>()(z.strictObject({ credentialId, name: newBucketName, region: region.optional() })),
  /** Refused with CONFLICT (and the object count in the message) while the bucket holds objects. */
  'buckets:delete': channel<void>()(z.strictObject({ credentialId, name: bucketName })),
  /** Deletes every object, version and unfinished upload; progress as `operations:progress`. Resolves to the count. */
  'buckets:empty': channel<number>()(z.strictObject({ credentialId, name: bucketName, operationId })),
};
