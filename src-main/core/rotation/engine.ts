import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { AccountService } from '../accounts/account-service';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import type { AccessKeyInfo, NewAccessKey, ProviderCapabilities, ProviderSession } from '../providers/adapter';
import { registerSecret } from '../redact';
import { createS3Client, describeS3Error, type S3Connection } from '../s3/client';
import { cancelledError, sleep } from '../cancel';
import type { CredentialVault } from '../vault/credential-vault';
import type { CredentialRecord } from '../vault/metadata-store';
import { secretName, type SecretStore } from '../vault/secret-store';
import { RotationJournalStore, type RotationJournal, type RotationPhase, type RotationStrategy } from './journal';

export type RotationStep = 'create' | 'verify' | 'switch' | 'revoke' | 'rollback' | 'done' | 'failed';

export interface RotationProgress {
  rotationId: string;
  credentialId: string;
  step: RotationStep;
  /** Verify attempts so far while the provider propagates the new key. */
  attempt?: number;
  error?: ErrorInfo;
}

export interface RotationResult {
  credentialId: string;
  oldAccessKeyId: string;
  newAccessKeyId: string;
  /** Every saved credential now using the new key. */
  switched: string[];
  /** What happened to the old key; 'replaced' = same key ID with a new secret (regenerate). */
  revoked: 'deleted' | 'deactivated' | 'replaced';
}

export interface RecoveryResult {
  rotationId: string;
  credentialId: string;
  outcome: 'finished' | 'rolled-back' | 'failed';
  error?: ErrorInfo;
}

export interface RotateOptions {
  /** 'regenerate' only: the user accepted that a failed check leaves no old key to fall back to. */
  confirmNoFallback?: boolean;
  signal?: AbortSignal;
}

/** How long a new key may take to work: ECS-like gateways cache keys for a minute or two. */
export interface VerifyPolicy {
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_VERIFY: VerifyPolicy = { timeoutMs: 150_000, baseDelayMs: 1_000, maxDelayMs: 15_000 };

export interface RotationDeps {
  vault: CredentialVault;
  secrets: SecretStore;
  accounts: Pick<AccountService, 'get' | 'session'>;
  stateDir: string;
  verify?: Partial<VerifyPolicy>;
  onProgress?(progress: RotationProgress): void;
  onCredentialsChanged?(ids: string[]): void;
  /** Runs after each journal write; tests throw from it to simulate the process dying there. */
  afterJournal?(phase: RotationPhase, journal: RotationJournal): void | Promise<void>;
}

/** The new key as staged in the keychain: JSON, so recovery learns the key ID together with the secret. */
interface StagedKey {
  keyId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Failures that may only mean the provider has not propagated the new key yet. */
const PROPAGATION_CODES = new Set(['INVALID_ACCESS_KEY', 'SIGNATURE_MISMATCH', 'ACCESS_DENIED', 'AUTH_FAILED', 'NETWORK', 'TIMEOUT']);

/**
 * Key rotation: create the new key → prove it on S3 → stage and switch every saved credential that used
 * the old key → revoke the old key → notify. The old key is never revoked before the new one verified and
 * was saved; a new key that never verified is removed again. A journal in `stateDir` makes every step
 * recoverable after a crash (`recoverRotations`).
 */
export class RotationEngine {
  private readonly journals: RotationJournalStore;
  private readonly verifyPolicy: VerifyPolicy;
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: RotationDeps) {
    this.journals = new RotationJournalStore(deps.stateDir);
    this.verifyPolicy = { ...DEFAULT_VERIFY, ...deps.verify };
  }

  isRunning(credentialId: string): boolean {
    return this.running.has(credentialId);
  }

  /** Stops a rotation still waiting for its new key to work; it then rolls back. */
  cancel(credentialId: string): boolean {
    const controller = this.running.get(credentialId);
    controller?.abort();
    return !!controller;
  }

  async rotate(credentialId: string, options: RotateOptions = {}): Promise<RotationResult> {
    if (this.running.has(credentialId)) {
      throw new KeydeskError({ code: 'CONFLICT', message: 'This key is already being rotated.' });
    }
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.running.set(credentialId, controller);
    try {
      // A rotation of this key left unfinished by a crash is settled first, so two never overlap.
      for (const journal of (await this.journals.loadAll()).filter((j) => j.credentialIds.includes(credentialId))) {
        const recovered = await this.recover(journal);
        if (recovered.outcome === 'failed') throw new KeydeskError(recovered.error ?? { code: 'INTERNAL', message: 'An earlier rotation could not be finished.' });
        if (recovered.outcome === 'finished') return this.resultOf(journal, revokedBy(journal.strategy, this.deps.accounts.get(journal.accountId).provider.capabilities));
      }
      return await this.run(credentialId, options, signal);
    } finally {
      this.running.delete(credentialId);
    }
  }

