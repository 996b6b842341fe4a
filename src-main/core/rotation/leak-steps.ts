import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import type { ProviderCapabilities, ProviderSession } from '../providers/adapter';
import type { S3Connection } from '../s3/client';
import { secretName } from '../vault/secret-store';
import type { LeakStop, RotationJournal } from './journal';
import { requireMethod, revokeKey, setKeyActive } from './provider-ops';
import { findResetSecret, type RecoveryResult } from './recovery';
import type { RotationSteps, StagedKey } from './steps';

/**
 * The steps of "Report leaked…", shared by a running report (leak.ts) and crash recovery: stop the key →
 * create its replacement → verify it → switch every saved credential → revoke old keys still pending for
 * it. Unlike a rotation it never rolls back (the leaked key is stopped first), so every step goes forward
 * and is safe to repeat: a crash anywhere ends, at the next start, with the replacement saved.
 */

export type LeakStep = 'stop' | 'create' | 'verify' | 'switch' | 'revoke-pending' | 'done' | 'failed';

export interface LeakProgress {
  leakId: string;
  accessKeyId: string;
  step: LeakStep;
  /** One line for the log the user can copy: key IDs and labels only, never a secret. */
  line: string;
  attempt?: number;
  error?: ErrorInfo;
}

export type Reporter = (step: LeakStep, line: string, extra?: Partial<LeakProgress>) => void;

export type StoppedAs = 'deactivated' | 'deleted' | 'owner-suspended' | 'reset';
export const STOPPED_AS: Record<LeakStop, StoppedAs> = { deactivate: 'deactivated', delete: 'deleted', 'suspend-owner': 'owner-suspended', reset: 'reset' };

const isMissing = (error: unknown) => error instanceof KeydeskError && error.code === 'NOT_FOUND';

/** Switches the leaked key off as chosen; a key already gone counts as stopped. A reset stops it in the create step. */
export async function stopLeaked(journal: RotationJournal, session: ProviderSession): Promise<void> {
  const { stop } = journal.leak!;
  try {
    if (stop === 'deactivate') await setKeyActive(session, journal.oldKeyId, false, journal.scope);
    else if (stop === 'delete') await requireMethod(session.deleteKey, 'delete keys').call(session, journal.oldKeyId, journal.scope);
    else if (stop === 'suspend-owner') await requireMethod(session.setOwnerSuspended, 'suspend users').call(session, journal.scope.owner!, true);
  } catch (error) {
    if (!isMissing(error) || stop === 'suspend-owner') throw error;
  }
}

