import { KeydeskError, toErrorInfo } from '../errors';
import type { ProviderCapabilities, ProviderSession } from '../providers/adapter';
import { inheritTrust } from '../transport/trust';
import type { CredentialRecord } from '../vault/metadata-store';
import type { RotationJournal } from './journal';
import { findResetSecret, type RecoveryResult } from './recovery';
import type { RotationSteps, StagedKey } from './steps';

/**
 * The steps of the keys screen's journaled regenerate and create (key-actions.ts) that crash recovery
 * shares. Recovery goes forward wherever the new secret reached the keychain: holders take it, and a key no
 * saved credential holds is saved as a new credential, since nobody saw its secret. A created key whose
 * secret never reached the keychain is removed again, so it does not take one of the provider's few slots.
 */

/** Saves the staged key as a new credential named after the journal (found by its key instead where a crash came after the save). */
export async function saveStaged(steps: RotationSteps, journal: RotationJournal, staged: StagedKey, session: ProviderSession): Promise<CredentialRecord> {
  const { vault, accounts } = steps.deps;
  const saveAs = journal.keyAction?.saveAs;
  if (!saveAs) throw new KeydeskError({ code: 'INTERNAL', message: `The journal of ${staged.accessKeyId} does not say how to save it.` });
  const location = session.s3Location(saveAs.region);
  const record =
    vault.list().find((c) => c.accountId === journal.accountId && c.accessKeyId === staged.accessKeyId) ??
    (await vault.save({
      label: '',
      suggestedLabel: saveAs.suggestedLabel,
      ...location,
      trust: inheritTrust(accounts.get(journal.accountId).trust, location.endpoint),
      accessKeyId: staged.accessKeyId,
      secretAccessKey: staged.secretAccessKey,
      accountId: journal.accountId,
      owner: saveAs.owner,
    }));
  journal.credentialIds = [record.id];
  journal.credentialId = record.id;
  await steps.journals.save(journal);
  steps.deps.onCredentialsChanged?.([record.id]);
  return record;
}

/** Settles a keys-screen journal; `staged` is the secret it ended with, for a regenerate whose answer was lost. */
export async function settleKeyAction(steps: RotationSteps, journal: RotationJournal): Promise<{ result: RecoveryResult; staged?: StagedKey }> {
  const action = journal.keyAction!;
  const base = () => ({ rotationId: journal.id, credentialId: journal.credentialId, keyAction: action.action });
  try {
    const capabilities = steps.deps.accounts.get(journal.accountId).provider.capabilities;
    const session = await steps.deps.accounts.session(journal.accountId);
    let staged = await steps.staged(journal);
    if (!staged && action.action === 'regenerate' && journal.phase === 'started') staged = await findLostReset(steps, journal, session, capabilities);
    if (!staged) {
      // Nothing reached the keychain: nobody has a created key's secret, and it takes one of the provider's slots.
      if (action.action === 'create' && journal.phase === 'started') await steps.removeOrphan(journal, session, capabilities);
      await steps.cleanup(journal);
      return { result: { ...base(), outcome: journal.phase === 'started' ? 'rolled-back' : 'finished' } };
    }
    let savedAs: CredentialRecord | undefined;
    if (steps.users(journal).length === 0) savedAs = await saveStaged(steps, journal, staged, session);
    await steps.finishSwitch(journal, staged);
    await steps.cleanup(journal);
    return { result: { ...base(), outcome: 'finished', ...(savedAs && { savedAs: { id: savedAs.id, label: savedAs.label } }) }, staged };
  } catch (error) {
    return { result: { ...base(), outcome: 'failed', error: toErrorInfo(error) } };
  }
}

export async function recoverKeyAction(steps: RotationSteps, journal: RotationJournal): Promise<RecoveryResult> {
  return (await settleKeyAction(steps, journal)).result;
}

/**
 * A regenerate cut short before its answer reached the keychain. Where a credential held the key, or the
 * provider shows secrets again, rotation's `findResetSecret` finds out. Otherwise nothing can tell whether
 * the provider reset the secret, and if it did, nobody ever saw the new one: said plainly, once.
 */
async function findLostReset(steps: RotationSteps, journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<StagedKey | undefined> {
  const staged = await findResetSecret(steps, journal, session, capabilities);
  const held = steps.users(journal).some((id) => steps.deps.vault.get(id).accessKeyId === journal.oldAccessKeyId);
  if (staged || held || capabilities.canShowSecretAgain) return staged;
  await steps.cleanup(journal);
  throw new KeydeskError({
    code: 'NOT_FOUND',
    message: `Keydesk stopped while the provider was giving ${journal.oldAccessKeyId} a new secret, before the secret was shown or saved, and this provider cannot show secrets again. If the provider did reset it, that new secret is lost and the old one no longer works.`,
    hint: "If the key no longer works, regenerate it again from the account's keys and copy the secret it shows, or save it in Keydesk.",
  });
}
