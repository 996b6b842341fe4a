import {
  DeleteBucketCorsCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketPolicyCommand,
  DeleteBucketTaggingCommand,
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { expectBody } from './raw-response';
import type { ServerKind } from './server-profile';
import { s3Call } from './session';
import { readArea, writeArea, type AreaSpec, type ServerContext, type Setting } from './settings-area';

/*
 * Bucket settings, each read with the document it must come back as and written only where the server
 * has shown it implements it (settings-area.ts). Lifecycle and CORS travel in the JSON shape the AWS CLI
 * uses (put-bucket-lifecycle-configuration, put-bucket-cors), so pasted rules work as they are.
 */

export type VersioningStatus = 'Enabled' | 'Suspended' | 'Off';
export interface Tag {
  Key: string;
  Value: string;
}

/** A lifecycle rule as JSON: the SDK's shape with dates as ISO strings. */
export interface LifecycleRuleJson {
  ID?: string;
  Status: 'Enabled' | 'Disabled';
  Prefix?: string;
  Filter?: {
    Prefix?: string;
    Tag?: Tag;
    ObjectSizeGreaterThan?: number;
    ObjectSizeLessThan?: number;
    And?: { Prefix?: string; Tags?: Tag[]; ObjectSizeGreaterThan?: number; ObjectSizeLessThan?: number };
  };
  Expiration?: { Days?: number; Date?: string; ExpiredObjectDeleteMarker?: boolean };
  Transitions?: { Days?: number; Date?: string; StorageClass: string }[];
  NoncurrentVersionExpiration?: { NoncurrentDays?: number; NewerNoncurrentVersions?: number };
  NoncurrentVersionTransitions?: { NoncurrentDays?: number; NewerNoncurrentVersions?: number; StorageClass: string }[];
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

export type CorsMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

export interface CorsRuleJson {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: CorsMethod[];
  AllowedHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

export interface ObjectLockStatus {
  enabled: boolean;
  defaultRetention?: { mode: string; days?: number; years?: number };
}

export interface EncryptionStatus {
  /** Empty: objects are stored as sent (no default encryption). */
  rules: { algorithm: string; kmsKeyId?: string; bucketKey?: boolean }[];
}

export interface BucketSettings {
  server: { kind: ServerKind; name: string };
  versioning: Setting<VersioningStatus>;
  lifecycle: Setting<LifecycleRuleJson[]>;
  cors: Setting<CorsRuleJson[]>;
  /** The policy document as the server stores it; null when the bucket has none. */
  policy: Setting<string | null>;
  tags: Setting<Tag[]>;
  objectLock: Setting<ObjectLockStatus>;
  encryption: Setting<EncryptionStatus>;
}

export const AREAS = {
  versioning: { area: 'versioning', what: 'bucket versioning', emptyCodes: [], empty: 'Off' },
  lifecycle: { area: 'lifecycle', what: 'lifecycle rules', emptyCodes: ['NoSuchLifecycleConfiguration'], empty: [] },
  cors: { area: 'cors', what: 'bucket CORS', emptyCodes: ['NoSuchCORSConfiguration'], empty: [] },
  policy: { area: 'policy', what: 'bucket policies', emptyCodes: ['NoSuchBucketPolicy'], empty: null },
  tags: { area: 'tags', what: 'bucket tags', emptyCodes: ['NoSuchTagSet', 'NoSuchTagSetError'], empty: [] },
  objectLock: { area: 'objectLock', what: 'object lock', emptyCodes: ['ObjectLockConfigurationNotFoundError'], empty: { enabled: false } },
  encryption: { area: 'encryption', what: 'default encryption', emptyCodes: ['ServerSideEncryptionConfigurationNotFoundError'], empty: { rules: [] } },
} satisfies {
  versioning: AreaSpec<VersioningStatus>;
  lifecycle: AreaSpec<LifecycleRuleJson[]>;
  cors: AreaSpec<CorsRuleJson[]>;
  policy: AreaSpec<string | null>;
  tags: AreaSpec<Tag[]>;
  objectLock: AreaSpec<ObjectLockStatus>;
  encryption: AreaSpec<EncryptionStatus>;
};

/** One request on the context's session, cancellable by its signal. */
const call = <T>(ctx: ServerContext, request: (client: ServerContext['session']['client'], options: { abortSignal?: AbortSignal }) => Promise<T>) =>
  s3Call(ctx.session, ctx.signal, (o) => request(ctx.session.client, o));

// --- readers: each one request, its answer checked against the document it must be -----------------

const loaders = {
  versioning: async (ctx: ServerContext, bucket: string): Promise<VersioningStatus> => {
    const result = await call(ctx, (c, o) => c.send(expectBody(new GetBucketVersioningCommand({ Bucket: bucket }), { root: 'VersioningConfiguration' }, 'bucket versioning'), o));
    return result.Status === 'Enabled' || result.Status === 'Suspended' ? result.Status : 'Off';
  },
  lifecycle: async (ctx: ServerContext, bucket: string): Promise<LifecycleRuleJson[]> => {
    const result = await call(ctx, (c, o) => c.send(expectBody(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }), { root: 'LifecycleConfiguration' }, 'lifecycle rules'), o));
    // Dates become ISO strings: the rules cross IPC as JSON.
    return JSON.parse(JSON.stringify(result.Rules ?? [])) as LifecycleRuleJson[];
  },
  cors: async (ctx: ServerContext, bucket: string): Promise<CorsRuleJson[]> => {
    const result = await call(ctx, (c, o) => c.send(expectBody(new GetBucketCorsCommand({ Bucket: bucket }), { root: 'CORSConfiguration' }, 'bucket CORS'), o));
    return (result.CORSRules ?? []).map((rule) => ({ ...rule, AllowedOrigins: rule.AllowedOrigins ?? [], AllowedMethods: (rule.AllowedMethods ?? []) as CorsMethod[] }));
  },
  policy: async (ctx: ServerContext, bucket: string): Promise<string | null> => {
    const result = await call(ctx, (c, o) => c.send(expectBody(new GetBucketPolicyCommand({ Bucket: bucket }), { json: true }, 'bucket policies'), o));
    return result.Policy ?? null;
  },
  tags: async (ctx: ServerContext, bucket: string): Promise<Tag[]> => {
    const result = await call(ctx, (c, o) => c.send(expectBody(new GetBucketTaggingCommand({ Bucket: bucket }), { root: 'Tagging' }, 'bucket tags'), o));
    return (result.TagSet ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  },
  objectLock: async (ctx: ServerContext, bucket: string): Promise<ObjectLockStatus> => {
    const result = await call(ctx, (c, o) => c.send(expectBody(new GetObjectLockConfigurationCommand({ Bucket: bucket }), { root: 'ObjectLockConfiguration' }, 'object lock'), o));
    const config = result.ObjectLockConfiguration;
    const retention = config?.Rule?.DefaultRetention;
    return {
      enabled: config?.ObjectLockEnabled === 'Enabled',
      defaultRetention: retention?.Mode ? { mode: retention.Mode, days: retention.Days, years: retention.Years } : undefined,
    };
  },
  encryption: async (ctx: ServerContext, bucket: string): Promise<EncryptionStatus> => {
    const result = await call(ctx, (c, o) => c.send(expectBody(new GetBucketEncryptionCommand({ Bucket: bucket }), { root: 'ServerSideEncryptionConfiguration' }, 'default encryption'), o));
    return {
      rules: (result.ServerSideEncryptionConfiguration?.Rules ?? []).map((rule) => ({
        algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'unknown',
        kmsKeyId: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
        bucketKey: rule.BucketKeyEnabled,
      })),
    };
  },
};

type AreaName = keyof typeof loaders;

export function readSetting<A extends AreaName>(ctx: ServerContext, bucket: string, area: A): Promise<BucketSettings[A]> {
  const spec = AREAS[area] as AreaSpec<unknown>;
  return readArea(ctx, spec, () => loaders[area](ctx, bucket)) as Promise<BucketSettings[A]>;
}

/** Every area at once; each settles on its own, so one refusal does not hide the rest. */
export async function readBucketSettings(ctx: ServerContext, bucket: string): Promise<BucketSettings> {
  const [versioning, lifecycle, cors, policy, tags, objectLock, encryption] = await Promise.all([
    readSetting(ctx, bucket, 'versioning'),
    readSetting(ctx, bucket, 'lifecycle'),
    readSetting(ctx, bucket, 'cors'),
    readSetting(ctx, bucket, 'policy'),
    readSetting(ctx, bucket, 'tags'),
    readSetting(ctx, bucket, 'objectLock'),
    readSetting(ctx, bucket, 'encryption'),
  ]);
  return { server: { kind: ctx.profile.kind, name: ctx.profile.name }, versioning, lifecycle, cors, policy, tags, objectLock, encryption };
}

function writeSetting<A extends AreaName, R>(ctx: ServerContext, bucket: string, area: A, write: () => Promise<R>): Promise<R> {
  const spec = AREAS[area] as AreaSpec<unknown>;
  return writeArea(ctx, spec, () => loaders[area](ctx, bucket), write);
}

// --- writers ------------------------------------------------------------------------------------

/** Versioning cannot be turned off once on, only suspended (S3's rule). */
export async function setVersioning(ctx: ServerContext, bucket: string, status: 'Enabled' | 'Suspended'): Promise<void> {
  await writeSetting(ctx, bucket, 'versioning', () => call(ctx, (c, o) => c.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }), o)));
}

