import { DeleteObjectTaggingCommand, GetObjectTaggingCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { grantHeaders, readAcl, restoreGrants } from './acl';
import { checkTags, type Tag } from './bucket-settings';
import { copyObject, propertiesOf, type CopyOptions, type ObjectWriteProperties } from './copy';
import { objectDetails, type ObjectDetails } from './objects';
import { runPool } from './pool';
import { expectBody } from './raw-response';
import { s3Call, type BatchOptions } from './session';
import { readArea, writeArea, type AreaSpec, type ServerContext, type Setting } from './settings-area';

/*
 * Object properties (Content-Type, Cache-Control, Content-Disposition, metadata, storage class) are part
 * of the object in S3: changing them is a server-side copy of the object onto itself with
 * MetadataDirective REPLACE, which must send everything to keep (encryption, storage class, the other
 * headers), and which resets the ACL, so extra grants are put back. Tags have their own sub-resource.
 */

export interface ObjectProperties extends ObjectDetails {
  tags: Setting<Tag[]>;
  /** Classes the object can be moved to; undefined when the server does not say (type one in). */
  storageClasses?: string[];
}

const TAGS: AreaSpec<Tag[]> = { area: 'objectTags', what: 'object tags', emptyCodes: ['NoSuchTagSet', 'NoSuchTagSetError'], empty: [] };

/** A header to leave (undefined), remove (null) or set. */
type HeaderChange = string | null | undefined;

/** What to change; anything not named stays as it is. Batch edits name only the fields the user touched. */
export interface PropertyChange {
  contentType?: string;
  cacheControl?: HeaderChange;
  contentDisposition?: HeaderChange;
  contentEncoding?: HeaderChange;
  contentLanguage?: HeaderChange;
  expires?: HeaderChange;
  /** `replace` sets the whole set (one object's editor); `set`/`remove` change some names (batch). */
  metadata?: { replace?: Record<string, string>; set?: Record<string, string>; remove?: string[] };
  tags?: { replace?: Tag[]; set?: Tag[]; remove?: string[] };
  storageClass?: string;
}

async function loadTags(ctx: ServerContext, bucket: string, key: string, versionId?: string): Promise<Tag[]> {
  const result = await s3Call(ctx.session, ctx.signal, (o) =>
    ctx.session.client.send(expectBody(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }), { root: 'Tagging', emptyIsNone: true, ofObject: true }, TAGS.what), o),
  );
  return (result.TagSet ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

export async function readObjectProperties(ctx: ServerContext, bucket: string, key: string, versionId?: string): Promise<ObjectProperties> {
  const [details, tags] = await Promise.all([objectDetails(ctx.session, bucket, key, ctx.signal, versionId), readArea(ctx, TAGS, () => loadTags(ctx, bucket, key, versionId))]);
  return { ...details, tags, storageClasses: ctx.profile.storageClasses };
}

/** S3's user-metadata rules, checked before any request: header-safe names, ASCII values, 2 KB in all. */
export function checkMetadata(metadata: Record<string, string>): void {
  let size = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new KeydeskError({ code: 'INVALID_INPUT', message: `"${name}" cannot be a metadata name: use letters, digits and - _ . only.` });
    // eslint-disable-next-line no-control-regex
    if (!/^[\x20-\x7e]*$/.test(value)) throw new KeydeskError({ code: 'INVALID_INPUT', message: `The value of "${name}" holds characters a header cannot carry; use plain ASCII (encode others, e.g. as RFC 2047).` });
    size += name.length + value.length;
  }
  if (size > 2048) throw new KeydeskError({ code: 'INVALID_INPUT', message: `User metadata may hold 2 KB in all (names and values); this is ${size} bytes.` });
}

