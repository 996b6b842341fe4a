import type { ErrorInfo } from '../errors';
import type { TrustEntry } from '../transport/trust';

/**
 * The one interface every key-management provider implements. Each provider is one file in this folder
 * exporting `adapter: ProviderAdapter`; the registry discovers them, so adding a provider touches nothing
 * else. The UI is driven by `capabilities` and `accountFields`, never by provider ids.
 */

export interface ProviderCapabilities {
  /** Most keys one owner (user, project) may hold; undefined = no documented limit. */
  maxKeysPerOwner?: number;
  /** What the limit above counts per: shown in "IONOS allows 5 keys per user". */
  limitScope?: 'user' | 'project' | 'region';
  canDeactivate: boolean;
  canDelete: boolean;
  /** The provider's own word for ending a key for good, where it is not "Delete" (GleSYS revokes). */
  deleteVerb?: 'Revoke';
  canShowSecretAgain: boolean;
  /** A new secret for the same access key ID (or a whole new key pair where `resetReplacesKey`). */
  canRegenerate: boolean;
  /**
   * Regenerating is a reset in place: a new access key ID and secret replace the key, and the old pair
   * stops at once ("Reset key" on clouds with one key per region and no delete).
   */
  resetReplacesKey?: boolean;
  /**
   * The provider itself can end the existing secret after a chosen number of minutes when a new one is
   * added or regenerated (Dell ECS): rotation's grace period then holds even while Keydesk is closed.
   */
  hasGracePeriod: boolean;
  canEditDescription: boolean;
  /** Keys carry a description given when they are made, even where it cannot be edited later (GleSYS). */
  keepsDescription?: boolean;
  /** Keys are per region; regions without a key show "Not configured". */
  hasRegions: boolean;
  /** Only some roles may manage keys; refusals name the role. */
  hasRoles: boolean;
  keysForOtherUsers: boolean;
  canSuspendOwner: boolean;
  /** The provider records when each key was last used (`ProviderSession.lastUsed`, `AccessKeyInfo.lastUsedAt`). */
  reportsLastUsed: boolean;
  /** Keys can be limited to some buckets (DigitalOcean Spaces grants). */
  bucketGrants?: boolean;
  /** How rotation revokes the old key: see rotation/. */
  rotation: 'two-slot' | 'regenerate' | 'create-then-delete' | 'none';
}

export interface AccountField {
  name: string;
  label: string;
  kind: 'text' | 'url' | 'secret' | 'number' | 'boolean' | 'select' | 'rows';
  /** `required` on a 'rows' field: at least one row. */
  required: boolean;
  placeholder?: string;
  help?: string;
  options?: { value: string; label: string }[];
  defaultValue?: string;
  /**
   * 'rows' only: a table the user fills row by row (an account's regions); the value is a JSON array of
   * objects keyed by column name. Columns are 'text' or 'url'.
   */
  columns?: AccountField[];
  /** 'rows' only: the add button's label, e.g. "Add region". */
  addLabel?: string;
  /** Shown and saved only while another field has one of these values: the fields of one sign-in method. */
  shownWhen?: FieldChoice;
  /**
   * Required only sometimes (`required` is then false): while another field has one of these values ("needed
   * with a token"), or in a case only the provider can check, said where "(optional)" would be
   * ("if the project has an instance in Stockholm"); verify() then names what is missing.
   */
  requiredWhen?: FieldChoice | { note: string };
}

/** Another account field (a select, e.g. the sign-in method) having one of these values. */
export interface FieldChoice {
  field: string;
  equals: string[];
}

export interface ProviderDescriptor {
  id: string;
  name: string;
  /** One line shown when picking a provider. */
  summary: string;
  capabilities: ProviderCapabilities;
  /** What the user enters to connect an account; `secret` fields go to the keychain, the rest to metadata. */
  accountFields: AccountField[];
  /** No key-management API at all: the user pastes a key pair under Credentials instead of adding an account. */
  pastedKeyOnly?: boolean;
  /**
   * Where keysForOtherUsers: what owns the keys, as the keys screen names it ("User" when absent), and
   * whether the account has an owner of its own to offer as "Account default". Without one (GleSYS keys
   * belong to instances) the screen starts at the first owner listed.
   */
  owners?: { label: string; accountDefault: boolean };
}

/** A connected account as the adapter sees it: non-secret settings plus the secret fields from the keychain. */
export interface AccountContext {
  accountId: string;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  /** For adapters that cache tokens between calls (IONOS/ECS login): kept in memory only. */
  signal?: AbortSignal;
  /** Private CAs and pinned certificates the user chose for this account's endpoints: pass to every call. */
  trust?: TrustEntry[];
}