/** No rules removes the configuration (S3 refuses an empty one). */
export async function setLifecycle(ctx: ServerContext, bucket: string, rules: LifecycleRuleJson[]): Promise<void> {
  await writeSetting(ctx, bucket, 'lifecycle', () =>
    rules.length === 0
      ? call(ctx, (c, o) => c.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }), o))
      : call(ctx, (c, o) => c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules.map(toSdkRule) } }), o)),
  );
}

export async function setCors(ctx: ServerContext, bucket: string, rules: CorsRuleJson[]): Promise<void> {
  await writeSetting(ctx, bucket, 'cors', () =>
    rules.length === 0
      ? call(ctx, (c, o) => c.send(new DeleteBucketCorsCommand({ Bucket: bucket }), o))
      : call(ctx, (c, o) => c.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }), o)),
  );
}

/** `null` removes the policy. The document is checked in IPC (policy.ts) before it gets here. */
export async function setPolicy(ctx: ServerContext, bucket: string, policy: string | null): Promise<void> {
  await writeSetting(ctx, bucket, 'policy', () =>
    policy === null ? call(ctx, (c, o) => c.send(new DeleteBucketPolicyCommand({ Bucket: bucket }), o)) : call(ctx, (c, o) => c.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }), o)),
  );
}

export async function setBucketTags(ctx: ServerContext, bucket: string, tags: Tag[]): Promise<void> {
  checkTags(tags, 50);
  await writeSetting(ctx, bucket, 'tags', () =>
    tags.length === 0 ? call(ctx, (c, o) => c.send(new DeleteBucketTaggingCommand({ Bucket: bucket }), o)) : call(ctx, (c, o) => c.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tags } }), o)),
  );
}

