import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { AccountService } from '../accounts/account-service';
import { cancelledError, sleep } from '../cancel';
import { systemClock, type Clock } from '../clock';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import type { AccessKeyInfo, NewAccessKey, ProviderCapabilities, ProviderSession } from '../providers/adapter';
import { registerSecret } from '../redact';
import { createS3Client, describeS3Error, type S3Connection } from '../s3/client';
import type { CredentialVault } from '../vault/credential-vault';
import { secretName, type SecretStore } from '../vault/secret-store';
import { RotationJournalStore, type RotationJournal, type RotationPhase } from './journal';
import { RotationLocks } from './locks';
import { PendingRevocationStore, type PendingRevocation } from './pending';
import { GRACE_DAYS } from './plan';
import { lastUsedAt, requireMethod, revokeKey, setKeyActive, usedAfterSwitch, usedAfterSwitchError } from './provider-ops';

export type RotationStep = 'create' | 'verify' | 'switch' | 'revoke' | 'rollback' | 'done' | 'failed';

export interface RotationProgress {
  rotationId: string;
  credentialId: string;
  step: RotationStep;
  /** Verify attempts so far while the provider propagates the new key. */
  attempt?: number;
  error?: ErrorInfo;
}

/** How long a new key may take to work: ECS-like gateways cache keys for a minute or two. */
export interface VerifyPolicy {
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_VERIFY: VerifyPolicy = { timeoutMs: 150_000, baseDelayMs: 1_000, maxDelayMs: 15_000 };

/** Every journal phase, plus the instant the provider has answered with a new secret not yet in the keychain. */
export type RotationCheckpoint = RotationPhase | 'provider-answered';

/** What rotation and the pending revocations both work with. */
export interface RotationBase {
  vault: CredentialVault;
  secrets: SecretStore;
  accounts: Pick<AccountService, 'get' | 'session'>;
  stateDir: string;
  clock?: Clock;
  /** One set shared by rotation and the pending revocations, so the two never change the same credential at once. */
  locks?: RotationLocks;
  /** Saved credentials changed key (their health refreshes on it). */
  onCredentialsChanged?(ids: string[]): void;
}

export interface RotationDeps extends RotationBase {
  verify?: Partial<VerifyPolicy>;
  onProgress?(progress: RotationProgress): void;
  /** A pending revocation was added (grace period, deactivated key, or a refused revoke); reported once the rotation is over. */
  onPendingChanged?(ids: string[]): void;
  /** Runs at each checkpoint; tests throw (or hang and get killed) here to play a crash at that instant. */
  checkpoint?(point: RotationCheckpoint, journal: RotationJournal): void | Promise<void>;
}

/** The new key as staged in the keychain: JSON, so recovery learns the key ID together with the secret. */
export interface StagedKey {
  keyId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** What became of the old key. `kept`: it still works (grace period, or its revoke was refused or failed). */
export interface SettledOldKey {
  oldKey: 'deleted' | 'deactivated' | 'replaced' | 'kept';
  pending?: PendingRevocation;
  /** Why a "deactivate now"/"delete now" did not happen (used after the switch, or the provider failed). */
  notRevoked?: ErrorInfo;
}

type PendingFields = Pick<PendingRevocation, 'state' | 'then' | 'dueAt'> & Partial<PendingRevocation>;

export const DAY_MS = 86_400_000;
/** After a failed revoke: first retry in 15 minutes, then doubling up to 6 hours. */
export function retryDelayMs(failures: number): number {
  return Math.min(6 * 3_600_000, 15 * 60_000 * 2 ** Math.max(0, failures - 1));
}

/** Failures that may only mean the provider has not propagated the new key yet. */
const PROPAGATION_CODES = new Set(['INVALID_ACCESS_KEY', 'SIGNATURE_MISMATCH', 'ACCESS_DENIED', 'AUTH_FAILED', 'NETWORK', 'TIMEOUT']);

/** The steps of a rotation, shared by a running rotation (engine.ts) and crash recovery (recovery.ts). */
export class RotationSteps {
  readonly journals: RotationJournalStore;
  readonly pending: PendingRevocationStore;
  readonly clock: Clock;
  readonly locks: RotationLocks;
  readonly verifyPolicy: VerifyPolicy;

  constructor(readonly deps: RotationDeps) {
    this.journals = new RotationJournalStore(deps.stateDir);
    this.pending = new PendingRevocationStore(deps.stateDir);
    this.clock = deps.clock ?? systemClock;
    this.locks = deps.locks ?? new RotationLocks();
    this.verifyPolicy = { ...DEFAULT_VERIFY, ...deps.verify };
  }

  iso(offsetMs = 0): string {
    return new Date(this.clock.now() + offsetMs).toISOString();
  }

  async advance(journal: RotationJournal, phase: RotationPhase): Promise<void> {
    journal.phase = phase;
    await this.journals.save(journal);
    await this.deps.checkpoint?.(phase, journal);
  }