export interface KeyOwner {
  id: string;
  name: string;
  /** e.g. suspended user, inactive project */
  disabled?: boolean;
  /** Provider-specific ID used by S3 ACLs (IONOS canonical user ID). */
  canonicalId?: string;
}

export type KeyStatus = 'active' | 'inactive' | 'provisioning' | 'failed' | 'unknown';

export interface AccessKeyInfo {
  /** The provider's ID for the key; equals accessKeyId for most providers. */
  id: string;
  accessKeyId: string;
  description?: string;
  status: KeyStatus;
  createdAt?: string;
  region?: string;
  owner?: string;
  lastUsedAt?: string;
  /** Where the provider says so (ECS second slot expiring): ISO time the key stops working. */
  expiresAt?: string;
}

/** A key's last use as the provider reports it (AWS IAM GetAccessKeyLastUsed). */
export interface KeyLastUse {
  at: string;
  /** The service the request went to ("s3"), where the provider says. */
  service?: string;
  region?: string;
}

export interface NewAccessKey extends AccessKeyInfo {
  secretAccessKey: string;
}

export interface KeyScope {
  /** User or project the key belongs to; defaults to the account's own. */
  owner?: string;
  region?: string;
}

/** One region of an account whose keys are per region (hasRegions), as this account sees it right now. */
export interface RegionInfo {
  name: string;
  /** Where S3 requests for this region's keys go. */
  endpoint?: string;
  /** The signed-in user's roles where this region's keys live (hasRoles). */
  roles?: string[];
  /** Why keys cannot be created or reset here (a role the user lacks); undefined when they can. */
  refusal?: string;
  /** The region could not be read (no answer, sign-in refused); the other regions still work. */
  error?: ErrorInfo;
}

export interface BucketGrant {
  bucket: string;
  permission: 'read' | 'readwrite';
}

export interface CreateKeyOptions extends KeyScope {
  description?: string;
  /** Only where capabilities.bucketGrants; none means access to every bucket. */
  grants?: BucketGrant[];
  /** Only where capabilities.hasGracePeriod: the owner's existing secret stops working after this many minutes. */
  existingKeyGraceMinutes?: number;
}

export interface RegenerateOptions extends KeyScope {
  /** Minutes the old secret keeps working (only where capabilities.hasGracePeriod). */
  graceMinutes?: number;
}

/** A bucket's quota as the provider reports it; a limit of undefined means none. */
export interface BucketQuota {
  enabled: boolean;
  maxBytes?: number;
  maxObjects?: number;
  /** What the provider counts against it now. */
  usedBytes?: number;
  usedObjects?: number;
}

/** Where S3 requests made with this provider's keys go. */
export interface S3Location {
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
}

export interface ProviderSession {
  /**
   * Key limits that depend on this account's settings (e.g. a cloud's one-credential-set-per-project
   * rule); where present they replace the descriptor's `maxKeysPerOwner`/`limitScope`.
   */
  limits?: Pick<ProviderCapabilities, 'maxKeysPerOwner' | 'limitScope'>;
  /** How this account's keys rotate where its settings decide it (RGW "reset in place"); replaces `capabilities.rotation`. */
  rotation?: ProviderCapabilities['rotation'];
  /** Checks the management credentials; returns who they belong to. */
  verify(): Promise<KeyOwner>;
  /** Regions keys can be made for (hasRegions), each with the user's roles there (hasRoles). */
  listRegions?(): Promise<RegionInfo[]>;
  /** Users/projects whose keys this account may manage (keysForOtherUsers). */
  listOwners?(): Promise<KeyOwner[]>;
  listKeys(scope: KeyScope): Promise<AccessKeyInfo[]>;
  createKey(options: CreateKeyOptions): Promise<NewAccessKey>;
  regenerateSecret?(keyId: string, options: RegenerateOptions): Promise<NewAccessKey>;
  setKeyActive?(keyId: string, active: boolean, scope: KeyScope): Promise<void>;
  deleteKey?(keyId: string, scope: KeyScope): Promise<void>;
  showSecret?(keyId: string, scope: KeyScope): Promise<string>;
  /** When and where the key was last used (reportsLastUsed); undefined when never, or when the provider will not say. */
  lastUsed?(keyId: string, scope: KeyScope): Promise<KeyLastUse | undefined>;
  setDescription?(keyId: string, description: string, scope: KeyScope): Promise<void>;
  setOwnerSuspended?(owner: string, suspended: boolean): Promise<void>;
  /** A bucket's quota, where the provider's API reports one and this account may read it. */
  bucketQuota?(bucket: string): Promise<BucketQuota>;
  /** S3 endpoint for keys of this account in `region`. */
  s3Location(region?: string): S3Location;
}

export interface ProviderAdapter {
  descriptor: ProviderDescriptor;
  connect(account: AccountContext): ProviderSession;
}