/** Asks the provider for the replacement and stages its secret in the keychain before anything else. */
export async function createReplacement(steps: RotationSteps, journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<StagedKey> {
  const created = await steps.create(session, journal, { id: journal.oldKeyId, accessKeyId: journal.oldAccessKeyId, status: 'unknown' }, capabilities);
  await steps.deps.checkpoint?.('provider-answered', journal);
  const staged: StagedKey = { keyId: created.id, accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
  await steps.stage(journal, staged);
  journal.newKeyId = staged.keyId;
  journal.newAccessKeyId = staged.accessKeyId;
  await steps.advance(journal, 'created');
  return staged;
}

/** Where the replacement is used on S3: the settings of a credential that held the leaked key, else the provider's. */
export function replacementConnection(steps: RotationSteps, journal: RotationJournal, session: ProviderSession, staged: StagedKey): S3Connection {
  const holder = steps.users(journal).map((id) => steps.deps.vault.get(id))[0];
  const location = holder ?? { ...session.s3Location(journal.scope.region), checksums: 'when-required' as const };
  return { endpoint: location.endpoint, region: location.region, forcePathStyle: location.forcePathStyle, checksums: location.checksums, accessKeyId: staged.accessKeyId, secretAccessKey: staged.secretAccessKey };
}

/**
 * Proves the replacement on S3. It is kept even when it does not work in time: the leaked key is stopped,
 * so the new key is the only one there is; the answer says so.
 */
export async function verifyReplacement(steps: RotationSteps, connection: S3Connection, signal: AbortSignal | undefined, report: Reporter): Promise<ErrorInfo | undefined> {
  try {
    await steps.verify(connection, signal, (attempt) => report('verify', attempt === 1 ? `Checking ${connection.accessKeyId} on S3…` : `Checking ${connection.accessKeyId} on S3 (try ${attempt})…`, { attempt }));
    report('verify', `${connection.accessKeyId} works on S3.`);
    return undefined;
  } catch (error) {
    const info = toErrorInfo(error);
    const unverified: ErrorInfo = {
      ...info,
      message:
        info.code === 'CANCELLED'
          ? `Keydesk stopped waiting for ${connection.accessKeyId} to work; it is saved anyway, because the leaked key is already stopped.`
          : `The new key ${connection.accessKeyId} did not work on S3 in time (${info.message}); it is saved anyway, because the leaked key is already stopped.`,
      hint: 'Providers can take a few minutes to make a new key work everywhere: try it again shortly (Check now). If it still fails, rotate it.',
    };
    report('verify', unverified.message, { error: unverified });
    return unverified;
  }
}

/** Moves every saved credential to the replacement, or saves it as a new credential where none held the leaked key. */
export async function switchToReplacement(steps: RotationSteps, journal: RotationJournal, staged: StagedKey, session: ProviderSession): Promise<void> {
  const { vault } = steps.deps;
  const saveAs = journal.leak?.saveAs;
  if (saveAs && steps.users(journal).length === 0) {
    // A crash after the save but before the journal named it: the replacement is found by its key ID.
    const saved =
      vault.list().find((c) => c.accountId === journal.accountId && c.accessKeyId === staged.accessKeyId) ??
      (await vault.save({ label: '', suggestedLabel: saveAs.suggestedLabel, ...session.s3Location(journal.scope.region), accessKeyId: staged.accessKeyId, secretAccessKey: staged.secretAccessKey, accountId: journal.accountId, owner: journal.scope.owner }));
    journal.credentialIds = [saved.id];
    journal.credentialId = saved.id;
    await steps.journals.save(journal);
    steps.deps.onCredentialsChanged?.([saved.id]);
  }
  await steps.finishSwitch(journal, staged);
}

export interface PendingRevoked {
  revoked: string[];
  failed: { accessKeyId: string; error: ErrorInfo }[];
  ids: string[];
}

/**
 * Old keys still pending after an earlier rotation that involve the leaked key: one retiring (in its grace
 * period) is the leaked key, already stopped, so the entry just goes ("Restore old key" must never bring it
 * back); one the leaked key replaced is revoked now, since it shares the leaked key's places. A provider
 * failure leaves that entry due now, for the scheduler to retry.
 */
export async function revokePendingFor(steps: RotationSteps, journal: RotationJournal, session: ProviderSession, capabilities: ProviderCapabilities): Promise<PendingRevoked> {
  const leaked = journal.oldAccessKeyId;
  const entries = (await steps.pending.loadAll()).filter((p) => p.accountId === journal.accountId && p.id !== journal.id && (p.retiring.accessKeyId === leaked || p.keeping.accessKeyId === leaked));
  const result: PendingRevoked = { revoked: [], failed: [], ids: entries.map((e) => e.id) };
  for (const entry of entries) {
    try {
      if (entry.retiring.accessKeyId !== leaked) {
        await revokeKey(session, capabilities, entry.retiring.keyId, entry.scope);
        result.revoked.push(entry.retiring.accessKeyId);
      }
      for (const key of [entry.retiring, entry.keeping]) await steps.deps.secrets.delete(secretName.retiredKey(entry.id, key.accessKeyId));
      await steps.pending.remove(entry.id);
    } catch (error) {
      result.failed.push({ accessKeyId: entry.retiring.accessKeyId, error: toErrorInfo(error) });
      await steps.pending.save({ ...entry, dueAt: steps.iso(), usedAfterSwitch: undefined, restoring: undefined });
    }
  }
  return result;
}

/** Finishes a leak response cut short by a crash, forward from wherever it stopped. */
export async function recoverLeak(steps: RotationSteps, journal: RotationJournal): Promise<RecoveryResult> {
  const base = { rotationId: journal.id, credentialId: journal.credentialId };
  try {
    const capabilities = steps.deps.accounts.get(journal.accountId).provider.capabilities;
    const session = await steps.deps.accounts.session(journal.accountId);
    const leak = journal.leak!;
    if (journal.phase === 'started') {
      if (leak.stop !== 'reset') await stopLeaked(journal, session);
      await steps.advance(journal, 'stopped');
    }
    let staged = await steps.staged(journal);
    if (journal.phase === 'stopped' && leak.stop !== 'suspend-owner') {
      // A reset may have happened with its answer lost; a created key whose secret never reached the keychain is useless.
      if (!staged && journal.strategy === 'regenerate') staged = await findResetSecret(steps, journal, session, capabilities);
      if (!staged) {
        if (journal.strategy !== 'regenerate') await steps.removeOrphan(journal, session, capabilities);
        staged = await createReplacement(steps, journal, session, capabilities);
      }
      if (journal.phase === 'stopped') await steps.advance(journal, 'created');
    }
    if (journal.phase === 'created') {
      await verifyReplacement(steps, replacementConnection(steps, journal, session, staged!), undefined, () => {});
      await steps.advance(journal, 'verified');
    }
    if (journal.phase === 'verified') await switchToReplacement(steps, journal, staged!, session);
    if (journal.phase === 'switched' || (journal.phase === 'stopped' && leak.stop === 'suspend-owner')) {
      if (leak.stop !== 'suspend-owner') await revokePendingFor(steps, journal, session, capabilities);
      await steps.advance(journal, 'settled');
    }
    await steps.cleanup(journal);
    return { ...base, credentialId: journal.credentialId, outcome: 'finished', settled: { oldKey: leak.stop === 'delete' ? 'deleted' : leak.stop === 'reset' ? 'replaced' : 'deactivated' } };
  } catch (error) {
    return { ...base, outcome: 'failed', error: toErrorInfo(error) };
  }
}