/** The properties an object is written with after `change`; undefined when nothing but tags changes. */
export function applyChange(current: ObjectDetails, change: PropertyChange): ObjectWriteProperties | undefined {
  const base = propertiesOf(current);
  const header = (value: HeaderChange, old: string | undefined) => (value === undefined ? old : value === null || value.trim() === '' ? undefined : value.trim());
  const metadata = change.metadata?.replace ? { ...change.metadata.replace } : { ...current.metadata };
  for (const [name, value] of Object.entries(change.metadata?.set ?? {})) metadata[name.toLowerCase()] = value;
  for (const name of change.metadata?.remove ?? []) delete metadata[name.toLowerCase()];
  const next: ObjectWriteProperties = {
    ...base,
    contentType: change.contentType?.trim() || base.contentType,
    cacheControl: header(change.cacheControl, base.cacheControl),
    contentDisposition: header(change.contentDisposition, base.contentDisposition),
    contentEncoding: header(change.contentEncoding, base.contentEncoding),
    contentLanguage: header(change.contentLanguage, base.contentLanguage),
    expires: header(change.expires, base.expires),
    metadata,
    storageClass: change.storageClass ?? base.storageClass,
  };
  checkMetadata(metadata);
  const same =
    next.contentType === base.contentType &&
    next.cacheControl === base.cacheControl &&
    next.contentDisposition === base.contentDisposition &&
    next.contentEncoding === base.contentEncoding &&
    next.contentLanguage === base.contentLanguage &&
    next.expires === base.expires &&
    (change.storageClass === undefined || change.storageClass === current.storageClass) &&
    JSON.stringify(Object.entries(metadata).sort()) === JSON.stringify(Object.entries(current.metadata).sort());
  return same ? undefined : next;
}

function applyTagChange(current: Tag[], change: PropertyChange['tags']): Tag[] | undefined {
  if (!change) return undefined;
  const tags = new Map((change.replace ?? current).map((t) => [t.Key, t.Value]));
  for (const t of change.set ?? []) tags.set(t.Key, t.Value);
  for (const key of change.remove ?? []) tags.delete(key);
  const next = [...tags].map(([Key, Value]) => ({ Key, Value }));
  checkTags(next, 10);
  return JSON.stringify(next) === JSON.stringify(current) ? undefined : next;
}

/**
 * Applies `change` to one object (its latest version). Returns false when nothing differed, so no copy
 * (and, in a versioned bucket, no new version) was made. Once the copy has been sent, the rest of the
 * object's change (its grants, its tags) is finished even if the work is cancelled.
 */
export async function updateObjectProperties(
  ctx: ServerContext,
  bucket: string,
  key: string,
  change: PropertyChange,
  copy: Pick<CopyOptions, 'multipartThreshold' | 'partSize'> = {},
): Promise<boolean> {
  if (change.storageClass && ctx.profile.storageClasses && !ctx.profile.storageClasses.includes(change.storageClass)) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: `${ctx.profile.name} offers the storage classes ${ctx.profile.storageClasses.join(', ')}; "${change.storageClass}" is not one of them.` });
  }
  const current = await objectDetails(ctx.session, bucket, key, ctx.signal);
  const next = applyChange(current, change);
  const before = await tagsToKeep(ctx, current, change, !!next);
  const tags = before && applyTagChange(before, change.tags);
  if (!next && !tags) return false;
  if (next) await copyInPlace(ctx, bucket, current, next, before && (tags ?? before), copy);
  else if (tags) await putTags(ctx, bucket, key, tags);
  return true;
}

/**
 * The object's tags where a change must know them: to change them, or to keep them through a copy in
 * place (RGW drops an object's tags whenever a copy replaces its metadata). Undefined when there are
 * none Keydesk could keep: the server has no object tags, or will not show them and reports none.
 */
async function tagsToKeep(ctx: ServerContext, current: ObjectDetails, change: PropertyChange, copies: boolean): Promise<Tag[] | undefined> {
  const load = () => loadTags(ctx, current.bucket, current.key);
  if (change.tags) return writeArea(ctx, TAGS, load, load);
  if (!copies) return undefined;
  const read = await readArea(ctx, TAGS, load);
  if (read.state === 'ok') return read.value;
  if ((current.tagCount ?? 0) > 0) {
    const reason = read.state === 'error' ? read.error.message : read.reason;
    throw new KeydeskError({
      code: read.state === 'denied' ? 'ACCESS_DENIED' : read.state === 'error' ? read.error.code : 'UNSUPPORTED',
      message: `"${current.key}" was not changed: it has ${current.tagCount} tag(s) that could not be read, and changing its properties could lose them. ${reason}`,
    });
  }
  return undefined;
}

function putTags(ctx: ServerContext, bucket: string, key: string, tags: Tag[]): Promise<unknown> {
  const load = () => loadTags(ctx, bucket, key);
  return writeArea(ctx, TAGS, load, () =>
    s3Call(ctx.session, ctx.signal, (o) =>
      tags.length === 0
        ? ctx.session.client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: key }), o)
        : ctx.session.client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: tags } }), o),
    ),
  );
}

/**
 * The copy of an object onto itself with new properties, keeping its ACL and its tags (`tags`: what it
 * must carry afterwards; undefined where the server has none). The ACL is read first (a copy that
 * cannot know it would silently reset it to owner-only, so it does not go ahead); grants and tags are
 * sent along with the copy, then checked and put back where the server ignored them, also after a copy
 * that failed or was cancelled, since the server may have carried it out all the same.
 */
