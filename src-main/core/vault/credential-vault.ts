import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { KeydeskError } from '../errors';
import { createS3Client, describeS3Error, parseEndpoint, type S3Connection } from '../s3/client';
import type { ChecksumMode, CredentialRecord, MetadataStore, TransferSettings } from './metadata-store';
import { secretName, type SecretStore } from './secret-store';

export interface NewCredential {
  label: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle?: boolean;
  checksums?: ChecksumMode;
  accountId?: string;
  owner?: string;
}

export interface ConnectionCheck {
  bucketCount: number;
  owner?: string;
}

export const DEFAULT_TRANSFER: TransferSettings = { partSizeMiB: 16, concurrency: 8 };
export const DEFAULT_ROTATION_DAYS = 90;

/**
 * Saved S3 key pairs: metadata in the store, secret in the keychain. The secret is written first, so a
 * keychain failure saves nothing; a metadata failure removes the secret again.
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

  /** Proves a key pair works (ListBuckets) without saving anything. */
  async test(candidate: Omit<NewCredential, 'label'>): Promise<ConnectionCheck> {
    const connection = normalise(candidate);
    const client = createS3Client(connection, { maxAttempts: 1, timeoutMs: 15_000 });
    try {
      const result = await client.send(new ListBucketsCommand({}));
      return { bucketCount: result.Buckets?.length ?? 0, owner: result.Owner?.DisplayName ?? result.Owner?.ID };
    } catch (error) {
      throw describeS3Error(error, connection.endpoint);
    } finally {
      client.destroy();
    }
  }

  /** Tests, then saves. Nothing is saved when the test or the keychain fails. */
  async add(candidate: NewCredential): Promise<CredentialRecord> {
    const connection = normalise(candidate);
    await this.test(candidate);
    return this.save({ ...candidate, ...connection });
  }

  /** Saves without testing: for keys just created by a provider that may still be propagating. */
  async save(candidate: NewCredential): Promise<CredentialRecord> {
    const connection = normalise(candidate);
    const label = candidate.label.trim() || `${connection.accessKeyId} @ ${new URL(connection.endpoint).host}`;
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
    };
    await this.secrets.set(secretName.credential(record.id), connection.secretAccessKey);
    try {
      this.metadata.putCredential(record);
    } catch (error) {
      await this.secrets.delete(secretName.credential(record.id)).catch(() => false);
      throw error;
    }
    return record;
  }

  update(id: string, change: Partial<Pick<CredentialRecord, 'label' | 'checksums' | 'forcePathStyle' | 'rotationMaxAgeDays' | 'transfer'>>): CredentialRecord {
    const record = { ...this.metadata.credential(id), ...change };
    this.metadata.putCredential(record);
    return record;
  }

  /** Points a saved credential at a new key pair (rotation): secret first, then metadata. */
  async replaceKey(id: string, accessKeyId: string, secretAccessKey: string): Promise<CredentialRecord> {
    const record = { ...this.metadata.credential(id), accessKeyId, rotatedAt: new Date().toISOString() };
    await this.secrets.set(secretName.credential(id), secretAccessKey);
    this.metadata.putCredential(record);
    return record;
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
  };
}
