import { randomUUID } from 'node:crypto';
import { KeydeskError } from '../errors';
import { parseEndpoint, type S3Connection } from '../s3/client';
import { checkKey, listBucketsWith, type CheckOptions, type ConnectionCheck, type KeyCheck } from './key-check';
import { keyIdentity, type KeyRef } from './key-identity';
import { endpointLabel, labelAfterNewKey, uniqueLabel } from './labels';
import type { TrustEntry } from '../transport/trust';
import type { ChecksumMode, CredentialRecord, MetadataStore, TransferSettings } from './metadata-store';
import { formerProfilesAfterRename } from './profile-names';
import { secretName, type SecretStore } from './secret-store';

export type { ConnectionCheck };

export interface NewCredential {
  /** What the user wrote; empty for a made-up one. */
  label: string;
  /** The made-up label used when `label` is empty ("Lab Ceph: alice"), numbered where it is taken. */
  suggestedLabel?: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle?: boolean;
  checksums?: ChecksumMode;
  accountId?: string;
  owner?: string;
  /** Private CAs and pinned certificates chosen for this endpoint (transport/trust.ts). */
  trust?: TrustEntry[];
}

/** What Settings may change about how a saved key is reached; the access key ID stays. */
export interface ConnectionChange {
  endpoint: string;
  region: string;
  /** Only when the user typed it again; empty keeps the secret in the keychain. */
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  checksums?: ChecksumMode;
}

export const DEFAULT_TRANSFER: TransferSettings = { partSizeMiB: 16, concurrency: 8 };
export const DEFAULT_ROTATION_DAYS = 90;

/** The refusal of a second entry for a key Keydesk holds: it names the entry, and carries it for "Show it". */
export function alreadySaved(existing: CredentialRecord): KeydeskError {
  return new KeydeskError({
    code: 'CONFLICT',
    message: `This key is already saved in Keydesk as "${existing.label}".`,
    hint: 'Keydesk keeps one entry per key (endpoint and access key ID): use or change that one.',
    existing: { id: existing.id, label: existing.label },
  });
}

/**
 * Saved S3 key pairs: metadata in the store, secret in the keychain. The secret is written first, so a
 * keychain failure saves nothing; a metadata failure removes the secret again. One entry per key: a key
 * is known by endpoint and access key ID (see key-identity.ts), and a second save of it is refused.
 */
export class CredentialVault {
  constructor(
    private readonly metadata: MetadataStore,
    private readonly secrets: SecretStore,
  ) {}

  list(): CredentialRecord[] {
    return this.metadata.credentials();
  }

  get(id: string): CredentialRecord {
    return this.metadata.credential(id);
  }

  /** Every saved credential holding this key (more than one only in files from before duplicates were refused). */
  holding(key: KeyRef): CredentialRecord[] {
    const identity = keyIdentity(key);
    return this.list().filter((record) => keyIdentity(record) === identity);
  }

  /** The saved credential holding this key, if any. */
  find(key: KeyRef): CredentialRecord | undefined {
    return this.holding(key)[0];
  }

  /** Proves a key pair works (ListBuckets) without saving anything. */
  async test(candidate: Omit<NewCredential, 'label'>, options?: CheckOptions): Promise<ConnectionCheck> {
    return listBucketsWith(normalise(candidate), options);
  }

  /** Whether a saved credential's key works now: an answer, never a throw (except when cancelled or the keychain fails). */
  async check(id: string, options?: CheckOptions): Promise<KeyCheck> {
    return checkKey(await this.connection(id), options);
  }

  /** Tests, then saves. Nothing is saved when the key is held already, or the test or the keychain fails. */
  async add(candidate: NewCredential): Promise<CredentialRecord> {
    const connection = normalise(candidate);
    this.refuseDuplicate(connection);
    const check = await this.test(candidate);
    return this.save({ ...candidate, ...connection, suggestedLabel: candidate.suggestedLabel ?? endpointLabel(connection.endpoint, check.owner) });
  }