async function copyInPlace(ctx: ServerContext, bucket: string, current: ObjectDetails, next: ObjectWriteProperties, tags: Tag[] | undefined, copy: Pick<CopyOptions, 'multipartThreshold' | 'partSize'>): Promise<void> {
  const target = { bucket, key: current.key };
  const acl = await readAcl(ctx, target);
  if (acl.state === 'denied' || acl.state === 'error') {
    const reason = acl.state === 'denied' ? acl.reason : acl.error.message;
    throw new KeydeskError({
      code: acl.state === 'denied' ? 'ACCESS_DENIED' : acl.error.code,
      message: `"${current.key}" was not changed: its permissions (ACL) could not be read, and changing its properties would reset them to owner-only. ${reason}`,
      hint: "Use a key that may read the object's permissions (READ_ACP), e.g. the owner's.",
    });
  }
  const kept = acl.state === 'ok' ? acl.value : undefined;
  const settle = async () => {
    const outcomes = await Promise.allSettled([kept && restoreGrants(ctx, target, kept), tags && restoreTags(ctx, bucket, current.key, tags)]);
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new KeydeskError({ code: 'PROVIDER', message: failures.map((f) => (f instanceof Error ? f.message : String(f))).join(' ') });
  };
  try {
    await copyObject(ctx.session, target, target, { ...copy, signal: ctx.signal, expectEtag: current.etag, replace: { ...next, grants: kept && grantHeaders(kept), tags } });
  } catch (error) {
    await settle();
    throw error;
  }
  await settle();
}

/** Makes sure an object carries `tags` after a copy in place; not cancellable; a failure names the tags. */
async function restoreTags(ctx: ServerContext, bucket: string, key: string, tags: Tag[]): Promise<void> {
  const steady: ServerContext = { ...ctx, signal: undefined };
  const same = (a: Tag[]) => JSON.stringify([...a].sort((x, y) => x.Key.localeCompare(y.Key))) === JSON.stringify([...tags].sort((x, y) => x.Key.localeCompare(y.Key)));
  try {
    if (!same(await loadTags(steady, bucket, key))) await putTags(steady, bucket, key, tags);
  } catch (error) {
    throw new KeydeskError(
      {
        code: error instanceof KeydeskError ? error.code : 'PROVIDER',
        message: `"${key}" was changed, but Keydesk could not make sure it kept its tags (a copy in place drops them on some servers). Check them under Properties…${tags.length ? ` and add again what is missing: ${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}` : ''}.`,
        hint: error instanceof Error ? error.message : String(error),
      },
      { cause: error },
    );
  }
}

/**
 * The same change on many objects, a few at a time, with progress; one object's refusal does not stop the
 * others (they are reported together at the end). A cancel stops the rest: objects changed so far stay
 * changed, the others are untouched. Returns how many objects changed.
 */
export async function updateManyObjects(ctx: ServerContext, bucket: string, keys: string[], change: PropertyChange, options: BatchOptions = {}): Promise<number> {
  let done = 0;
  let changed = 0;
  const failures: { key: string; reason: string }[] = [];
  options.onProgress?.({ done, total: keys.length });
  const cancelled = await runPool(
    keys,
    4,
    async (key, signal) => {
      try {
        if (await updateObjectProperties({ ...ctx, signal }, bucket, key, change)) changed++;
      } catch (error) {
        // A cancel is not a failure; anything else is reported, also when it happened during a cancel.
        if (signal.aborted && error instanceof KeydeskError && error.code === 'CANCELLED') throw error;
        failures.push({ key, reason: error instanceof KeydeskError ? error.message : String(error) });
      }
      options.onProgress?.({ done: ++done, total: keys.length });
    },
    options.signal,
  ).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (failures.length > 0) {
    const others = failures.slice(1, 6).map((f) => `"${f.key}"`);
    throw new KeydeskError({
      code: 'PROVIDER',
      message: `${failures.length} of ${keys.length} objects could not be changed${cancelled ? ' (then the work was cancelled)' : ''}; the first was "${failures[0].key}": ${failures[0].reason}`,
      hint: `${changed} object(s) were changed.${others.length ? ` The others that failed: ${others.join(', ')}${failures.length > 6 ? ' and more' : ''}.` : ''}`,
    });
  }
  if (cancelled) throw cancelled;
  return changed;
}
