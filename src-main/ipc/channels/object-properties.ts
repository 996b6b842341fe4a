import { z } from 'zod';
import type { ObjectProperties, PropertyChange } from '../../core/s3/object-properties';
import { channel } from '../channel';
import { bucketName, credentialId, objectKey, operationId } from './s3-fields';
import { versionId } from './versions';

export type { ObjectProperties, PropertyChange };

/** Header values: printable, one line. */
const header = z.string().max(1024).refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'a header value is one line without control characters');
const tag = z.strictObject({ Key: z.string().min(1).max(128), Value: z.string().max(256) });
const metadataName = z.string().min(1).max(128);

export const propertyChange = z.strictObject({
  contentType: header.min(1).optional(),
  cacheControl: header.nullable().optional(),
  contentDisposition: header.nullable().optional(),
  contentEncoding: header.nullable().optional(),
  contentLanguage: header.nullable().optional(),
  expires: header.nullable().optional(),
  metadata: z
    .strictObject({
      replace: z.record(metadataName, z.string().max(2048)).optional(),
      set: z.record(metadataName, z.string().max(2048)).optional(),
      remove: z.array(metadataName).max(100).optional(),
    })
    .optional(),
  tags: z.strictObject({ replace: z.array(tag).max(10).optional(), set: z.array(tag).max(10).optional(), remove: z.array(z.string().max(128)).max(10).optional() }).optional(),
  storageClass: z.string().regex(/^[A-Z0-9_]{1,64}$/, 'a storage class looks like STANDARD_IA').optional(),
});

export const propertyChannels = {
  /** Headers, metadata, tags, encryption and lock of an object (version), with the server's storage classes. */
  'properties:get': channel<ObjectProperties>()(z.strictObject({ credentialId, bucket: bucketName, key: objectKey, versionId: versionId.optional() })),
  /**
   * Applies one change to each object (copy in place; tags on their own), with progress and cancel.
   * Resolves to the number of objects that changed (unchanged ones are not copied).
   */
  'properties:update': channel<number>()(z.strictObject({ credentialId, bucket: bucketName, keys: z.array(objectKey).min(1).max(1000), change: propertyChange, operationId })),
};