  /** Saves without testing: for keys just created by a provider that may still be propagating. */
  async save(candidate: NewCredential): Promise<CredentialRecord> {
    const connection = normalise(candidate);
    this.refuseDuplicate(connection);
    const label =
      candidate.label.trim() ||
      uniqueLabel(
        candidate.suggestedLabel?.trim() || endpointLabel(connection.endpoint),
        this.list().map((c) => c.label),
      );
    const record: CredentialRecord = {
      id: randomUUID(),
      label,
      endpoint: connection.endpoint,
      region: connection.region,
      accessKeyId: connection.accessKeyId,
      forcePathStyle: connection.forcePathStyle,
      checksums: connection.checksums,
      accountId: candidate.accountId,
      owner: candidate.owner,
      createdAt: new Date().toISOString(),
      rotationMaxAgeDays: DEFAULT_ROTATION_DAYS,
      transfer: { ...DEFAULT_TRANSFER },
      ...(connection.trust ? { trust: connection.trust } : {}),
    };
    await this.secrets.set(secretName.credential(record.id), connection.secretAccessKey);
    try {
      // Checked again after the keychain's await: a second save of the same key may have landed meanwhile.
      this.refuseDuplicate(connection);
      this.metadata.putCredential(record);
    } catch (error) {
      await this.secrets.delete(secretName.credential(record.id)).catch(() => false);
      throw error;
    }
    return record;
  }

  update(id: string, change: Partial<Pick<CredentialRecord, 'label' | 'checksums' | 'forcePathStyle' | 'rotationMaxAgeDays' | 'transfer' | 'trust'>>): CredentialRecord {
    const before = this.metadata.credential(id);
    const label = change.label?.trim();
    if (change.label !== undefined && !label) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Enter a label.' });
    const record = { ...before, ...change, ...this.renamed(before, label ?? before.label) };
    // No trust left: the field goes, so the endpoint is checked against the default store only.
    if ('trust' in change && !change.trust?.length) delete record.trust;
    this.metadata.putCredential(record);
    return record;
  }

  /**
   * Settings → Connection: the same key at another endpoint or region, and/or its secret typed again.
   * The key must work there first (a key that may not list buckets counts as working); it must not be
   * saved already under that endpoint (one entry per key); the secret goes to the keychain only. When
   * anything fails, the credential is left exactly as it was.
   */
  async changeConnection(id: string, change: ConnectionChange, options?: CheckOptions): Promise<{ record: CredentialRecord; check: KeyCheck }> {
    const before = this.metadata.credential(id);
    const oldSecret = await this.secrets.get(secretName.credential(id));
    const typed = change.secretAccessKey?.trim();
    if (!typed && !oldSecret) {
      throw new KeydeskError({ code: 'NOT_FOUND', message: `The secret for "${before.label}" is missing from the OS keychain.`, hint: 'Enter the secret access key again.' });
    }
    const connection = normalise({
      endpoint: change.endpoint,
      region: change.region,
      accessKeyId: before.accessKeyId,
      secretAccessKey: typed || oldSecret!,
      forcePathStyle: change.forcePathStyle ?? before.forcePathStyle,
      checksums: change.checksums ?? before.checksums,
    });
    const refuseTwin = () => {
      const twin = this.holding(connection).find((record) => record.id !== id);
      if (twin) throw alreadySaved(twin);
    };
    refuseTwin();
    const check = await checkKey(connection, options);
    if (!check.works) {
      throw new KeydeskError({ ...check.error, hint: `${check.error.hint ? `${check.error.hint} ` : ''}Nothing was changed: "${before.label}" keeps its previous settings.` });
    }
    // Checked again after the request: the same key may have been saved meanwhile, or this one removed.
    refuseTwin();
    this.metadata.credential(id);
    const record: CredentialRecord = {
      ...before,
      endpoint: connection.endpoint,
      region: connection.region,
      forcePathStyle: connection.forcePathStyle,
      checksums: connection.checksums,
    };
    const newSecret = typed && typed !== oldSecret ? typed : undefined;
    if (newSecret) await this.secrets.set(secretName.credential(id), newSecret);
    try {
      this.metadata.putCredential(record);
    } catch (error) {
      if (newSecret) {
        if (oldSecret) await this.secrets.set(secretName.credential(id), oldSecret).catch(() => undefined);
        else await this.secrets.delete(secretName.credential(id)).catch(() => false);
      }
      throw error;
    }
    return { record, check };
  }

