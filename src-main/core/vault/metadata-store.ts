import Conf from 'conf';
import { KeydeskError, type ErrorInfo } from '../errors';
import { relabelGenerated } from './labels';
import { linkGuarded } from './settings-guard';
import type { TrustEntry } from '../transport/trust';

/**
 * Non-secret metadata (accounts, credentials' endpoints and key IDs, settings). Backed by `conf` under
 * Node and by electron-store (a `conf` subclass, same file) in the desktop app, both behind linkGuarded()
 * (settings-guard.ts). Secrets never go here.
 */

export type ChecksumMode = 'when-required' | 'when-supported';

export interface TransferSettings {
  partSizeMiB: number;
  concurrency: number;
  /** Uploads and downloads of this credential together move at most this many KiB/s; unset or 0: no limit. */
  bandwidthLimitKiBps?: number;
}

export interface CredentialRecord {
  id: string;
  label: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  forcePathStyle: boolean;
  /** Some S3-compatible servers reject the SDK's default checksum headers (Ceph RGW 16). */
  checksums: ChecksumMode;
  /** Set when the key is managed through a provider account. */
  accountId?: string;
  owner?: string;
  createdAt: string;
  rotatedAt?: string;
  rotationMaxAgeDays: number;
  transfer: TransferSettings;
  /** Profile names it had before a rename, so `credential-process --profile` lines written then still work. */
  formerProfiles?: string[];
  /** Private CAs and pinned certificates the user chose for this endpoint (transport/trust.ts). */
  trust?: TrustEntry[];
}

/** Whether a saved key still works, from its last checks (non-secret). */
export interface KeyHealth {
  /** The key that was checked: health of a key that rotation has since replaced does not count. */
  accessKeyId: string;
  checkedAt: string;
  /** Last check that worked. */
  verifiedAt?: string;
  /** First failed check since the last one that worked. */
  failingSince?: string;
  /** Why the last check failed: a short reason ("revoked or unknown key") and the full error. */
  failure?: { reason: string; error: ErrorInfo };
  /** The key works but may not list buckets (AccessDenied on ListBuckets). */
  limited?: boolean;
}

export interface AccountRecord {
  id: string;
  providerId: string;
  label: string;
  /** Non-secret fields from the provider's accountFields; secret fields live in the keychain. */
  settings: Record<string, string>;
  createdAt: string;
  /** Private CAs and pinned certificates the user chose for this account's endpoints. */
  trust?: TrustEntry[];
}

export interface MetadataShape {
  version: number;
  credentials: CredentialRecord[];
  accounts: AccountRecord[];
  /** By credential ID. */
  health: Record<string, KeyHealth>;
  /** Folders the user added to the plain-text key scan (absolute paths; absent until the first is added). */
  plaintextFolders?: string[];
  /** Where the window was last (screen, credential, bucket, folder), to open there again. */
  place?: SavedPlace;
}

/** See channels/app.ts `placeSchema`: checked when saved and again when shown. */
export interface SavedPlace {
  view: string;
  credentialId?: string;
  bucket?: string;
  prefix?: string;
  accountId?: string;
}

export const METADATA_VERSION = 2;

/** The part of conf/electron-store Keydesk relies on. */
export interface StoreBacking {
  store: Record<string, unknown>;
}

/** Migrations from version N to N+1, applied in order at open; index 0 migrates an empty/legacy file. */
const migrations: ((data: Record<string, unknown>) => Record<string, unknown>)[] = [
  (data) => ({ credentials: [], accounts: [], ...data, version: 1 }),
  // Labels made up from a key ID went stale at the first rotation; key health is kept from now on.
  (data) => ({
    ...data,
    credentials: Array.isArray(data.credentials) ? relabelGenerated(data.credentials, Array.isArray(data.accounts) ? data.accounts : []) : [],
    health: {},
    version: 2,
  }),
];

