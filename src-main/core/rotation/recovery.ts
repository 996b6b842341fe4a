import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import type { ProviderCapabilities, ProviderSession } from '../providers/adapter';
import { registerSecret } from '../redact';
import type { RotationJournal } from './journal';
import type { RevocationNotice } from './revocations';
import { recoverKeyAction } from './key-action-steps';
import { recoverLeak } from './leak-steps';
import type { RotationSteps, SettledOldKey, StagedKey } from './steps';

export interface RecoveryResult {
  rotationId: string;
  credentialId: string;
  outcome: 'finished' | 'rolled-back' | 'failed';
  error?: ErrorInfo;
  settled?: SettledOldKey;
  /** Set for a regenerate or create from the keys screen. */
  keyAction?: 'regenerate' | 'create';
  /** A key no saved credential held, saved as this new credential because nobody saw its secret. */
  savedAs?: { id: string; label: string };
}

const UNFINISHED: Record<'regenerate' | 'create' | 'rotation', string> = {
  regenerate: 'Regenerating a key did not finish',
  create: 'Creating a key did not finish',
  rotation: 'A key rotation did not finish',
};

/**
 * What the user must hear of a recovery at start (a notification, like the pending revocations'): work
 * that could not be finished, and a key saved on its own because nobody saw its new secret. Whatever
 * finished or rolled back quietly is already visible in the credentials themselves.
 */
export function recoveryNotice(result: RecoveryResult): RevocationNotice | undefined {
  if (result.outcome === 'failed') {
    const { message = 'Keydesk could not finish it.', hint } = result.error ?? {};
    return { id: result.rotationId, kind: 'failed', title: UNFINISHED[result.keyAction ?? 'rotation'], body: hint ? `${message} ${hint}` : message };
  }
  if (result.savedAs) {
    return {
      id: result.rotationId,
      kind: 'recovered',
      title: 'A regenerated key was saved',
      body: `Keydesk stopped while regenerating a key no saved credential held, before its new secret was shown. The secret is saved as "${result.savedAs.label}".`,
    };
  }
  return undefined;
}

/** Answers that mean a secret is wrong, as opposed to a gateway that cannot be reached. */
const REFUSED_SECRET = new Set(['INVALID_ACCESS_KEY', 'SIGNATURE_MISMATCH', 'AUTH_FAILED']);

/**
 * Settles one journaled rotation after a crash: rolled back before its new key verified (a reset in place
 * has no old key to go back to, so it always goes forward), finished after — old key handled as the user
 * chose, so a grace period chosen before the crash still holds.
 */
export async function recoverJournal(steps: RotationSteps, journal: RotationJournal): Promise<RecoveryResult> {
  if (journal.leak) return recoverLeak(steps, journal);
  if (journal.keyAction) return recoverKeyAction(steps, journal);
  const base = { rotationId: journal.id, credentialId: journal.credentialId };
  upgrade(journal);
  try {
    const capabilities = steps.deps.accounts.get(journal.accountId).provider.capabilities;
    const session = await steps.deps.accounts.session(journal.accountId);
    let staged = await steps.staged(journal);
    if (staged) {
      journal.newKeyId = staged.keyId;
      journal.newAccessKeyId = staged.accessKeyId;
    }
    let phase = journal.phase;
    if (phase === 'started') {
      if (!staged && journal.strategy === 'regenerate') staged = await findResetSecret(steps, journal, session, capabilities);
      if (!staged) {
        await steps.removeOrphan(journal, session, capabilities);
        await steps.cleanup(journal);
        return { ...base, outcome: 'rolled-back' };
      }
      phase = 'created';
    }
    if (phase === 'created' && journal.strategy !== 'regenerate') {
      await steps.removeNewKey(journal, session, capabilities);
      await steps.cleanup(journal);
      return { ...base, outcome: 'rolled-back' };
    }
    if (phase === 'created' || phase === 'verified') {
      await steps.retainOld(journal);
      await steps.finishSwitch(journal, staged);
      phase = 'switched';
    }
    let settled: SettledOldKey;
    if (phase === 'switched') {
      settled = await steps.settleOld(journal, session, capabilities);
      await steps.advance(journal, 'settled');
    } else {
      const pending = await steps.pending.get(journal.id);
      settled = pending
        ? { oldKey: pending.state === 'deactivated' ? 'deactivated' : 'kept', pending }
        : { oldKey: journal.strategy === 'regenerate' ? 'replaced' : capabilities.canDelete ? 'deleted' : 'deactivated' };
    }
    await steps.cleanup(journal);
    steps.deps.onProgress?.({ ...base, step: 'done' });
    return { ...base, outcome: 'finished', settled };
  } catch (error) {
    return { ...base, outcome: 'failed', error: toErrorInfo(error) };
  }
}

