import { join } from 'node:path';
import { JsonRecordDir } from '../json-files';
import type { KeyScope } from '../providers/adapter';

export interface ProviderKeyRef {
  /** The provider's ID for the key (ECS: the secret's slot). */
  keyId: string;
  accessKeyId: string;
}

/**
 * An old key still alive after a rotation: in its grace period, or deactivated and waiting to be deleted.
 * Key and credential IDs only; the old secret (for "Restore old key") waits in the keychain under
 * `secretName.retiredKey(id, retiring.accessKeyId)` until the key is revoked.
 */
export interface PendingRevocation {
  /** The rotation's ID. */
  id: string;
  /** The rotated credential's label at the time, for the tray and notifications. */
  label: string;
  credentialId: string;
  /** Saved credentials that were switched (all of them use `keeping`). */
  credentialIds: string[];
  accountId: string;
  scope: KeyScope;
  retiring: ProviderKeyRef;
  keeping: ProviderKeyRef;
  /** The retiring key at the provider: still working, or switched off. */
  state: 'active' | 'deactivated';
  /** What happens to an active retiring key when `dueAt` comes; a deactivated one is deleted then. */
  then: 'delete' | 'deactivate';
  /** The grace period chosen, in days: the default for Extend and for a restore's new grace period. */
  days: number;
  /** When the saved credentials switched to `keeping`: use of `retiring` after this means something still needs it. */
  switchedAt: string;
  dueAt: string;
  /** The provider ends the retiring secret itself at `dueAt` (Dell ECS); Keydesk only removes what is left. */
  providerEnforced?: boolean;
  /** Each switched credential's rotatedAt before the switch, so a restore puts its age back too. */
  previousRotatedAt: Record<string, string | null>;
  /** The last check found the retiring key used after the switch: not revoked until the user decides. */
  usedAfterSwitch?: { lastUsedAt: string; checkedAt: string };
  lastError?: { message: string; hint?: string; at: string };
  /** After a failed attempt: when the scheduler tries again. */
  retryAt?: string;
  failures?: number;
  /** A "Restore old key" was under way: the next start finishes it. */
  restoring?: boolean;
  createdAt: string;
}

/** One JSON file per pending revocation under `<stateDir>/revocations`, each write atomic and flushed. */
export class PendingRevocationStore extends JsonRecordDir<PendingRevocation> {
  constructor(stateDir: string) {
    super(join(stateDir, 'revocations'), 'The list of old keys waiting to be revoked');
  }

  async loadAll(): Promise<PendingRevocation[]> {
    return (await this.all()).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }
}