  /** Settles every journaled rotation: rolled back before its new key verified, finished after. */
  async recoverRotations(): Promise<RecoveryResult[]> {
    const results: RecoveryResult[] = [];
    for (const journal of await this.journals.loadAll()) {
      if (this.running.has(journal.credentialId)) continue;
      // Marked running so a "Rotate now" meanwhile cannot settle the same journal twice.
      this.running.set(journal.credentialId, new AbortController());
      try {
        results.push(await this.recover(journal));
      } finally {
        this.running.delete(journal.credentialId);
      }
    }
    return results;
  }

  private async run(credentialId: string, options: RotateOptions, signal: AbortSignal): Promise<RotationResult> {
    const record = this.deps.vault.get(credentialId);
    const { session, capabilities, strategy, scope } = await this.prepare(record);
    if (strategy === 'regenerate' && !options.confirmNoFallback) {
      throw new KeydeskError({
        code: 'CONFLICT',
        providerCode: 'ConfirmationRequired',
        message:
          'This provider allows one key per user, so rotation gives the same key a new secret. The old secret stops working at once: if the new one then fails its check, there is no old key to fall back to.',
        hint: 'Confirm to rotate anyway.',
      });
    }
    const keys = await session.listKeys(scope);
    const oldKey = keys.find((k) => k.accessKeyId === record.accessKeyId);
    if (!oldKey) {
      throw new KeydeskError({
        code: 'NOT_FOUND',
        message: `The provider account does not list the key ${record.accessKeyId}${scope.owner ? ` for ${scope.owner}` : ''}, so Keydesk cannot rotate it.`,
        hint: 'Check that the key still exists and belongs to this account.',
      });
    }
    const limit = session.limits?.maxKeysPerOwner ?? capabilities.maxKeysPerOwner;
    if (strategy !== 'regenerate' && limit !== undefined && keys.length >= limit) throw limitError(limit, capabilities, keys);
    // The old secret stays in memory only, to put credentials back if the switch fails half-way.
    const oldSecret = (await this.deps.vault.connection(credentialId)).secretAccessKey;
    const users = this.deps.vault.list().filter((c) => c.accessKeyId === record.accessKeyId && c.endpoint === record.endpoint);
    const now = new Date().toISOString();
    const journal: RotationJournal = {
      id: randomUUID(),
      credentialId,
      credentialIds: users.map((c) => c.id),
      accountId: record.accountId!,
      scope,
      strategy,
      oldKeyId: oldKey.id,
      oldAccessKeyId: oldKey.accessKeyId,
      keysBefore: keys.map((k) => k.id),
      phase: 'started',
      startedAt: now,
      updatedAt: now,
    };
    const progress = (step: RotationStep, extra: Partial<RotationProgress> = {}) =>
      this.deps.onProgress?.({ rotationId: journal.id, credentialId, step, ...extra });
    try {
      await this.advance(journal, 'started');

      progress('create');
      const created = await this.create(session, journal, oldKey, capabilities);
      journal.newKeyId = created.id;
      journal.newAccessKeyId = created.accessKeyId;
      try {
        await this.stage(journal, created);
      } catch (error) {
        await this.rollbackOrKeep(journal, session, capabilities, error);
      }
      await this.advance(journal, 'created');

      try {
        const connection = { ...record, accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
        await this.verify(connection, signal, (attempt) => progress('verify', { attempt }));
      } catch (error) {
        if (strategy === 'regenerate') return await this.keepUnverified(journal, created, error);
        progress('rollback', { error: toErrorInfo(error) });
        await this.rollbackOrKeep(journal, session, capabilities, verifyFailed(error, this.verifyPolicy.timeoutMs));
      }
      await this.advance(journal, 'verified');

      progress('switch');
      await this.switchAll(journal, created, users, oldSecret, session, capabilities);
      await this.advance(journal, 'switched');

      progress('revoke');
      const revoked = await this.revokeOld(journal, session, capabilities);
      await this.advance(journal, 'revoked');
      await this.cleanup(journal);
      progress('done');
      return this.resultOf(journal, revoked);
    } catch (error) {
      progress('failed', { error: toErrorInfo(error) });
      throw error;
    }
  }

  private async prepare(record: CredentialRecord) {
    if (!record.accountId) {
      throw new KeydeskError({
        code: 'UNSUPPORTED',
        message: `"${record.label}" is not linked to a provider account, so Keydesk cannot create its replacement.`,
        hint: "Rotate it in your provider's console: add the new key to Keydesk, then remove this one.",
      });
    }
    const account = this.deps.accounts.get(record.accountId);
    const capabilities = account.provider.capabilities;
    if (capabilities.rotation === 'none') {
      throw new KeydeskError({
        code: 'UNSUPPORTED',
        message: `${account.provider.name} keys cannot be rotated from Keydesk: the provider offers no API to create keys.`,
        hint: "Create a new key in the provider's console, add it to Keydesk, then delete the old key there.",
      });
    }
    if (capabilities.rotation !== 'regenerate' && !capabilities.canDelete && !capabilities.canDeactivate) {
      throw new KeydeskError({ code: 'UNSUPPORTED', message: `${account.provider.name} can neither delete nor deactivate keys, so the old key could not be revoked.` });
    }
    const session = await this.deps.accounts.session(record.accountId);
    const scope = { owner: record.owner, region: capabilities.hasRegions ? record.region : undefined };
    return { session, capabilities, strategy: capabilities.rotation as RotationStrategy, scope };
  }

  private async create(session: ProviderSession, journal: RotationJournal, oldKey: AccessKeyInfo, capabilities: ProviderCapabilities): Promise<NewAccessKey> {
    try {
      const created =
        journal.strategy === 'regenerate'
          ? await requireMethod(session.regenerateSecret, 'regenerate secrets').call(session, oldKey.id, {
              ...journal.scope,
              graceMinutes: capabilities.hasGracePeriod ? 60 : undefined,
            })
          : await session.createKey(journal.scope);
      registerSecret(created.secretAccessKey);
      return created;
    } catch (error) {
      await this.journals.remove(journal.id);
      if (error instanceof KeydeskError && error.code === 'LIMIT_REACHED') {
        throw new KeydeskError(
          {
            ...error.toJSON(),
            message: `${error.message} Keydesk creates the new key before removing the old one, so you are never left without a working key; here there is no room for it.`,
            hint: error.hint ?? 'Delete an unused key of this owner first, then rotate again.',
          },
          { cause: error },
        );
      }
      throw error;
    }
  }

  private async stage(journal: RotationJournal, created: NewAccessKey): Promise<void> {
    const staged: StagedKey = { keyId: created.id, accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
    await this.deps.secrets.set(secretName.rotationStaging(journal.id), JSON.stringify(staged));
  }

  private async staged(journal: RotationJournal): Promise<StagedKey | undefined> {
    const text = await this.deps.secrets.get(secretName.rotationStaging(journal.id));
    if (!text) return undefined;
    const staged = JSON.parse(text) as StagedKey;
    registerSecret(staged.secretAccessKey);
    return staged;
  }

  /** ListBuckets with the new key until it works, with backoff, for at most `timeoutMs`. */
  private async verify(connection: S3Connection, signal: AbortSignal | undefined, onAttempt: (attempt: number) => void): Promise<void> {
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

  /** Regenerate has no old secret left: the unverified new one is still the only one that can work. */
  private async keepUnverified(journal: RotationJournal, created: NewAccessKey, error: unknown): Promise<never> {
    for (const id of journal.credentialIds) await this.deps.vault.replaceKey(id, created.accessKeyId, created.secretAccessKey);
    this.deps.onCredentialsChanged?.(journal.credentialIds);
    await this.cleanup(journal);
    throw new KeydeskError(
      {
        code: 'PROVIDER',
        message: `The key got a new secret, but it did not work within ${Math.round(this.verifyPolicy.timeoutMs / 1000)} s (${toErrorInfo(error).message}). The old secret no longer works, so the new one was saved anyway.`,
        hint: 'Try the key again in a few minutes; if it still fails, regenerate it in the provider console.',
      },
      { cause: error },
    );
  }

  private async switchAll(
    journal: RotationJournal,
    created: NewAccessKey,
    users: CredentialRecord[],
    oldSecret: string,
    session: ProviderSession,
    capabilities: ProviderCapabilities,
  ): Promise<void> {
    const switched: CredentialRecord[] = [];
    try {
      for (const user of users) {
        await this.deps.vault.replaceKey(user.id, created.accessKeyId, created.secretAccessKey);
        switched.push(user);
      }
    } catch (error) {
      try {
        for (const user of switched) await this.deps.vault.restoreKey(user, oldSecret);
      } catch {
        // Some credentials already use the verified new key and cannot be put back: the journal stays at
        // 'verified', so the next start finishes forward.
        throw new KeydeskError(
          {
            code: 'KEYCHAIN_UNAVAILABLE',
            message: `Saving the new key failed half-way (${toErrorInfo(error).message}). Keydesk finishes the rotation when the keychain works again (at the next start).`,
          },
          { cause: error },
        );
      }
      // All put back: the verified new key is now unused, and recovery must remove it rather than finish.
      journal.phase = 'created';
      await this.journals.save(journal);
      await this.rollbackOrKeep(journal, session, capabilities, error);
    } finally {
      this.deps.onCredentialsChanged?.(journal.credentialIds);
    }
  }

  private async revokeOld(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<RotationResult['revoked']> {
    if (journal.strategy === 'regenerate') return 'replaced';
    try {
      return await revoke(session, capabilities, journal.oldKeyId, journal);
    } catch (error) {
      throw new KeydeskError(
        {
          code: toErrorInfo(error).code,
          message: `The new key is saved and works, but the old key ${journal.oldAccessKeyId} could not be revoked: ${toErrorInfo(error).message}`,
          hint: "Keydesk tries again at the next start or when you rotate this key again; you can also delete the old key in the provider's console.",
        },
        { cause: error },
      );
    }
  }

  /**
   * Removes a new key that never verified. If even that fails, the journal stays so the next start tries
   * again; either way the original error is what the user sees.
   */
  private async rollbackOrKeep(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities, error: unknown): Promise<never> {
    try {
      // Regenerate has no separate new key: its "new key" is the old one, which must never be removed here.
      if (journal.newKeyId && journal.newKeyId !== journal.oldKeyId) await revoke(session, capabilities, journal.newKeyId, journal);
      await this.cleanup(journal);
    } catch (rollbackError) {
      throw new KeydeskError(
        {
          ...toErrorInfo(error),
          message: `${toErrorInfo(error).message} The unused new key ${journal.newAccessKeyId ?? ''} could not be removed yet (${toErrorInfo(rollbackError).message}); Keydesk retries at the next start.`,
        },
        { cause: error },
      );
    }
    throw error;
  }

  private async recover(journal: RotationJournal): Promise<RecoveryResult> {
    const base = { rotationId: journal.id, credentialId: journal.credentialId };
    try {
      const account = this.deps.accounts.get(journal.accountId);
      const capabilities = account.provider.capabilities;
      const session = await this.deps.accounts.session(journal.accountId);
      const staged = await this.staged(journal);
      if (staged) {
        journal.newKeyId = staged.keyId;
        journal.newAccessKeyId = staged.accessKeyId;
      }
      const phase = journal.phase === 'started' && staged ? 'created' : journal.phase;
      switch (phase) {
        case 'started':
          await this.removeOrphan(journal, session, capabilities);
          await this.cleanup(journal);
          return { ...base, outcome: 'rolled-back' };
        case 'created':
          if (journal.strategy !== 'regenerate') {
            if (journal.newKeyId) await revoke(session, capabilities, journal.newKeyId, journal);
            await this.cleanup(journal);
            return { ...base, outcome: 'rolled-back' };
          }
          await this.finishSwitch(journal, staged);
          break;
        case 'verified':
          await this.finishSwitch(journal, staged);
          break;
        default:
          break;
      }
      if (phase !== 'revoked') await this.revokeOld(journal, session, capabilities);
      await this.cleanup(journal);
      this.deps.onProgress?.({ ...base, step: 'done' });
      return { ...base, outcome: 'finished' };
    } catch (error) {
      return { ...base, outcome: 'failed', error: toErrorInfo(error) };
    }
  }

  private async finishSwitch(journal: RotationJournal, staged: StagedKey | undefined): Promise<void> {
    if (!staged) throw new KeydeskError({ code: 'NOT_FOUND', message: `The new key ${journal.newAccessKeyId ?? ''} of an unfinished rotation is missing from the OS keychain.` });
    const pending = journal.credentialIds.filter((id) => this.exists(id) && this.deps.vault.get(id).accessKeyId !== staged.accessKeyId);
    // A crash between a credential's keychain write and its metadata write re-runs that credential too.
    for (const id of pending) await this.deps.vault.replaceKey(id, staged.accessKeyId, staged.secretAccessKey);
    if (pending.length) this.deps.onCredentialsChanged?.(pending);
    await this.advance(journal, 'switched');
  }

  /** A crash right after `createKey` leaves a key no journal names: the one key that is new and unsaved. */
  private async removeOrphan(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<void> {
    if (journal.strategy === 'regenerate') return;
    const saved = new Set(this.deps.vault.list().map((c) => c.accessKeyId));
    const before = new Set(journal.keysBefore);
    const orphans = (await session.listKeys(journal.scope)).filter((k) => !before.has(k.id) && !saved.has(k.accessKeyId));
    // More than one means someone else made keys meanwhile: deleting a guess could break their work.
    if (orphans.length === 1) await revoke(session, capabilities, orphans[0].id, journal);
  }

  private exists(id: string): boolean {
    return this.deps.vault.list().some((c) => c.id === id);
  }

  private async advance(journal: RotationJournal, phase: RotationPhase): Promise<void> {
    journal.phase = phase;
    await this.journals.save(journal);
    await this.deps.afterJournal?.(phase, journal);
  }

  private async cleanup(journal: RotationJournal): Promise<void> {
    await this.deps.secrets.delete(secretName.rotationStaging(journal.id));
    await this.journals.remove(journal.id);
  }

  private resultOf(journal: RotationJournal, revoked: RotationResult['revoked']): RotationResult {
    return {
      credentialId: journal.credentialId,
      oldAccessKeyId: journal.oldAccessKeyId,
      newAccessKeyId: journal.newAccessKeyId ?? journal.oldAccessKeyId,
      switched: journal.credentialIds,
      revoked,
    };
  }
}

function revokedBy(strategy: RotationStrategy, capabilities: ProviderCapabilities): RotationResult['revoked'] {
  if (strategy === 'regenerate') return 'replaced';
  return capabilities.canDelete ? 'deleted' : 'deactivated';
}

/** Deletes a key, or deactivates it where the provider cannot delete; an already missing key counts as done. */
async function revoke(session: ProviderSession, capabilities: ProviderCapabilities, keyId: string, journal: RotationJournal): Promise<'deleted' | 'deactivated'> {
  try {
    if (capabilities.canDelete && session.deleteKey) {
      await session.deleteKey(keyId, journal.scope);
      return 'deleted';
    }
    await requireMethod(session.setKeyActive, 'deactivate keys').call(session, keyId, false, journal.scope);
    return 'deactivated';
  } catch (error) {
    if (error instanceof KeydeskError && error.code === 'NOT_FOUND') return capabilities.canDelete ? 'deleted' : 'deactivated';
    throw error;
  }
}

function requireMethod<T>(method: T | undefined, what: string): T {
  if (!method) throw new KeydeskError({ code: 'UNSUPPORTED', message: `This provider cannot ${what}.` });
  return method;
}

function limitError(limit: number, capabilities: ProviderCapabilities, keys: AccessKeyInfo[]): KeydeskError {
  const per = capabilities.limitScope ?? 'user';
  return new KeydeskError({
    code: 'LIMIT_REACHED',
    message: `This provider allows ${limit} key${limit === 1 ? '' : 's'} per ${per}, and this ${per} has ${keys.length}. Keydesk creates the new key before removing the old one, so you are never left without a working key; here there is no room for it.`,
    hint: limit === 1 ? "Rotate by hand in the provider's console, accepting a short outage." : `Delete an unused key of this ${per} first (${keys.map((k) => k.accessKeyId).join(', ')}).`,
  });
}

function verifyFailed(error: unknown, timeoutMs: number): KeydeskError {
  const info = toErrorInfo(error);
  if (info.code === 'CANCELLED') return new KeydeskError({ code: 'CANCELLED', message: 'Rotation cancelled; the new key was removed and your saved key is unchanged.' });
  return new KeydeskError(
    { ...info, message: `The new key did not work on S3 within ${Math.round(timeoutMs / 1000)} s: ${info.message} It was removed again; your saved key is unchanged.` },
    { cause: error },
  );
}