export const metadataSchema = {
  version: { type: 'number' },
  credentials: { type: 'array', items: { type: 'object', required: ['id', 'endpoint', 'accessKeyId'] } },
  accounts: { type: 'array', items: { type: 'object', required: ['id', 'providerId'] } },
  health: { type: 'object' },
} as const;

export function storeOptions(home: string) {
  // configFileMode: readable by the user only (conf's default is 0o666 less the umask).
  return { cwd: home, configName: 'keydesk', projectName: 'keydesk', schema: metadataSchema, clearInvalidConfig: false, configFileMode: 0o600 };
}

export function openConfStore(home: string): StoreBacking {
  return linkGuarded(home, () => {
    try {
      return new Conf(storeOptions(home) as ConstructorParameters<typeof Conf>[0]) as unknown as StoreBacking;
    } catch (error) {
      throw new KeydeskError(
        { code: 'INTERNAL', message: `The settings file in ${home} could not be read: ${(error as Error).message}` },
        { cause: error },
      );
    }
  });
}

export class MetadataStore {
  constructor(private readonly backing: StoreBacking) {
    let data = { ...backing.store };
    const from = typeof data.version === 'number' ? data.version : 0;
    if (from > METADATA_VERSION) {
      throw new KeydeskError({
        code: 'INTERNAL',
        message: `The settings were written by a newer Keydesk (format ${from}); update Keydesk to open them.`,
      });
    }
    for (let version = from; version < METADATA_VERSION; version++) data = migrations[version](data);
    if (from !== METADATA_VERSION) backing.store = data;
  }

  private get data(): MetadataShape {
    return this.backing.store as unknown as MetadataShape;
  }

  private write(change: (data: MetadataShape) => void): void {
    const data = structuredClone(this.data);
    change(data);
    this.backing.store = data as unknown as Record<string, unknown>;
  }

  credentials(): CredentialRecord[] {
    return this.data.credentials;
  }

  credential(id: string): CredentialRecord {
    const record = this.data.credentials.find((c) => c.id === id);
    if (!record) throw new KeydeskError({ code: 'NOT_FOUND', message: 'That saved credential no longer exists.' });
    return record;
  }

  putCredential(record: CredentialRecord): void {
    this.write((data) => {
      const index = data.credentials.findIndex((c) => c.id === record.id);
      if (index === -1) data.credentials.push(record);
      else data.credentials[index] = record;
    });
  }

  removeCredential(id: string): void {
    this.write((data) => {
      data.credentials = data.credentials.filter((c) => c.id !== id);
      delete data.health[id];
    });
  }

  health(id: string): KeyHealth | undefined {
    return this.data.health[id];
  }

  /** Ignored for a credential removed while it was being checked. */
  putHealth(id: string, health: KeyHealth): void {
    if (!this.data.credentials.some((c) => c.id === id)) return;
    this.write((data) => {
      data.health[id] = health;
    });
  }

  place(): SavedPlace | undefined {
    return this.data.place;
  }

  putPlace(place: SavedPlace): void {
    this.write((data) => {
      data.place = place;
    });
  }

  accounts(): AccountRecord[] {
    return this.data.accounts;
  }

  account(id: string): AccountRecord {
    const record = this.data.accounts.find((a) => a.id === id);
    if (!record) throw new KeydeskError({ code: 'NOT_FOUND', message: 'That provider account no longer exists.' });
    return record;
  }

  putAccount(record: AccountRecord): void {
    this.write((data) => {
      const index = data.accounts.findIndex((a) => a.id === record.id);
      if (index === -1) data.accounts.push(record);
      else data.accounts[index] = record;
    });
  }

  plaintextFolders(): string[] {
    return this.data.plaintextFolders ?? [];
  }

  setPlaintextFolders(folders: string[]): void {
    this.write((data) => {
      data.plaintextFolders = folders;
    });
  }

  removeAccount(id: string): void {
    this.write((data) => {
      data.accounts = data.accounts.filter((a) => a.id !== id);
    });
  }
}