  /**
   * Points a saved credential at a new key pair (rotation): secret first, then metadata. A label that
   * spells out the old key ID would name a deleted key, so it names the new one instead.
   */
  async replaceKey(id: string, accessKeyId: string, secretAccessKey: string, options: { rotatedAt?: string | null } = {}): Promise<CredentialRecord> {
    const before = this.metadata.credential(id);
    // "Restore old key" gives the credential its earlier age back (null: it had never been rotated).
    const rotatedAt = options.rotatedAt === null ? undefined : (options.rotatedAt ?? new Date().toISOString());
    const record = { ...before, accessKeyId, rotatedAt, ...this.renamed(before, labelAfterNewKey(before.label, before.accessKeyId, accessKeyId)) };
    await this.secrets.set(secretName.credential(id), secretAccessKey);
    this.metadata.putCredential(record);
    return record;
  }

  /** The label change, keeping the profile name it answered to (credential_process lines written with it). */
  private renamed(before: CredentialRecord, label: string): Pick<CredentialRecord, 'label' | 'formerProfiles'> {
    if (label === before.label) return { label, formerProfiles: before.formerProfiles };
    return { label, formerProfiles: formerProfilesAfterRename(before, label, this.list()) };
  }

  private refuseDuplicate(key: KeyRef): void {
    const existing = this.find(key);
    if (existing) throw alreadySaved(existing);
  }

  /** Puts back a credential exactly as it was before a failed rotation switched it. */
  async restoreKey(record: CredentialRecord, secretAccessKey: string): Promise<void> {
    await this.secrets.set(secretName.credential(record.id), secretAccessKey);
    this.metadata.putCredential(record);
  }

  async remove(id: string): Promise<void> {
    this.metadata.credential(id);
    await this.secrets.delete(secretName.credential(id));
    this.metadata.removeCredential(id);
  }

  /** The full connection, secret included: for main-process use only, never sent to the renderer. */
  async connection(id: string): Promise<S3Connection> {
    const record = this.metadata.credential(id);
    const secret = await this.secrets.get(secretName.credential(id));
    if (!secret) {
      throw new KeydeskError({
        code: 'NOT_FOUND',
        message: `The secret for "${record.label}" is missing from the OS keychain.`,
        hint: 'Remove this credential and add it again.',
      });
    }
    return { ...record, secretAccessKey: secret };
  }
}

function normalise(candidate: Omit<NewCredential, 'label'>): S3Connection {
  const accessKeyId = candidate.accessKeyId.trim();
  const secretAccessKey = candidate.secretAccessKey.trim();
  const region = candidate.region.trim() || 'us-east-1';
  if (!accessKeyId) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Enter the access key ID.' });
  if (!secretAccessKey) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Enter the secret access key.' });
  if (/\s/.test(accessKeyId)) throw new KeydeskError({ code: 'INVALID_INPUT', message: 'The access key ID must not contain spaces.' });
  if (!/^[a-z0-9-]+$/i.test(region)) throw new KeydeskError({ code: 'INVALID_INPUT', message: `"${region}" is not a valid region name.` });
  return {
    endpoint: parseEndpoint(candidate.endpoint),
    region,
    accessKeyId,
    secretAccessKey,
    forcePathStyle: candidate.forcePathStyle ?? true,
    checksums: candidate.checksums ?? 'when-required',
    trust: candidate.trust?.length ? candidate.trust : undefined,
  };
}
