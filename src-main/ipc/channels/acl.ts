import { z } from 'zod';
import { PERMISSIONS, type AccessList, type AclGrant } from '../../core/s3/acl';
import type { Setting } from '../../core/s3/settings-area';
import { channel } from '../channel';
import { bucketName, credentialId, objectKey } from './s3-fields';

export type { AccessList, AclGrant };

/** Someone Keydesk knows a canonical user ID for: a provider account's user, or this key's own owner. */
export interface KnownPrincipal {
  id: string;
  name: string;
  /** Where it comes from: the provider account's label, or "this key". */
  source: string;
}

const target = { credentialId, bucket: bucketName, key: objectKey.optional(), versionId: z.string().min(1).max(1024).optional() };
const permission = z.enum(PERMISSIONS);
const userId = z.string().trim().min(1).max(256).regex(/^[^\s\u0000-\u001f\u007f]+$/, 'a canonical user ID is one word without spaces');

export const aclChannels = {
  /** The ACL of a bucket (no key) or of an object (version). */
  'acl:get': channel<Setting<AccessList>>()(z.strictObject(target)),
  'acl:grant': channel<AccessList>()(z.strictObject({ ...target, userId, permission })),
  'acl:revoke': channel<AccessList>()(
    z.strictObject({
      ...target,
      grant: z.strictObject({
        permission,
        grantee: z.strictObject({
          type: z.enum(['CanonicalUser', 'Group', 'AmazonCustomerByEmail']),
          id: z.string().max(256).optional(),
          displayName: z.string().max(256).optional(),
          uri: z.string().max(256).optional(),
          email: z.string().max(256).optional(),
        }),
      }),
    }),
  ),
  /** Canonical user IDs to pick from: every provider account's users that have one, and this key's owner. */
  'acl:principals': channel<{ principals: KnownPrincipal[]; notes: string[] }>()(z.strictObject({ credentialId })),
};