  /** Asks the provider for the new key, or for a new secret of the same key; the journal already says 'started'. */
  async create(session: ProviderSession, journal: RotationJournal, oldKey: AccessKeyInfo, capabilities: ProviderCapabilities): Promise<NewAccessKey> {
    const graceDays = journal.oldKey.kind === 'grace' ? journal.oldKey.days : undefined;
    const created =
      journal.strategy === 'regenerate'
        ? await requireMethod(session.regenerateSecret, 'regenerate secrets').call(session, oldKey.id, {
            ...journal.scope,
            // A leaked secret gets no grace: it must stop at once.
            graceMinutes: capabilities.hasGracePeriod && !journal.leak ? 60 : undefined,
          })
        : await session.createKey({ ...journal.scope, existingKeyGraceMinutes: journal.providerEnforced && graceDays ? graceDays * 1440 : undefined });
    registerSecret(created.secretAccessKey);
    return created;
  }

  async stage(journal: RotationJournal, staged: StagedKey): Promise<void> {
    await this.deps.secrets.set(secretName.rotationStaging(journal.id), JSON.stringify(staged));
  }

  async staged(journal: RotationJournal): Promise<StagedKey | undefined> {
    const text = await this.deps.secrets.get(secretName.rotationStaging(journal.id));
    if (!text) return undefined;
    const staged = JSON.parse(text) as StagedKey;
    registerSecret(staged.secretAccessKey);
    return staged;
  }

  /** ListBuckets with the new key until it works, with backoff, for at most `timeoutMs`. */
  async verify(connection: S3Connection, signal: AbortSignal | undefined, onAttempt: (attempt: number) => void): Promise<void> {
    const { timeoutMs, baseDelayMs, maxDelayMs } = this.verifyPolicy;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw cancelledError();
      onAttempt(attempt);
      const client = createS3Client(connection, { maxAttempts: 1, timeoutMs: 15_000 });
      try {
        await client.send(new ListBucketsCommand({}), { abortSignal: signal });
        return;
      } catch (error) {
        if (signal?.aborted) throw cancelledError();
        const described = describeS3Error(error, connection.endpoint);
        const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        if (!PROPAGATION_CODES.has(described.code) || Date.now() + delay > deadline) throw described;
        await sleep(delay, signal);
      } finally {
        client.destroy();
      }
    }
  }

  /**
   * Keeps the old secret in the keychain until the old key is revoked, for "Restore old key". Written
   * before the first credential switches, so it is copied from a credential still holding it.
   */
  async retainOld(journal: RotationJournal): Promise<void> {
    if (journal.strategy === 'regenerate') return;
    const name = secretName.retiredKey(journal.id, journal.oldAccessKeyId);
    if (await this.deps.secrets.get(name)) return;
    const holder = this.users(journal).find((id) => this.deps.vault.get(id).accessKeyId === journal.oldAccessKeyId);
    // Every credential was removed meanwhile: nothing to restore to.
    if (!holder) return;
    await this.deps.secrets.set(name, (await this.deps.vault.connection(holder)).secretAccessKey);
  }

  /** Saved credentials of the rotation that still exist (the user may remove one during a grace period). */
  users(journal: Pick<RotationJournal, 'credentialIds'>): string[] {
    const existing = new Set(this.deps.vault.list().map((c) => c.id));
    return journal.credentialIds.filter((id) => existing.has(id));
  }

  /** Moves every remaining credential to the staged key (forward only: recovery, and regenerate's retry). */
  async finishSwitch(journal: RotationJournal, staged: StagedKey | undefined): Promise<void> {
    if (!staged) throw new KeydeskError({ code: 'NOT_FOUND', message: `The new key ${journal.newAccessKeyId ?? ''} of an unfinished rotation is missing from the OS keychain.` });
    const left: string[] = [];
    for (const id of this.users(journal)) {
      // A reset in place keeps the key ID: only the secret tells whether a credential was switched.
      const { accessKeyId, secretAccessKey } = await this.deps.vault.connection(id).catch(() => ({ accessKeyId: '', secretAccessKey: '' }));
      if (accessKeyId !== staged.accessKeyId || secretAccessKey !== staged.secretAccessKey) left.push(id);
    }
    // A crash between a credential's keychain write and its metadata write re-runs that credential too.
    for (const id of left) await this.deps.vault.replaceKey(id, staged.accessKeyId, staged.secretAccessKey);
    if (left.length) this.deps.onCredentialsChanged?.(left);
    journal.switchedAt ??= this.iso();
    await this.advance(journal, 'switched');
  }