/** S3's tag rules, as sentences before any request: at most `max` tags, unique keys of 1–128 characters, values up to 256. */
export function checkTags(tags: Tag[], max: number): void {
  if (tags.length > max) throw new KeydeskError({ code: 'INVALID_INPUT', message: `At most ${max} tags are allowed; remove ${tags.length - max}.` });
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.length < 1 || tag.Key.length > 128) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'A tag key needs 1 to 128 characters.' });
    if (tag.Value.length > 256) throw new KeydeskError({ code: 'INVALID_INPUT', message: `The value of tag "${tag.Key}" is longer than 256 characters.` });
    if (tag.Key.toLowerCase().startsWith('aws:')) throw new KeydeskError({ code: 'INVALID_INPUT', message: `Tag keys starting with "aws:" are reserved ("${tag.Key}").` });
    if (seen.has(tag.Key)) throw new KeydeskError({ code: 'INVALID_INPUT', message: `The tag key "${tag.Key}" appears twice.` });
    seen.add(tag.Key);
  }
}

function toSdkRule(rule: LifecycleRuleJson): LifecycleRule {
  const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));
  return {
    ...rule,
    Expiration: rule.Expiration && { ...rule.Expiration, Date: date(rule.Expiration.Date) },
    Transitions: rule.Transitions?.map((t) => ({ ...t, Date: date(t.Date), StorageClass: t.StorageClass as never })),
    NoncurrentVersionTransitions: rule.NoncurrentVersionTransitions?.map((t) => ({ ...t, StorageClass: t.StorageClass as never })),
  };
}
