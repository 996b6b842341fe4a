import { z } from 'zod';
import type { ErrorInfo } from '../../core/errors';
import type { AccessKeyInfo, KeyOwner, NewAccessKey, ProviderCapabilities, RegionInfo, S3Location } from '../../core/providers/adapter';
import { channel } from '../channel';

/** A provider key as the renderer sees it (never its secret), and whether Keydesk holds it as a credential. */
export interface ManagedKey extends AccessKeyInfo {
  /** The saved credential for this key, if the user saved it in the keychain. */
  credentialId?: string;
}

export interface KeyLimit {
  maxKeysPerOwner: number;
  scope: NonNullable<ProviderCapabilities['limitScope']>;
  /** "Ceph RGW allows 2 keys per user": the reason shown when creating is refused. */
  message: string;
}

export interface KeyList {
  keys: ManagedKey[];
  limit?: KeyLimit;
}

export interface SavedCredentialRef {
  id: string;
  label: string;
}

/** The one moment a secret reaches the renderer: shown once, never stored there. */
export interface NewKeyResult {
  key: NewAccessKey;
  /** Where the key is used, for the downloaded key-pair file. */
  location?: S3Location;
  /** Saved credentials now holding this secret (a new one on create, updated ones on regenerate). */
  savedCredentials: SavedCredentialRef[];
  /** Set when the key exists at the provider but could not be saved in the keychain. */
  saveError?: ErrorInfo;
}

const accountId = z.uuid();
const owner = z.string().min(1).max(256).optional();
const region = z.string().min(1).max(64).regex(/^[a-z0-9-]+$/i, 'letters, digits and dashes only').optional();
const keyId = z.string().min(1).max(256);
export const keyRef = z.strictObject({ accountId, keyId, owner, region });

export const keyChannels = {
  'keys:owners': channel<KeyOwner[]>()(z.strictObject({ accountId })),
  'keys:regions': channel<RegionInfo[]>()(z.strictObject({ accountId })),
  'keys:list': channel<KeyList>()(z.strictObject({ accountId, owner, region })),
  'keys:create': channel<NewKeyResult>()(
    z.strictObject({
      accountId,
      owner,
      region,
      description: z.string().max(256).optional(),
      grants: z
        .array(z.strictObject({ bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not a valid bucket name'), permission: z.enum(['read', 'readwrite']) }))
        .max(100)
        .optional(),
      saveInKeychain: z.boolean(),
    }),
  ),
  'keys:regenerate': channel<NewKeyResult>()(keyRef.extend({ graceMinutes: z.int().min(0).max(43_200).optional() })),
  'keys:setActive': channel<void>()(keyRef.extend({ active: z.boolean() })),
  /** Resolves to the saved credentials of the key that were removed with it. */
  'keys:delete': channel<SavedCredentialRef[]>()(keyRef),
  'keys:showSecret': channel<{ secretAccessKey: string }>()(keyRef),
  /** Saves an existing key as a credential, where the provider can show its secret again; main keeps the secret. */
  'keys:save': channel<SavedCredentialRef>()(keyRef),
  'keys:setDescription': channel<void>()(keyRef.extend({ description: z.string().max(256) })),
  'keys:setOwnerSuspended': channel<void>()(z.strictObject({ accountId, owner: z.string().min(1).max(256), suspended: z.boolean() })),
};