/**
 * A reset in place whose answer never reached the keychain: the journal was written before the provider
 * was asked, so whether it reset the secret is unknown. Where the provider shows secrets again, its
 * current secret tells (and is the new one if it differs from the saved one; where a reset replaces the
 * key, the replacing key's); elsewhere the saved secret is tried on S3, and if it no longer works the new
 * one is lost, which the error says plainly.
 */
export async function findResetSecret(steps: RotationSteps, journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<StagedKey | undefined> {
  const { vault } = steps.deps;
  const holder = steps.users(journal).find((id) => vault.get(id).accessKeyId === journal.oldAccessKeyId);
  const saved = holder ? await vault.connection(holder) : undefined;
  if (capabilities.canShowSecretAgain && session.showSecret) {
    const reset = capabilities.resetReplacesKey ? await replacingKey(journal, session) : { keyId: journal.oldKeyId, accessKeyId: journal.oldAccessKeyId };
    if (!reset) return undefined;
    const current = await session.showSecret(reset.keyId, journal.scope);
    registerSecret(current);
    if (saved && reset.accessKeyId === saved.accessKeyId && current === saved.secretAccessKey) return undefined;
    const staged: StagedKey = { ...reset, secretAccessKey: current };
    await steps.stage(journal, staged);
    journal.newKeyId = staged.keyId;
    journal.newAccessKeyId = staged.accessKeyId;
    await steps.advance(journal, 'created');
    return staged;
  }
  if (!saved) return undefined;
  try {
    // (A provider that resets with a grace period but cannot show secrets would pass this check; none does.)
    await vault.test(saved);
    return undefined;
  } catch (error) {
    if (!REFUSED_SECRET.has(toErrorInfo(error).code)) throw error;
    // Nothing more can be learnt at a later start: the journal goes, the error stays with the user.
    await steps.cleanup(journal);
    throw new KeydeskError(
      {
        code: 'NOT_FOUND',
        message: `"${journal.label}": the provider gave ${journal.oldAccessKeyId} a new secret just before Keydesk stopped, before it was saved, and this provider cannot show secrets again. The saved secret no longer works.`,
        hint: "Reset the key again in the provider's console and add its new secret to Keydesk, or rotate it again here.",
      },
      { cause: error },
    );
  }
}

/**
 * Where a reset replaces the whole key pair: the old key still listed means the reset never happened;
 * gone, the one key that was not there before the rotation replaced it.
 */
async function replacingKey(journal: RotationJournal, session: ProviderSession): Promise<{ keyId: string; accessKeyId: string } | undefined> {
  const keys = await session.listKeys(journal.scope);
  if (keys.some((k) => k.id === journal.oldKeyId)) return undefined;
  const before = new Set(journal.keysBefore);
  const fresh = keys.filter((k) => !before.has(k.id));
  if (fresh.length !== 1) {
    throw new KeydeskError({
      code: 'CONFLICT',
      message: `"${journal.label}": ${journal.oldAccessKeyId} was reset just before Keydesk stopped, and ${fresh.length ? `${fresh.length} new keys` : 'no new key'} can be seen in its place, so Keydesk cannot tell which one to save.`,
      hint: "Check the keys in the provider's console, then save the right one in Keydesk from the account's keys.",
    });
  }
  return { keyId: fresh[0].id, accessKeyId: fresh[0].accessKeyId };
}

/** Journals written by an earlier Keydesk: the old key was always revoked at once then. */
function upgrade(journal: RotationJournal): void {
  journal.oldKey ??= journal.strategy === 'regenerate' ? { kind: 'replace' } : { kind: 'delete' };
  journal.previousRotatedAt ??= {};
  journal.label ??= journal.credentialId;
  if ((journal.phase as string) === 'revoked') journal.phase = 'settled';
}
