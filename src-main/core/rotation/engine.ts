import { randomUUID } from 'node:crypto';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import type { NewAccessKey, ProviderCapabilities, ProviderSession } from '../providers/adapter';
import type { CredentialRecord } from '../vault/metadata-store';
import type { RotationJournal } from './journal';
import { keyLockId } from './locks';
import type { PendingRevocation } from './pending';
import { checkChoice, defaultChoice, GRACE_DAYS, oldKeyOptions, type OldKeyChoice, type OldKeyOption, type RotationStrategy } from './plan';
import { confirmationRequired, findOldKey, limitError, prepare, refuseIfPending, sameKeyUsers } from './preflight';
import { lastUsedAt } from './provider-ops';
import { recoverJournal, type RecoveryResult } from './recovery';
import { RotationSteps, type RotationDeps, type RotationProgress, type RotationStep, type SettledOldKey } from './steps';

export type { RecoveryResult } from './recovery';
export type { RotationCheckpoint, RotationDeps, RotationProgress, RotationStep, VerifyPolicy } from './steps';
export { DEFAULT_VERIFY } from './steps';

export interface RotationResult {
  rotationId: string;
  credentialId: string;
  oldAccessKeyId: string;
  newAccessKeyId: string;
  /** Every saved credential now using the new key. */
  switched: string[];
  /** What became of the old key; 'replaced' = same key ID with a new secret, 'kept' = still working (see `pending`). */
  oldKey: SettledOldKey['oldKey'];
  /** The old key waiting to be revoked (grace period, deactivated, or a revoke that was refused or failed). */
  pending?: PendingRevocation;
  /** Why "deactivate now"/"delete now" did not happen yet. */
  notRevoked?: ErrorInfo;
}

export interface RotateOptions {
  /** What happens to the old key; the provider's first option (the grace period, where it can hold two keys) by default. */
  oldKey?: OldKeyChoice;
  /** Reset-in-place providers: the old access key ID as typed by the user, who accepts that the old secret stops at once. */
  confirmResetInPlace?: string;
  signal?: AbortSignal;
}

/** What "Rotate now" will do, for the one dialog shown before anything happens. */
export interface RotationPlan {
  credentialId: string;
  label: string;
  providerName: string;
  accountLabel: string;
  owner?: string;
  strategy: RotationStrategy;
  oldKey: { keyId: string; accessKeyId: string; lastUsedAt?: string };
  reportsLastUsed: boolean;
  /** Saved credentials that move to the new key (every one holding the old key at this endpoint). */
  switches: { id: string; label: string }[];
  options: OldKeyOption[];
  defaultChoice: OldKeyChoice;
  graceDays: typeof GRACE_DAYS;
  /**
   * Reset-in-place only: whether a crash between the provider's answer and the keychain write can be
   * recovered, and whether the reset replaces the whole key pair (a new access key ID too).
   */
  resetInPlace?: { recoverable: boolean; replacesKey: boolean; providerGraceMinutes?: number };
  /** Why rotation cannot start now (no room for a second key, a previous old key still pending). */
  blocked?: ErrorInfo;
}

/**
 * Key rotation: create the new key → prove it on S3 → switch every saved credential that used the old key
 * → deal with the old key as the user chose (grace period by default, so nothing outside Keydesk breaks at
 * once) → notify. The old key is never revoked before the new one verified and was saved; a new key that
 * never verified is removed again. A journal in `stateDir` makes every step recoverable after a crash
 * (`recoverRotations`); old keys in their grace period live on in the pending revocations (revocations.ts).
 */
export class RotationEngine {
  private readonly steps: RotationSteps;

  constructor(deps: RotationDeps) {
    this.steps = new RotationSteps(deps);
  }

  get locks() {
    return this.steps.locks;
  }

  isRunning(credentialId: string): boolean {
    return this.steps.locks.isHeld(credentialId);
  }

  /** Stops a rotation still waiting for its new key to work; it then rolls back. */
  cancel(credentialId: string): boolean {
    return this.steps.locks.abort(credentialId);
  }

