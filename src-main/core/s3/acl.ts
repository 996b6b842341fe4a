import { GetBucketAclCommand, GetObjectAclCommand, PutBucketAclCommand, PutObjectAclCommand, type Grant } from '@aws-sdk/client-s3';
import { KeydeskError } from '../errors';
import { expectBody } from './raw-response';
import { s3Call } from './session';
import { readArea, writeArea, type AreaSpec, type ServerContext, type Setting } from './settings-area';

/*
 * ACL grants by canonical user ID, on a bucket or an object (version): how IONOS, RGW and AWS let one
 * account share with another. Every change reads the current list and writes it back whole with the
 * one grant added or removed, keeping the owner and every other grant.
 */

export const PERMISSIONS = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface AclGrantee {
  type: 'CanonicalUser' | 'Group' | 'AmazonCustomerByEmail';
  id?: string;
  displayName?: string;
  /** Groups: AllUsers (everyone) or AuthenticatedUsers (anyone with any key). */
  uri?: string;
  email?: string;
}

export interface AclGrant {
  grantee: AclGrantee;
  permission: Permission;
}

export interface AccessList {
  owner: { id: string; displayName?: string };
  grants: AclGrant[];
}

export interface AclTarget {
  bucket: string;
  /** Absent: the bucket's own ACL. */
  key?: string;
  versionId?: string;
}

const SPEC: AreaSpec<AccessList> = { area: 'acl', what: 'access control lists (ACLs)', emptyCodes: [], empty: { owner: { id: '' }, grants: [] } };

async function load(ctx: ServerContext, target: AclTarget): Promise<AccessList> {
  const result = await s3Call(ctx.session, ctx.signal, (o) =>
    target.key === undefined
      ? ctx.session.client.send(expectBody(new GetBucketAclCommand({ Bucket: target.bucket }), { root: 'AccessControlPolicy' }, SPEC.what), o)
      : ctx.session.client.send(expectBody(new GetObjectAclCommand({ Bucket: target.bucket, Key: target.key, VersionId: target.versionId }), { root: 'AccessControlPolicy', ofObject: true }, SPEC.what), o),
  );
  return {
    owner: { id: result.Owner?.ID ?? '', displayName: result.Owner?.DisplayName },
    grants: (result.Grants ?? []).flatMap((grant): AclGrant[] => {
      const permission = grant.Permission as Permission | undefined;
      if (!grant.Grantee?.Type || !permission || !PERMISSIONS.includes(permission)) return [];
      const g = grant.Grantee;
      return [{ grantee: { type: g.Type as AclGrantee['type'], id: g.ID, displayName: g.DisplayName, uri: g.URI, email: g.EmailAddress }, permission }];
    }),
  };
}

export function readAcl(ctx: ServerContext, target: AclTarget): Promise<Setting<AccessList>> {
  return readArea(ctx, SPEC, () => load(ctx, target));
}

/** Grants `permission` to a canonical user; a grant that exists already is left as it is. */
export async function addGrant(ctx: ServerContext, target: AclTarget, userId: string, permission: Permission): Promise<AccessList> {
  const id = checkUserId(userId);
  if (target.key !== undefined && permission === 'WRITE') {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: 'WRITE applies to buckets only (it lets someone add and delete objects); an object can be shared with READ, READ_ACP, WRITE_ACP or FULL_CONTROL.' });
  }
  return change(ctx, target, (acl) => {
    if (acl.grants.some((g) => g.grantee.type === 'CanonicalUser' && g.grantee.id === id && g.permission === permission)) return acl.grants;
    return [...acl.grants, { grantee: { type: 'CanonicalUser', id }, permission }];
  });
}

/** Removes one grant. The owner's own FULL_CONTROL stays: removing it would lock the owner's tools out. */
export async function removeGrant(ctx: ServerContext, target: AclTarget, grant: AclGrant): Promise<AccessList> {
  return change(ctx, target, (acl) => {
    if (grant.grantee.type === 'CanonicalUser' && grant.grantee.id === acl.owner.id && grant.permission === 'FULL_CONTROL') {
      throw new KeydeskError({ code: 'INVALID_INPUT', message: "The owner's own FULL_CONTROL grant is kept; remove the other grants instead." });
    }
    const kept = acl.grants.filter((g) => !sameGrant(g, grant));
    if (kept.length === acl.grants.length) throw new KeydeskError({ code: 'NOT_FOUND', message: 'That grant is no longer in the list; reload it.' });
    return kept;
  });
}

async function change(ctx: ServerContext, target: AclTarget, edit: (acl: AccessList) => AclGrant[]): Promise<AccessList> {
  return writeArea(ctx, SPEC, () => load(ctx, target), async () => {
    const current = await load(ctx, target);
    const grants = edit(current);
    const policy = { Owner: { ID: current.owner.id, DisplayName: current.owner.displayName }, Grants: grants.map(toSdkGrant) };
    await s3Call(ctx.session, ctx.signal, (o) =>
      target.key === undefined
        ? ctx.session.client.send(new PutBucketAclCommand({ Bucket: target.bucket, AccessControlPolicy: policy }), o)
        : ctx.session.client.send(new PutObjectAclCommand({ Bucket: target.bucket, Key: target.key, VersionId: target.versionId, AccessControlPolicy: policy }), o),
    );
    return load(ctx, target);
  });
}

