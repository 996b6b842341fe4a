import { randomUUID } from 'node:crypto';
import { KeydeskError, isKeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import type { CreateKeyOptions, KeyScope, NewAccessKey, ProviderSession } from '../providers/adapter';
import { log, registerSecret } from '../redact';
import type { CredentialRecord } from '../vault/metadata-store';
import { saveStaged, settleKeyAction } from './key-action-steps';
import type { KeyActionJournal, KeySaveAs, RotationJournal } from './journal';
import { keyLockId } from './locks';
import { requireMethod } from './provider-ops';
import { recoverJournal } from './recovery';
import { RotationSteps, type RotationDeps, type StagedKey } from './steps';

export interface RegenerateRequest {
  accountId: string;
  scope: KeyScope;
  /** The key as the provider listed it just before (a reset that replaces the pair changes its access key ID). */
  key: { id: string; accessKeyId: string };
  keysBefore: string[];
  /** Saved credentials holding the key: all of them get the new secret. */
  holders: CredentialRecord[];
  graceMinutes?: number;
  /** Where no credential holds the key and Keydesk stops before the secret was shown: saved like this at the next start. */
  saveAs: KeySaveAs;
}

export interface CreateRequest {
  accountId: string;
  options: CreateKeyOptions;
  keysBefore: string[];
  /** How to save the new key ("save in keychain"), from what the provider answered; none: shown once, never saved. */
  saveAs?: (created: NewAccessKey) => KeySaveAs;
}

export interface KeyActionResult {
  key: NewAccessKey;
  /** Saved credentials that now hold the new secret (for create: the one it was saved as). */
  saved: CredentialRecord[];
  saveError?: ErrorInfo;
}

/**
 * The keys screen's "Regenerate secret"/"Reset key" and "Create key", journaled with the rotations so a
 * crash at any instant leaves a working key: the journal is written before the provider is asked, the new
 * secret is staged in the keychain as soon as it arrives, then saved credentials take it; at the next start
 * `recoverRotations` finishes what was cut short (key-action-steps.ts). The secret is still shown once.
 */
export class KeyActions {
  private readonly steps: RotationSteps;

  constructor(deps: RotationDeps) {
    this.steps = new RotationSteps(deps);
  }

  async regenerate(session: ProviderSession, request: RegenerateRequest): Promise<KeyActionResult> {
    const { steps } = this;
    const regenerate = requireMethod(session.regenerateSecret, 'regenerate secrets');
    const holderIds = request.holders.map((c) => c.id);
    // The same locks as a rotation or leak report of this key: never two changes of one key at once.
    return steps.locks.with([...holderIds, keyLockId(request.accountId, request.key.accessKeyId)], async () => {
      await this.finishEarlier(request.accountId, request.key.accessKeyId, holderIds);
      const journal = this.journal(request.accountId, request.scope, request.keysBefore, { action: 'regenerate', saveAs: request.saveAs }, {
        label: request.holders[0]?.label ?? request.saveAs.suggestedLabel,
        credentialIds: holderIds,
        oldKeyId: request.key.id,
        oldAccessKeyId: request.key.accessKeyId,
        strategy: 'regenerate',
      });
      await steps.advance(journal, 'started');
      let created: NewAccessKey;
      try {
        created = await regenerate.call(session, request.key.id, { ...request.scope, graceMinutes: request.graceMinutes });
      } catch (error) {
        return this.regenerateFailed(journal, error);
      }
      registerSecret(created.secretAccessKey);
      // The provider answered; its secret exists only in this process until it is staged.
      await steps.deps.checkpoint?.('provider-answered', journal);
      const staged = await this.stage(journal, created, 'The saved credentials still hold the old secret: copy the new one now and paste it into them.');
      if ('key' in staged) return staged;
      journal.newKeyId = staged.keyId;
      journal.newAccessKeyId = staged.accessKeyId;
      await steps.advance(journal, 'created');
      try {
        await steps.finishSwitch(journal, staged);
      } catch (error) {
        // Every credential switched, and what failed came after: not a keychain problem.
        if (journal.phase === 'switched') throw error;
        // The journal stays at 'created': the next start gives every holder the staged secret.
        return { key: created, saved: await this.holding(journal, staged), saveError: notSaved(error, 'Keydesk gives the saved credentials the new secret at the next start, once the keychain works.') };
      }
      await this.end(journal);
      return { key: created, saved: await this.holding(journal, staged) };
    });
  }

  async create(session: ProviderSession, request: CreateRequest): Promise<KeyActionResult> {
    const { steps } = this;
    const scope = { owner: request.options.owner, region: request.options.region };
    const journal = this.journal(request.accountId, scope, request.keysBefore, { action: 'create' }, { label: 'new key', credentialIds: [], oldKeyId: '', oldAccessKeyId: '', strategy: 'create-then-delete' });
    await steps.advance(journal, 'started');
    let created: NewAccessKey;
    try {
      created = await session.createKey(request.options);
    } catch (error) {
      // A key created just before the failure is removed; if even that fails, the next start tries again.
      await this.recover(journal).catch(() => undefined);
      throw error;
    }
    registerSecret(created.secretAccessKey);
    await steps.deps.checkpoint?.('provider-answered', journal);
    if (!request.saveAs) {
      await this.drop(journal);
      return { key: created, saved: [] };
    }
    journal.keyAction!.saveAs = request.saveAs(created);
    journal.newKeyId = created.id;
    journal.newAccessKeyId = created.accessKeyId;
    const staged = await this.stage(journal, created, 'Copy the secret now: it is shown only once.');
    if ('key' in staged) return staged;
    await steps.advance(journal, 'created');
    let record: CredentialRecord;
    try {
      record = await saveStaged(steps, journal, staged, session);
    } catch (error) {
      // The journal stays at 'created': the next start saves the staged key.
      return { key: created, saved: [], saveError: notSaved(error, 'The secret is kept in the keychain: Keydesk saves the key at the next start.') };
    }
    await steps.advance(journal, 'switched');
    await this.end(journal);
    return { key: created, saved: [record] };
  }

  /** A regenerate or rotation of this key that a crash cut short is settled first, so two never overlap. */
  private async finishEarlier(accountId: string, accessKeyId: string, holderIds: string[]): Promise<void> {
    const earlier = (await this.steps.journals.loadAll()).filter((j) => j.accountId === accountId && (j.oldAccessKeyId === accessKeyId || j.credentialIds.some((id) => holderIds.includes(id))));
    for (const journal of earlier) {
      const recovered = await recoverJournal(this.steps, journal);
      if (recovered.outcome === 'failed') throw new KeydeskError(recovered.error ?? { code: 'INTERNAL', message: 'An earlier change of this key could not be finished.' });
    }
  }

  /**
   * The provider did not answer with a secret. It may still have reset it (an answer lost on the way back):
   * where a saved credential held the key, recovery finds out now so it is not left with a dead secret.
   */
  private async regenerateFailed(journal: RotationJournal, error: unknown): Promise<KeyActionResult> {
    if (!journal.credentialIds.length) {
      await this.drop(journal);
      throw error;
    }
    const { result, staged } = await settleKeyAction(this.steps, journal);
    if (result.outcome === 'failed') throw new KeydeskError(result.error!, { cause: error });
    if (result.outcome !== 'finished' || !staged) throw error;
    return { key: { id: staged.keyId, accessKeyId: staged.accessKeyId, secretAccessKey: staged.secretAccessKey, status: 'unknown' }, saved: await this.holding(journal, staged) };
  }

  private async recover(journal: RotationJournal): Promise<void> {
    const { result } = await settleKeyAction(this.steps, journal);
    if (result.outcome === 'failed') throw new KeydeskError(result.error!);
  }

  /** The journal's credentials that hold the staged secret (a reset in place keeps the key ID: the secret tells). */
  private async holding(journal: RotationJournal, staged: StagedKey): Promise<CredentialRecord[]> {
    const held: CredentialRecord[] = [];
    for (const id of this.steps.users(journal)) {
      const { accessKeyId, secretAccessKey } = await this.steps.deps.vault.connection(id).catch(() => ({ accessKeyId: '', secretAccessKey: '' }));
      if (accessKeyId === staged.accessKeyId && secretAccessKey === staged.secretAccessKey) held.push(this.steps.deps.vault.get(id));
    }
    return held;
  }

  /** Stages the new secret; where the keychain refuses, the journal ends and the secret is shown once with `then`. */
  private async stage(journal: RotationJournal, created: NewAccessKey, then: string): Promise<StagedKey | KeyActionResult> {
    const staged: StagedKey = { keyId: created.id, accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
    try {
      await this.steps.stage(journal, staged);
      return staged;
    } catch (error) {
      await this.drop(journal);
      return { key: created, saved: [], saveError: notSaved(error, then) };
    }
  }

  /** Ends a journal whose secret never reached the keychain: the user still sees it once, whatever the disk says. */
  private async drop(journal: RotationJournal): Promise<void> {
    await this.steps.journals.remove(journal.id).catch(() => undefined);
  }

  /** Ends a finished journal; if the keychain or disk refuses, the next start ends it (every step there is a no-op by then). */
  private async end(journal: RotationJournal): Promise<void> {
    await this.steps.cleanup(journal).catch(() => undefined);
  }

  private journal(
    accountId: string,
    scope: KeyScope,
    keysBefore: string[],
    keyAction: KeyActionJournal,
    fields: Pick<RotationJournal, 'label' | 'credentialIds' | 'oldKeyId' | 'oldAccessKeyId' | 'strategy'>,
  ): RotationJournal {
    const now = this.steps.iso();
    return {
      id: randomUUID(),
      credentialId: fields.credentialIds[0] ?? '',
      accountId,
      scope,
      oldKey: { kind: 'replace' },
      keysBefore,
      previousRotatedAt: {},
      phase: 'started',
      keyAction,
      startedAt: now,
      updatedAt: now,
      ...fields,
    };
  }
}

function notSaved(error: unknown, then: string): ErrorInfo {
  if (!isKeydeskError(error)) log.warn(`saving a new secret failed: ${error instanceof Error ? error.message : String(error)}`);
  const info = toErrorInfo(error);
  return { ...info, message: `${info.message} ${then}` };
}