  /**
   * Deals with the old key once every credential uses the new one: a grace period (or a deactivated key)
   * becomes a pending revocation; "delete now" and "deactivate now" first ask the provider whether the old
   * key was used after the switch, and when it was, or the provider fails, the key stays pending instead.
   * Safe to run again after a crash: a pending revocation already written is the answer.
   */
  async settleOld(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<SettledOldKey> {
    const choice = journal.oldKey;
    if (choice.kind === 'replace') return { oldKey: 'replaced' };
    const existing = await this.pending.get(journal.id);
    if (existing) return { oldKey: existing.state === 'deactivated' ? 'deactivated' : 'kept', pending: existing };
    const switchedAt = journal.switchedAt ?? this.iso();
    const days = 'days' in choice ? choice.days : GRACE_DAYS.default;
    const keep = (fields: PendingFields) => this.savePending(journal, switchedAt, days, fields);
    if (choice.kind === 'grace') {
      const pending = await keep({ state: 'active', then: choice.then, dueAt: new Date(Date.parse(switchedAt) + days * DAY_MS).toISOString() });
      return { oldKey: 'kept', pending };
    }
    const retiring = { keyId: journal.oldKeyId, accessKeyId: journal.oldAccessKeyId };
    const then = choice.kind === 'deactivate' ? 'deactivate' : 'delete';
    try {
      const used = await lastUsedAt(session, capabilities, retiring, journal.scope);
      if (used && usedAfterSwitch(used, switchedAt)) {
        const pending = await keep({ state: 'active', then, dueAt: this.iso(), usedAfterSwitch: { lastUsedAt: used, checkedAt: this.iso() } });
        return { oldKey: 'kept', pending, notRevoked: usedAfterSwitchError(retiring, used, switchedAt).toJSON() };
      }
      if (choice.kind === 'deactivate') {
        await setKeyActive(session, journal.oldKeyId, false, journal.scope);
        const pending = await keep({ state: 'deactivated', then: 'delete', dueAt: this.iso(days * DAY_MS) });
        return { oldKey: 'deactivated', pending };
      }
      return { oldKey: await revokeKey(session, capabilities, journal.oldKeyId, journal.scope) };
    } catch (error) {
      // The new key works and is saved: a provider failure here only delays the revoke, which the scheduler retries.
      const info = toErrorInfo(error);
      const pending = await keep({
        state: 'active',
        then,
        dueAt: this.iso(),
        lastError: { message: info.message, hint: info.hint, at: this.iso() },
        failures: 1,
        retryAt: this.iso(retryDelayMs(1)),
      });
      return {
        oldKey: 'kept',
        pending,
        notRevoked: { ...info, message: `The new key is saved and works, but the old key ${journal.oldAccessKeyId} could not be revoked yet: ${info.message}`, hint: 'Keydesk tries again by itself; the old key is listed with the credential until then.' },
      };
    }
  }

  private async savePending(journal: RotationJournal, switchedAt: string, days: number, fields: PendingFields): Promise<PendingRevocation> {
    const entry: PendingRevocation = {
      id: journal.id,
      label: journal.label,
      credentialId: journal.credentialId,
      credentialIds: journal.credentialIds,
      accountId: journal.accountId,
      scope: journal.scope,
      retiring: { keyId: journal.oldKeyId, accessKeyId: journal.oldAccessKeyId },
      keeping: { keyId: journal.newKeyId ?? journal.oldKeyId, accessKeyId: journal.newAccessKeyId ?? journal.oldAccessKeyId },
      days,
      switchedAt,
      providerEnforced: journal.providerEnforced || undefined,
      previousRotatedAt: journal.previousRotatedAt ?? {},
      createdAt: this.iso(),
      ...fields,
    };
    await this.pending.save(entry);
    return entry;
  }

  /** Removes a new key that never verified (regenerate has none apart from the old one: nothing to remove). */
  async removeNewKey(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<void> {
    if (journal.newKeyId && journal.newKeyId !== journal.oldKeyId) await revokeKey(session, capabilities, journal.newKeyId, journal.scope);
  }

  /** A crash right after `createKey` leaves a key no journal names: the one key that is new and unsaved. */
  async removeOrphan(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<void> {
    if (journal.strategy === 'regenerate') return;
    const saved = new Set(this.deps.vault.list().map((c) => c.accessKeyId));
    const before = new Set(journal.keysBefore);
    const orphans = (await session.listKeys(journal.scope)).filter((k) => !before.has(k.id) && !saved.has(k.accessKeyId));
    // More than one means someone else made keys meanwhile: deleting a guess could break their work.
    if (orphans.length === 1) await revokeKey(session, capabilities, orphans[0].id, journal.scope);
  }

  /** Ends a journal: the staged secret goes, and the old secret too unless a pending revocation still needs it. */
  async cleanup(journal: RotationJournal): Promise<void> {
    await this.deps.secrets.delete(secretName.rotationStaging(journal.id));
    if (!(await this.pending.get(journal.id))) await this.deps.secrets.delete(secretName.retiredKey(journal.id, journal.oldAccessKeyId));
    await this.journals.remove(journal.id);
  }
}
