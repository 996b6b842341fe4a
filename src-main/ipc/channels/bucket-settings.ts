import { z } from 'zod';
import type { BucketSettings, CorsRuleJson, LifecycleRuleJson, Tag, VersioningStatus } from '../../core/s3/bucket-settings';
import type { Setting } from '../../core/s3/settings-area';
import type { BucketQuota } from '../../core/providers/adapter';
import { channel } from '../channel';
import { MAX_POLICY_BYTES } from './policy-check';
import { bucketName, credentialId } from './s3-fields';

export type { BucketQuota, BucketSettings, CorsRuleJson, LifecycleRuleJson, Setting, Tag, VersioningStatus };

/** The bucket's settings; `quota` only where the credential's provider account reports one. */
export type BucketSettingsView = BucketSettings & { quota?: Setting<BucketQuota> };

const location = { credentialId, bucket: bucketName };
const text = (max: number) => z.string().max(max).refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'control characters are not allowed');
const days = z.int().min(1).max(100_000);
const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());
const tag = z.strictObject({ Key: text(128).min(1), Value: text(256) });
const storageClass = z.string().regex(/^[A-Z0-9_]{1,64}$/, 'a storage class looks like STANDARD_IA');

/** One lifecycle rule in the AWS CLI's JSON shape; unknown fields are refused rather than dropped. */
export const lifecycleRule = z
  .strictObject({
    ID: text(255).optional(),
    Status: z.enum(['Enabled', 'Disabled']),
    Prefix: text(1024).optional(),
    Filter: z
      .strictObject({
        Prefix: text(1024).optional(),
        Tag: tag.optional(),
        ObjectSizeGreaterThan: z.int().min(0).optional(),
        ObjectSizeLessThan: z.int().min(1).optional(),
        And: z
          .strictObject({ Prefix: text(1024).optional(), Tags: z.array(tag).max(10).optional(), ObjectSizeGreaterThan: z.int().min(0).optional(), ObjectSizeLessThan: z.int().min(1).optional() })
          .optional(),
      })
      .optional(),
    Expiration: z.strictObject({ Days: days.optional(), Date: isoDate.optional(), ExpiredObjectDeleteMarker: z.boolean().optional() }).optional(),
    Transitions: z.array(z.strictObject({ Days: z.int().min(0).max(100_000).optional(), Date: isoDate.optional(), StorageClass: storageClass })).max(10).optional(),
    NoncurrentVersionExpiration: z.strictObject({ NoncurrentDays: days.optional(), NewerNoncurrentVersions: z.int().min(1).max(100).optional() }).optional(),
    NoncurrentVersionTransitions: z
      .array(z.strictObject({ NoncurrentDays: z.int().min(0).max(100_000).optional(), NewerNoncurrentVersions: z.int().min(1).max(100).optional(), StorageClass: storageClass }))
      .max(10)
      .optional(),
    AbortIncompleteMultipartUpload: z.strictObject({ DaysAfterInitiation: days }).optional(),
  })
  .refine(
    (r) => r.Expiration || r.Transitions || r.NoncurrentVersionExpiration || r.NoncurrentVersionTransitions || r.AbortIncompleteMultipartUpload,
    'a rule needs an action: Expiration, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload or a transition',
  )
  .refine((r) => !(r.Prefix !== undefined && r.Filter !== undefined), 'give a rule either "Prefix" or "Filter", not both');

export const corsRule = z.strictObject({
  ID: text(255).optional(),
  AllowedOrigins: z.array(text(1024).min(1)).min(1).max(100),
  AllowedMethods: z.array(z.enum(['GET', 'PUT', 'POST', 'DELETE', 'HEAD'])).min(1),
  AllowedHeaders: z.array(text(1024).min(1)).max(100).optional(),
  ExposeHeaders: z.array(text(1024).min(1)).max(100).optional(),
  MaxAgeSeconds: z.int().min(0).max(86_400 * 365).optional(),
});

export const bucketSettingsChannels = {
  /** Every settings area, each with its value or why it is unavailable on this server. */
  'settings:get': channel<BucketSettingsView>()(z.strictObject(location)),
  /** Just versioning, for the listing's "Show versions" and the delete dialog. */
  'settings:versioning': channel<Setting<VersioningStatus>>()(z.strictObject(location)),
  'settings:setVersioning': channel<void>()(z.strictObject({ ...location, status: z.enum(['Enabled', 'Suspended']) })),
  /** No rules removes the lifecycle configuration. */
  'settings:setLifecycle': channel<void>()(z.strictObject({ ...location, rules: z.array(lifecycleRule).max(1000) })),
  'settings:setCors': channel<void>()(z.strictObject({ ...location, rules: z.array(corsRule).max(100) })),
  /** null removes the policy. A policy with warnings (public access) needs `acceptWarnings`. */
  'settings:setPolicy': channel<void>()(z.strictObject({ ...location, policy: z.string().min(1).max(MAX_POLICY_BYTES).nullable(), acceptWarnings: z.boolean().optional() })),
  'settings:setTags': channel<void>()(z.strictObject({ ...location, tags: z.array(tag).max(50) })),
};