/** The grants beyond the owner's own FULL_CONTROL: what a copy in place could lose. */
export function extraGrants(acl: AccessList): AclGrant[] {
  return acl.grants.filter((g) => !(g.grantee.type === 'CanonicalUser' && g.grantee.id === acl.owner.id && g.permission === 'FULL_CONTROL'));
}

/** The x-amz-grant-* headers of an object write (CopyObject, CreateMultipartUpload). */
export interface GrantHeaders {
  GrantFullControl?: string;
  GrantRead?: string;
  GrantReadACP?: string;
  GrantWriteACP?: string;
}

const HEADER_OF: Partial<Record<Permission, keyof GrantHeaders>> = { FULL_CONTROL: 'GrantFullControl', READ: 'GrantRead', READ_ACP: 'GrantReadACP', WRITE_ACP: 'GrantWriteACP' };

/**
 * An object's ACL as the headers that give a copy in place the same ACL in the same request (no moment
 * at owner-only, nothing left to put back if the work is cut short). Undefined when the ACL is the
 * owner's alone, which is what a copy gets anyway, or when a grant cannot travel in a header.
 */
export function grantHeaders(acl: AccessList): GrantHeaders | undefined {
  if (extraGrants(acl).length === 0) return undefined;
  const headers: GrantHeaders = {};
  for (const grant of acl.grants) {
    const header = HEADER_OF[grant.permission];
    const g = grant.grantee;
    const value = g.type === 'CanonicalUser' ? g.id && `id="${g.id}"` : g.type === 'Group' ? g.uri && `uri="${g.uri}"` : g.email && `emailAddress="${g.email}"`;
    if (!header || !value || /["\r\n]/.test(value.slice(value.indexOf('"') + 1, -1))) return undefined;
    headers[header] = headers[header] ? `${headers[header]}, ${value}` : value;
  }
  return headers;
}

/**
 * Makes sure an object has again the grants `acl` had beyond the owner's, after a copy in place (which
 * resets the ACL where a server ignores grant headers). Not cancellable: it finishes what a completed
 * copy started. When it cannot, the error names every grant to add by hand.
 */
export async function restoreGrants(ctx: ServerContext, target: AclTarget, acl: AccessList): Promise<void> {
  const wanted = extraGrants(acl);
  if (wanted.length === 0) return;
  const steady: ServerContext = { ...ctx, signal: undefined };
  const missing = (now: AccessList) => wanted.filter((g) => !now.grants.some((n) => sameGrant(n, g)));
  try {
    if (missing(await load(steady, target)).length === 0) return;
    await change(steady, target, (now) => [...now.grants, ...missing(now)]);
  } catch (error) {
    const reason = error instanceof KeydeskError ? error.message : String(error);
    throw new KeydeskError(
      {
        code: error instanceof KeydeskError ? error.code : 'PROVIDER',
        message: `"${target.key}" was changed, but Keydesk could not make sure it kept its permissions (a copy in place resets them to owner-only on some servers). Check them under Permissions… and grant again what is missing: ${wanted.map(describeGrant).join('; ')}.`,
        hint: reason,
      },
      { cause: error },
    );
  }
}

/** "READ to bob", "READ to everyone (AllUsers)". */
export function describeGrant(grant: AclGrant): string {
  const g = grant.grantee;
  const who = g.type === 'Group' ? (/AllUsers$/.test(g.uri ?? '') ? 'everyone (AllUsers)' : /AuthenticatedUsers$/.test(g.uri ?? '') ? 'any key holder (AuthenticatedUsers)' : (g.uri ?? 'a group')) : (g.id ?? g.email ?? 'unknown');
  return `${grant.permission} to ${who}`;
}

/** True when anyone (AllUsers) or any key holder (AuthenticatedUsers) is granted something. */
export function isPublicGrant(grant: AclGrant): boolean {
  return grant.grantee.type === 'Group' && /\/(AllUsers|AuthenticatedUsers)$/.test(grant.grantee.uri ?? '');
}

function sameGrant(a: AclGrant, b: AclGrant): boolean {
  return a.permission === b.permission && a.grantee.type === b.grantee.type && (a.grantee.id ?? a.grantee.uri ?? a.grantee.email) === (b.grantee.id ?? b.grantee.uri ?? b.grantee.email);
}

function toSdkGrant(grant: AclGrant): Grant {
  const g = grant.grantee;
  return { Permission: grant.permission, Grantee: { Type: g.type, ID: g.type === 'CanonicalUser' ? g.id : undefined, URI: g.type === 'Group' ? g.uri : undefined, EmailAddress: g.type === 'AmazonCustomerByEmail' ? g.email : undefined } };
}

function checkUserId(value: string): string {
  const id = value.trim();
  if (id === '' || id.length > 256 || /[\u0000-\u001f\u007f\s]/.test(id)) {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Enter the canonical user ID to share with: one word without spaces (on AWS 64 hex digits, on RGW the user ID, on IONOS the ID shown for the user).' });
  }
  return id;
}