  async plan(credentialId: string): Promise<RotationPlan> {
    const record = this.steps.deps.vault.get(credentialId);
    const { account, session, capabilities, strategy, scope } = await prepare(this.steps.deps, record);
    const options = oldKeyOptions(capabilities, strategy);
    let blocked: ErrorInfo | undefined;
    await refuseIfPending(this.steps.pending, record).catch((error: unknown) => (blocked = toErrorInfo(error)));
    const keys = await session.listKeys(scope);
    const oldKey = findOldKey(keys, record, scope.owner);
    const limit = session.limits?.maxKeysPerOwner ?? capabilities.maxKeysPerOwner;
    if (!blocked && strategy !== 'regenerate' && limit !== undefined && keys.length >= limit) blocked = limitError(limit, capabilities, keys).toJSON();
    const lastUsed = capabilities.reportsLastUsed ? (oldKey.lastUsedAt ?? (await lastUsedAt(session, capabilities, { keyId: oldKey.id, accessKeyId: oldKey.accessKeyId }, scope).catch(() => undefined))) : undefined;
    return {
      credentialId,
      label: record.label,
      providerName: account.provider.name,
      accountLabel: account.label,
      owner: record.owner,
      strategy,
      oldKey: { keyId: oldKey.id, accessKeyId: oldKey.accessKeyId, lastUsedAt: lastUsed },
      reportsLastUsed: capabilities.reportsLastUsed,
      switches: sameKeyUsers(this.steps.deps, record).map((c) => ({ id: c.id, label: c.label })),
      options,
      defaultChoice: defaultChoice(options),
      graceDays: GRACE_DAYS,
      resetInPlace:
        strategy === 'regenerate'
          ? { recoverable: capabilities.canShowSecretAgain, replacesKey: !!capabilities.resetReplacesKey, providerGraceMinutes: capabilities.hasGracePeriod ? 60 : undefined }
          : undefined,
      blocked,
    };
  }

  async rotate(credentialId: string, options: RotateOptions = {}): Promise<RotationResult> {
    const record = this.steps.deps.vault.get(credentialId);
    const started = { rotationId: '' };
    const report = (step: 'done' | 'failed', error?: unknown) =>
      this.steps.deps.onProgress?.({ rotationId: started.rotationId, credentialId, step, ...(error !== undefined && { error: toErrorInfo(error) }) });
    try {
      const result = await this.steps.locks.with(
        sameKeyUsers(this.steps.deps, record).map((c) => c.id),
        async (cancel) => {
          const signal = options.signal ? AbortSignal.any([options.signal, cancel]) : cancel;
          // A rotation of this key left unfinished by a crash is settled first, so two never overlap.
          for (const journal of (await this.steps.journals.loadAll()).filter((j) => j.credentialIds.includes(credentialId))) {
            started.rotationId = journal.id;
            const recovered = await recoverJournal(this.steps, journal);
            if (recovered.outcome === 'failed') throw new KeydeskError(recovered.error ?? { code: 'INTERNAL', message: 'An earlier rotation could not be finished.' });
            // A regenerate from the keys screen that was finished is not this rotation: it still runs.
            if (recovered.outcome === 'finished' && !journal.keyAction) return this.resultOf(journal, recovered.settled ?? { oldKey: 'replaced' });
          }
          return this.run(record, options, signal, started);
        },
      );
      // Reported once the credentials are released, so whoever refreshes on it (the tray) sees the rotation over.
      if (result.pending) this.steps.deps.onPendingChanged?.([result.pending.id]);
      report('done');
      return result;
    } catch (error) {
      if (started.rotationId) report('failed', error);
      throw error;
    }
  }

  /** Settles every journaled rotation: rolled back before its new key verified, finished after. */
  async recoverRotations(): Promise<RecoveryResult[]> {
    await this.steps.journals.removeStaleTemps();
    await this.steps.pending.removeStaleTemps();
    const results: RecoveryResult[] = [];
    for (const journal of await this.steps.journals.loadAll()) {
      try {
        // Held so a "Rotate now", a leak report or a keys-screen regenerate meanwhile cannot settle the same journal twice.
        const keyLock = journal.oldAccessKeyId ? [keyLockId(journal.accountId, journal.oldAccessKeyId)] : [];
        const result = await this.steps.locks.with([...this.steps.users(journal), ...keyLock], () => recoverJournal(this.steps, journal));
        if (result.settled?.pending) this.steps.deps.onPendingChanged?.([result.settled.pending.id]);
        results.push(result);
      } catch (error) {
        results.push({ rotationId: journal.id, credentialId: journal.credentialId, outcome: 'failed', error: toErrorInfo(error) });
      }
    }
    return results;
  }

