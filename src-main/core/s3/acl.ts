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
      : ctx.session.client.send(expectBody(new GetObjectAclCommand({ Bucket: target.bucket, Key: target.key, VersionId: target.versionId }), { root: 'AccessControlPolicy' }, SPEC.what), o),
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

/** Puts back grants an object had before a copy-in-place reset its ACL to owner-only. */
export async function restoreGrants(ctx: ServerContext, target: AclTarget, acl: AccessList): Promise<void> {
  const extra = acl.grants.filter((g) => !(g.grantee.type === 'CanonicalUser' && g.grantee.id === acl.owner.id && g.permission === 'FULL_CONTROL'));
  if (extra.length === 0) return;
  await change(ctx, target, (now) => [...now.grants, ...extra.filter((g) => !now.grants.some((n) => sameGrant(n, g)))]);
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