  private async run(record: CredentialRecord, options: RotateOptions, signal: AbortSignal, started: { rotationId: string }): Promise<RotationResult> {
    const { steps } = this;
    const { account, session, capabilities, strategy, scope } = await prepare(this.steps.deps, record);
    const choice = options.oldKey ?? defaultChoice(oldKeyOptions(capabilities, strategy));
    const option = checkChoice(choice, capabilities, account.provider.name, strategy);
    if (strategy === 'regenerate' && options.confirmResetInPlace?.trim() !== record.accessKeyId) throw confirmationRequired(account.provider.name, record.accessKeyId, !!capabilities.resetReplacesKey);
    await refuseIfPending(this.steps.pending, record);
    const keys = await session.listKeys(scope);
    const oldKey = findOldKey(keys, record, scope.owner);
    const limit = session.limits?.maxKeysPerOwner ?? capabilities.maxKeysPerOwner;
    if (strategy !== 'regenerate' && limit !== undefined && keys.length >= limit) throw limitError(limit, capabilities, keys);
    // The old secret stays in memory too, to put credentials back if the switch fails half-way.
    const oldSecret = (await steps.deps.vault.connection(record.id)).secretAccessKey;
    const users = sameKeyUsers(this.steps.deps, record);
    const now = steps.iso();
    const journal: RotationJournal = {
      id: randomUUID(),
      credentialId: record.id,
      label: record.label,
      credentialIds: users.map((c) => c.id),
      accountId: record.accountId!,
      scope,
      strategy,
      oldKey: choice,
      providerEnforced: option.providerEnforced || undefined,
      oldKeyId: oldKey.id,
      oldAccessKeyId: oldKey.accessKeyId,
      keysBefore: keys.map((k) => k.id),
      previousRotatedAt: Object.fromEntries(users.map((c) => [c.id, c.rotatedAt ?? null])),
      phase: 'started',
      startedAt: now,
      updatedAt: now,
    };
    started.rotationId = journal.id;
    const progress = (step: RotationStep, extra: Partial<RotationProgress> = {}) =>
      steps.deps.onProgress?.({ rotationId: journal.id, credentialId: record.id, step, ...extra });
    // Written before the provider is asked: a crash while it answers is recoverable.
    await steps.advance(journal, 'started');
    progress('create');
    let created: NewAccessKey;
    try {
      created = await steps.create(session, journal, oldKey, capabilities);
    } catch (error) {
      return await this.createFailed(journal, session, capabilities, error);
    }
    // The provider answered; its secret exists only in this process until the next line.
    await steps.deps.checkpoint?.('provider-answered', journal);
    journal.newKeyId = created.id;
    journal.newAccessKeyId = created.accessKeyId;
    try {
      await steps.stage(journal, { keyId: created.id, accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey });
    } catch (error) {
      await this.stageFailed(journal, session, capabilities, error);
    }
    await steps.advance(journal, 'created');

    try {
      const connection = { ...record, accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
      await steps.verify(connection, signal, (attempt) => progress('verify', { attempt }));
    } catch (error) {
      if (strategy === 'regenerate') return await this.keepUnverified(journal, created, error);
      progress('rollback', { error: toErrorInfo(error) });
      await this.rollback(journal, session, capabilities, verifyFailed(error, steps.verifyPolicy.timeoutMs, journal));
    }
    await steps.advance(journal, 'verified');
    await steps.retainOld(journal);

    progress('switch');
    await this.switchAll(journal, created, users, oldSecret, session, capabilities);
    journal.switchedAt = steps.iso();
    await steps.advance(journal, 'switched');

    progress('revoke');
    const settled = await steps.settleOld(journal, session, capabilities);
    await steps.advance(journal, 'settled');
    await steps.cleanup(journal);
    return this.resultOf(journal, settled);
  }

  /**
   * The provider did not answer with a key. A reset in place may still have happened (an answer lost on
   * the way back), so recovery finds out; otherwise a key created just before the failure is removed.
   */
  private async createFailed(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities, error: unknown): Promise<RotationResult> {
    if (journal.strategy === 'regenerate') {
      const recovered = await recoverJournal(this.steps, journal);
      if (recovered.outcome === 'finished') return this.resultOf(journal, recovered.settled ?? { oldKey: 'replaced' });
      if (recovered.outcome === 'failed') throw new KeydeskError(recovered.error!, { cause: error });
      throw error;
    }
    try {
      await this.steps.removeOrphan(journal, session, capabilities);
      await this.steps.cleanup(journal);
    } catch {
      // The journal stays: the next start looks for the orphan again.
    }
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

  /** The keychain refused the new secret. A new key is removed again; a reset secret can only be fetched again where the provider shows it. */
  private async stageFailed(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities, error: unknown): Promise<never> {
    if (journal.strategy !== 'regenerate') return this.rollback(journal, session, capabilities, error);
    const info = toErrorInfo(error);
    throw new KeydeskError(
      {
        ...info,
        message: capabilities.canShowSecretAgain
          ? `The key got a new secret, but the keychain refused to save it (${info.message}). The provider can show it again: Keydesk fetches and saves it when the keychain works (at the next start, or when you rotate this key again).`
          : `The key got a new secret, but the keychain refused to save it (${info.message}), and this provider cannot show it again. Unlock the keychain, then reset the key again.`,
      },
      { cause: error },
    );
  }

  /** Regenerate has no old secret left: the unverified new one is still the only one that can work. */
  private async keepUnverified(journal: RotationJournal, created: NewAccessKey, error: unknown): Promise<never> {
    await this.steps.finishSwitch(journal, { keyId: created.id, accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey });
    await this.steps.cleanup(journal);
    throw new KeydeskError(
      {
        code: 'PROVIDER',
        message: `The key got a new secret, but it did not work within ${Math.round(this.steps.verifyPolicy.timeoutMs / 1000)} s (${toErrorInfo(error).message}). The old secret no longer works, so the new one was saved anyway.`,
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
    const { vault } = this.steps.deps;
    const switched: CredentialRecord[] = [];
    try {
      for (const user of users) {
        await vault.replaceKey(user.id, created.accessKeyId, created.secretAccessKey);
        switched.push(user);
      }
    } catch (error) {
      const later = new KeydeskError(
        {
          code: 'KEYCHAIN_UNAVAILABLE',
          message: `Saving the new key failed half-way (${toErrorInfo(error).message}). Keydesk finishes the rotation when the keychain works again (at the next start).`,
        },
        { cause: error },
      );
      // A reset secret is the only one that works: never undo towards the dead old secret; the journal stays at 'verified'.
      if (journal.strategy === 'regenerate') throw later;
      try {
        for (const user of switched) await vault.restoreKey(user, oldSecret);
      } catch {
        // Some credentials already use the verified new key and cannot be put back: finish forward at the next start.
        throw later;
      }
      // All put back: the verified new key is now unused, and recovery must remove it rather than finish.
      journal.phase = 'created';
      await this.steps.journals.save(journal);
      await this.rollback(journal, session, capabilities, error);
    } finally {
      this.steps.deps.onCredentialsChanged?.(journal.credentialIds);
    }
  }

  /**
   * Removes a new key that never verified. If even that fails, the journal stays so the next start tries
   * again; either way the original error is what the user sees.
   */
  private async rollback(journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities, error: unknown): Promise<never> {
    try {
      await this.steps.removeNewKey(journal, session, capabilities);
      await this.steps.cleanup(journal);
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

  private resultOf(journal: RotationJournal, settled: SettledOldKey): RotationResult {
    return {
      rotationId: journal.id,
      credentialId: journal.credentialId,
      oldAccessKeyId: journal.oldAccessKeyId,
      newAccessKeyId: journal.newAccessKeyId ?? journal.oldAccessKeyId,
      switched: journal.credentialIds,
      ...settled,
    };
  }
}

function verifyFailed(error: unknown, timeoutMs: number, journal: RotationJournal): KeydeskError {
  const info = toErrorInfo(error);
  // The provider's own expiry was set on the old secret with the new key and stays even though the new key goes.
  const expiry = journal.providerEnforced && journal.oldKey.kind === 'grace' ? ` The provider still ends the old secret in ${journal.oldKey.days} days (set with the new key): rotate again before then.` : '';
  if (info.code === 'CANCELLED') return new KeydeskError({ code: 'CANCELLED', message: `Rotation cancelled; the new key was removed and your saved key is unchanged.${expiry}` });
  return new KeydeskError(
    { ...info, message: `The new key did not work on S3 within ${Math.round(timeoutMs / 1000)} s: ${info.message} It was removed again; your saved key is unchanged.${expiry}` },
    { cause: error },
  );
}
