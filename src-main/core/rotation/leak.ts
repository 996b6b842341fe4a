import { randomUUID } from 'node:crypto';
import { KeydeskError, toErrorInfo, type ErrorInfo } from '../errors';
import type { AccessKeyInfo, KeyLastUse, ProviderCapabilities, ProviderSession } from '../providers/adapter';
import type { CredentialRecord } from '../vault/metadata-store';
import type { LeakStop, RotationJournal } from './journal';
import {
  createReplacement,
  replacementConnection,
  revokePendingFor,
  STOPPED_AS,
  stopLeaked,
  switchToReplacement,
  verifyReplacement,
  type LeakProgress,
  type Reporter,
  type StoppedAs,
} from './leak-steps';
import { keyLockId } from './locks';
import { lastUse } from './provider-ops';
import { recoverJournal } from './recovery';
import { RotationSteps, type RotationDeps } from './steps';

export type { LeakProgress, LeakStep, StoppedAs } from './leak-steps';
export type { LeakStop } from './journal';

/** The key reported: a saved credential's, or a key on an account's keys screen. */
export type LeakTarget = { credentialId: string } | { accountId: string; keyId: string; owner?: string; region?: string };

export interface LeakStopOption {
  stop: LeakStop;
  /** Why it cannot be chosen now (a deactivated key still takes one of the owner's key slots). */
  refused?: string;
}

/** What "Report leaked…" will do, shown before anything happens. */
export interface LeakPlan {
  accessKeyId: string;
  label: string;
  /** Keydesk cannot reach the key's provider (a pasted key, or one whose provider cannot make keys): what to do by hand. */
  manual?: ErrorInfo;
  providerName?: string;
  accountLabel?: string;
  owner?: string;
  endpoint?: string;
  stops: LeakStopOption[];
  defaultStop?: LeakStop;
  /** Saved credentials that move to the replacement; none: the replacement is saved as a new credential. */
  switches: { id: string; label: string }[];
  /** Saved credentials holding the same access key ID elsewhere (another endpoint): not switched. */
  elsewhere: { id: string; label: string }[];
  /** Old keys of earlier rotations revoked now (one the leaked key replaced, or the leaked key itself waiting). */
  pending: { id: string; accessKeyId: string }[];
  reportsLastUsed: boolean;
  lastUse?: KeyLastUse;
  /** Where the provider resets in place, whether a reset replaces the whole key pair. */
  resetReplacesKey?: boolean;
  /** An earlier report of this key was cut short: running it finishes that one. */
  resume?: boolean;
  /** What the provider calls deleting a key, where it is not "Delete" (GleSYS revokes). */
  deleteVerb?: ProviderCapabilities['deleteVerb'];
}

export interface LeakReportOptions {
  stop: LeakStop;
  /** Required for a stop that cannot be undone (delete, reset): the user confirmed it. */
  confirm?: boolean;
  signal?: AbortSignal;
}

export interface LeakResult {
  leakId: string;
  accessKeyId: string;
  endpoint?: string;
  stopped: StoppedAs;
  newAccessKeyId?: string;
  /** Saved credentials now on the replacement (for an unsaved key: the new credential it was saved as). */
  switched: { id: string; label: string }[];
  /** What Keydesk could not switch, each with why. */
  notSwitched: { what: string; why: string }[];
  /** Old keys of earlier rotations revoked now. */
  revokedPending: string[];
  lastUseBefore?: KeyLastUse;
  lastUseAfter?: KeyLastUse;
  /** The replacement did not work in time (kept anyway: the leaked key is stopped). */
  unverified?: ErrorInfo;
  log: string[];
}

export interface LeakDeps extends RotationDeps {
  onLeakProgress?(progress: LeakProgress): void;
  /** Pending revocations changed (some revoked or dropped): the scheduler and the UI refresh. */
  onPendingChanged?(ids: string[]): void;
}

interface Resolved {
  records: CredentialRecord[];
  accountId: string;
  account: ReturnType<RotationDeps['accounts']['get']>;
  session: ProviderSession;
  capabilities: ProviderCapabilities;
  regenerates: boolean;
  scope: { owner?: string; region?: string };
  keys: AccessKeyInfo[];
  key: AccessKeyInfo;
  label: string;
}

/**
 * "Report leaked…": stop the key now (no grace period), create and verify its replacement, switch every
 * saved credential (and so every credential_process profile, which reads the keychain) to it, and revoke
 * old keys an earlier rotation left pending for it. Journaled in the rotation journal (phase 'stopped'
 * added), so a crash anywhere finishes forward at the next start; see leak-steps.ts.
 */
export class LeakResponse {
  private readonly steps: RotationSteps;
  private readonly running = new Map<string, AbortController>();
  /** Secrets of keys reported leaked in this session, by access key ID: the plain-text scan compares them too. Memory only. */
  private readonly leakedSecrets = new Map<string, string>();

  constructor(private readonly deps: LeakDeps) {
    this.steps = new RotationSteps(deps);
  }

  /** The secret of a key reported leaked since Keydesk started, for the scan of its plain-text copies. */
  leakedSecret(accessKeyId: string): string | undefined {
    return this.leakedSecrets.get(accessKeyId);
  }

  /** Stops waiting for the replacement of this key to work (it is then saved unverified). */
  cancel(accessKeyId: string): boolean {
    const controller = this.running.get(accessKeyId);
    controller?.abort();
    return !!controller;
  }

  async plan(target: LeakTarget): Promise<LeakPlan> {
    const manual = this.manualPlan(target);
    if (manual) return manual;
    const unfinished = await this.unfinished(target);
    if (unfinished) {
      return {
        accessKeyId: unfinished.oldAccessKeyId,
        label: unfinished.label,
        providerName: this.deps.accounts.get(unfinished.accountId).provider.name,
        owner: unfinished.scope.owner,
        stops: [{ stop: unfinished.leak!.stop }],
        defaultStop: unfinished.leak!.stop,
        switches: this.steps.users(unfinished).map((id) => ({ id, label: this.deps.vault.get(id).label })),
        elsewhere: [],
        pending: [],
        reportsLastUsed: false,
        resume: true,
      };
    }
    const r = await this.resolve(target);
    const used = await lastUse(r.session, r.capabilities, { keyId: r.key.id, accessKeyId: r.key.accessKeyId }, r.scope).catch(() => undefined);
    const stops = this.stopOptions(r);
    const pending = (await this.steps.pending.loadAll()).filter(
      (p) => p.accountId === r.accountId && (p.retiring.accessKeyId === r.key.accessKeyId || p.keeping.accessKeyId === r.key.accessKeyId),
    );
    return {
      accessKeyId: r.key.accessKeyId,
      label: r.label,
      providerName: r.account.provider.name,
      accountLabel: r.account.label,
      owner: r.scope.owner,
      endpoint: r.records[0]?.endpoint ?? r.session.s3Location(r.scope.region).endpoint,
      stops,
      defaultStop: stops.find((s) => !s.refused)?.stop,
      switches: r.records.map((c) => ({ id: c.id, label: c.label })),
      elsewhere: this.elsewhere(r.key.accessKeyId, r.records),
      pending: pending.map((p) => ({ id: p.id, accessKeyId: p.retiring.accessKeyId === r.key.accessKeyId ? p.keeping.accessKeyId : p.retiring.accessKeyId })),
      reportsLastUsed: r.capabilities.reportsLastUsed,
      lastUse: used,
      resetReplacesKey: r.regenerates ? !!r.capabilities.resetReplacesKey : undefined,
      deleteVerb: r.capabilities.deleteVerb,
    };
  }

  async report(target: LeakTarget, options: LeakReportOptions): Promise<LeakResult> {
    const manual = this.manualPlan(target);
    if (manual) throw new KeydeskError(manual.manual!);
    const unfinished = await this.unfinished(target);
    if (unfinished) {
      return this.steps.locks.with([...unfinished.credentialIds, keyLockId(unfinished.accountId, unfinished.oldAccessKeyId)], async () => {
        const recovered = await recoverJournal(this.steps, unfinished);
        if (recovered.outcome === 'failed') throw new KeydeskError(recovered.error ?? { code: 'INTERNAL', message: 'The interrupted report of this key could not be finished.' });
        return this.resultOf(unfinished, [`Finished the report of ${unfinished.oldAccessKeyId} that Keydesk was interrupted in.`]);
      });
    }
    const r = await this.resolve(target);
    const option = this.stopOptions(r).find((o) => o.stop === options.stop);
    if (!option) throw new KeydeskError({ code: 'INVALID_INPUT', provider: r.account.provider.name, message: `${r.account.provider.name} cannot ${STOP_TEXT[options.stop]} this key.` });
    if (option.refused) throw new KeydeskError({ code: 'LIMIT_REACHED', provider: r.account.provider.name, message: option.refused, hint: 'Choose “Delete”, or delete another unused key of this owner first.' });
    if ((options.stop === 'delete' || options.stop === 'reset') && !options.confirm) {
      throw new KeydeskError({
        code: 'CONFLICT',
        providerCode: 'ConfirmationRequired',
        message: `${r.account.provider.name} cannot switch this key off and on again: Keydesk ${options.stop === 'delete' ? 'deletes' : 'resets'} ${r.key.accessKeyId}, which cannot be undone.`,
        hint: 'Confirm to go ahead.',
      });
    }
    const lockIds = [...r.records.map((c) => c.id), keyLockId(r.accountId, r.key.accessKeyId)];
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    this.running.set(r.key.accessKeyId, controller);
    try {
      return await this.steps.locks.with(lockIds, async () => {
        // A leak report or rotation of this key cut short earlier is finished first.
        for (const journal of (await this.steps.journals.loadAll()).filter((j) => j.oldAccessKeyId === r.key.accessKeyId || j.credentialIds.some((id) => lockIds.includes(id)))) {
          const recovered = await recoverJournal(this.steps, journal);
          if (recovered.outcome === 'failed') throw new KeydeskError(recovered.error ?? { code: 'INTERNAL', message: 'An earlier rotation of this key could not be finished.' });
          if (journal.leak && journal.oldAccessKeyId === r.key.accessKeyId) return this.resultOf(journal, [`Finished the report of ${r.key.accessKeyId} that Keydesk was interrupted in.`]);
        }
        return await this.run(r, options.stop, signal);
      });
    } finally {
      if (this.running.get(r.key.accessKeyId) === controller) this.running.delete(r.key.accessKeyId);
    }
  }

  private async run(r: Resolved, stop: LeakStop, signal: AbortSignal): Promise<LeakResult> {
    const { steps } = this;
    const log: string[] = [];
    const now = steps.iso();
    const journal: RotationJournal = {
      id: randomUUID(),
      credentialId: r.records[0]?.id ?? '',
      label: r.label,
      credentialIds: r.records.map((c) => c.id),
      accountId: r.accountId,
      scope: r.scope,
      strategy: stop === 'reset' ? 'regenerate' : r.capabilities.rotation === 'two-slot' ? 'two-slot' : 'create-then-delete',
      oldKey: { kind: 'delete' },
      oldKeyId: r.key.id,
      oldAccessKeyId: r.key.accessKeyId,
      keysBefore: r.keys.map((k) => k.id),
      previousRotatedAt: Object.fromEntries(r.records.map((c) => [c.id, c.rotatedAt ?? null])),
      phase: 'started',
      leak: { stop, saveAs: r.records.length ? undefined : { suggestedLabel: `${r.account.label}: replacement for ${r.key.accessKeyId}` } },
      startedAt: now,
      updatedAt: now,
    };
    const report: Reporter = (step, line, extra = {}) => {
      log.push(`${new Date(steps.clock.now()).toISOString().slice(11, 19)} ${line}`);
      this.deps.onLeakProgress?.({ leakId: journal.id, accessKeyId: r.key.accessKeyId, step, line, ...extra });
    };
    const ref = { keyId: r.key.id, accessKeyId: r.key.accessKeyId };
    // Read before the switch replaces it, so the scan afterwards finds the leaked secret written without its ID.
    if (r.records[0]) {
      const secret = await this.deps.vault.connection(r.records[0].id).then((c) => c.secretAccessKey).catch(() => undefined);
      if (secret) this.leakedSecrets.set(r.key.accessKeyId, secret);
    }
    try {
      const before = await lastUse(r.session, r.capabilities, ref, r.scope).catch(() => undefined);
      journal.leak!.lastUseBefore = before;
      if (r.capabilities.reportsLastUsed) report('stop', `${r.account.provider.name} reports ${r.key.accessKeyId} last used: ${describeUse(before)}.`);
      // Written before the provider is asked: a crash from here on finishes forward.
      await steps.advance(journal, 'started');
      const deleteVerb = r.capabilities.deleteVerb ?? 'Delete';
      report('stop', `${STOP_LINE[stop](r.key.accessKeyId, r.scope.owner, deleteVerb)}…`);
      if (stop !== 'reset') await stopLeaked(journal, r.session);
      await steps.advance(journal, 'stopped');
      const stoppedAs = stop === 'delete' ? `${deleteVerb.toLowerCase()}d` : STOPPED_AS[stop];
      if (stop !== 'reset') report('stop', `${r.key.accessKeyId} is ${stoppedAs === 'owner-suspended' ? `stopped: ${r.scope.owner} is suspended` : stoppedAs}.`);
      const after = stop === 'reset' ? undefined : await lastUse(r.session, r.capabilities, ref, r.scope).catch(() => undefined);
      if (r.capabilities.reportsLastUsed && stop !== 'reset') report('stop', `After stopping, ${r.account.provider.name} reports it last used: ${describeUse(after)}.`);

      if (stop === 'suspend-owner') {
        await steps.advance(journal, 'settled');
        await steps.cleanup(journal);
        report('done', 'No replacement was made: every key of a suspended user stops working.');
        return this.finish(journal, r, { stopped: 'owner-suspended', log, before, after, revokedPending: [], notSwitched: r.records.map((c) => ({ what: c.label, why: `${r.scope.owner} is suspended: resume the user on the keys screen, then rotate this key.` })) });
      }

      report('create', stop === 'reset' ? `Resetting ${r.key.accessKeyId} (its old secret stops now)…` : `Creating a replacement key${r.scope.owner ? ` for ${r.scope.owner}` : ''}…`);
      const staged = await createReplacement(steps, journal, r.session, r.capabilities);
      report('create', `Created ${staged.accessKeyId}; its secret is in the keychain.`);
      const unverified = await verifyReplacement(steps, replacementConnection(steps, journal, r.session, staged), signal, report);
      await steps.advance(journal, 'verified');

      report('switch', journal.credentialIds.length ? `Switching ${journal.credentialIds.length === 1 ? 'the saved credential' : `${journal.credentialIds.length} saved credentials`} to ${staged.accessKeyId}…` : 'No saved credential held the key: saving the replacement as a new credential…');
      await switchToReplacement(steps, journal, staged, r.session);
      for (const id of steps.users(journal)) report('switch', `Switched “${this.deps.vault.get(id).label}” (and its credential_process profile).`);

      report('revoke-pending', 'Looking for old keys an earlier rotation left waiting…');
      const pending = await revokePendingFor(steps, journal, r.session, r.capabilities);
      if (pending.ids.length) this.deps.onPendingChanged?.(pending.ids);
      for (const id of pending.revoked) report('revoke-pending', `Revoked ${id}, the key ${r.key.accessKeyId} had replaced.`);
      if (!pending.ids.length) report('revoke-pending', 'None.');
      await steps.advance(journal, 'settled');
      await steps.cleanup(journal);
      const notSwitched = pending.failed.map((f) => ({ what: `Old key ${f.accessKeyId}`, why: `could not be revoked yet (${f.error.message}); Keydesk keeps trying.` }));
      report('done', `Done: ${r.key.accessKeyId} is ${stoppedAs}, ${staged.accessKeyId} replaces it.`);
      return this.finish(journal, r, { stopped: STOPPED_AS[stop], newAccessKeyId: staged.accessKeyId, unverified, log, before, after, revokedPending: pending.revoked, notSwitched });
    } catch (error) {
      const info = toErrorInfo(error);
      const journaled = !!(await steps.journals.get(journal.id).catch(() => undefined));
      const message = journaled ? `${info.message} Keydesk finishes this at its next start, or when you report the key again.` : info.message;
      report('failed', message, { error: { ...info, message } });
      if (!(error instanceof KeydeskError)) throw error;
      throw new KeydeskError({ ...info, message }, { cause: error });
    }
  }

  private finish(
    journal: RotationJournal,
    r: Resolved,
    parts: Pick<LeakResult, 'stopped' | 'newAccessKeyId' | 'unverified' | 'log' | 'revokedPending' | 'notSwitched'> & { before?: KeyLastUse; after?: KeyLastUse },
  ): LeakResult {
    const switched = parts.stopped === 'owner-suspended' ? [] : this.steps.users(journal).map((id) => ({ id, label: this.deps.vault.get(id).label }));
    const elsewhere = this.elsewhere(journal.oldAccessKeyId, [...switched, ...r.records]).map((c) => ({ what: c.label, why: `holds ${journal.oldAccessKeyId} for another endpoint; check it and update it by hand.` }));
    if (switched.length) this.deps.onCredentialsChanged?.(switched.map((c) => c.id));
    return {
      leakId: journal.id,
      accessKeyId: journal.oldAccessKeyId,
      endpoint: r.records[0]?.endpoint ?? r.session.s3Location(r.scope.region).endpoint,
      stopped: parts.stopped,
      newAccessKeyId: parts.newAccessKeyId,
      switched,
      notSwitched: [...parts.notSwitched, ...(parts.unverified ? [{ what: `New key ${parts.newAccessKeyId}`, why: parts.unverified.message }] : []), ...elsewhere],
      revokedPending: parts.revokedPending,
      lastUseBefore: parts.before,
      lastUseAfter: parts.after,
      unverified: parts.unverified,
      log: parts.log,
    };
  }

  private resultOf(journal: RotationJournal, log: string[]): LeakResult {
    const switched = this.steps.users(journal).map((id) => ({ id, label: this.deps.vault.get(id).label }));
    return {
      leakId: journal.id,
      accessKeyId: journal.oldAccessKeyId,
      stopped: STOPPED_AS[journal.leak!.stop],
      newAccessKeyId: journal.newAccessKeyId,
      switched,
      notSwitched: [],
      revokedPending: [],
      lastUseBefore: journal.leak!.lastUseBefore,
      log,
    };
  }

  /** A report of this key that a crash cut short (the leaked key may be gone already): it is finished, not started again. */
  private async unfinished(target: LeakTarget): Promise<RotationJournal | undefined> {
    const journals = (await this.steps.journals.loadAll()).filter((j) => j.leak);
    if ('credentialId' in target) return journals.find((j) => j.credentialIds.includes(target.credentialId));
    return journals.find((j) => j.accountId === target.accountId && j.oldKeyId === target.keyId);
  }

  /** A pasted key (no provider account) or a provider without a key API: Keydesk can only guide and scan. */
  private manualPlan(target: LeakTarget): LeakPlan | undefined {
    if (!('credentialId' in target)) return undefined;
    const record = this.deps.vault.get(target.credentialId);
    let reason: string | undefined;
    if (!record.accountId) reason = `“${record.label}” is not linked to a provider account, so Keydesk cannot stop it or make its replacement.`;
    else if (this.deps.accounts.get(record.accountId).provider.capabilities.rotation === 'none') reason = `${this.deps.accounts.get(record.accountId).provider.name} offers no API to create keys, so Keydesk cannot make the replacement.`;
    if (!reason) return undefined;
    return {
      accessKeyId: record.accessKeyId,
      label: record.label,
      endpoint: record.endpoint,
      manual: {
        code: 'UNSUPPORTED',
        message: reason,
        hint: "In the provider's console: deactivate or delete the key now, create a new one, then add it here (Credentials → Add) and remove this one. Keydesk can still find the key's plain-text copies on this computer.",
      },
      stops: [],
      switches: [{ id: record.id, label: record.label }],
      elsewhere: [],
      pending: [],
      reportsLastUsed: false,
    };
  }

  private async resolve(target: LeakTarget): Promise<Resolved> {
    const { vault, accounts } = this.deps;
    const record = 'credentialId' in target ? vault.get(target.credentialId) : undefined;
    const accountId = record?.accountId ?? (target as { accountId: string }).accountId;
    const account = accounts.get(accountId);
    const capabilities = account.provider.capabilities;
    const session = await accounts.session(accountId);
    const owner = record ? record.owner : 'owner' in target ? target.owner : undefined;
    const region = record ? record.region : 'region' in target ? target.region : undefined;
    const scope = { owner, region: capabilities.hasRegions ? region : undefined };
    const keys = await session.listKeys(scope);
    const key = keys.find((k) => (record ? k.accessKeyId === record.accessKeyId : k.id === (target as { keyId: string }).keyId));
    if (!key) {
      throw new KeydeskError({
        code: 'NOT_FOUND',
        provider: account.provider.name,
        message: `${account.provider.name} does not list the key ${record?.accessKeyId ?? (target as { keyId: string }).keyId}${owner ? ` for ${owner}` : ''} any more.`,
        hint: 'If it was deleted, it cannot be used any more; Keydesk can still find its plain-text copies on this computer.',
      });
    }
    const records = record ? vault.holding(record) : vault.list().filter((c) => c.accountId === accountId && c.accessKeyId === key.accessKeyId);
    const regenerates = (session.rotation && session.rotation !== 'none' ? session.rotation : capabilities.rotation) === 'regenerate';
    return { records, accountId, account, session, capabilities, regenerates, scope: { owner: key.owner ?? owner, region: scope.region }, keys, key, label: record?.label ?? records[0]?.label ?? key.accessKeyId };
  }

  /** What the provider can do to stop the key, the undoable first; never decided by provider ID. */
  private stopOptions(r: Resolved): LeakStopOption[] {
    const { capabilities, session } = r;
    const options: LeakStopOption[] = [];
    if (r.regenerates) options.push({ stop: 'reset' });
    else {
      const limit = session.limits?.maxKeysPerOwner ?? capabilities.maxKeysPerOwner;
      const full = limit !== undefined && r.keys.length >= limit;
      if (capabilities.canDeactivate && session.setKeyActive) {
        options.push({
          stop: 'deactivate',
          refused: full ? `This ${capabilities.limitScope ?? 'user'} has ${r.keys.length} keys, the most ${r.account.provider.name} allows, and a deactivated key still counts: there is no room for the replacement.` : undefined,
        });
      }
      if (capabilities.canDelete && session.deleteKey) options.push({ stop: 'delete' });
    }
    if (capabilities.canSuspendOwner && session.setOwnerSuspended && r.scope.owner) options.push({ stop: 'suspend-owner' });
    return options;
  }

  private elsewhere(accessKeyId: string, switched: { id: string }[]): { id: string; label: string }[] {
    const ids = new Set(switched.map((c) => c.id));
    return this.deps.vault
      .list()
      .filter((c) => c.accessKeyId === accessKeyId && !ids.has(c.id))
      .map((c) => ({ id: c.id, label: c.label }));
  }
}

const STOP_TEXT: Record<LeakStop, string> = { deactivate: 'deactivate', delete: 'delete', 'suspend-owner': 'suspend the user of', reset: 'reset' };

/** The provider's own word for deleting a key ("Revoke" on GleSYS) names the step in the log too. */
const STOP_LINE: Record<LeakStop, (id: string, owner: string | undefined, deleteVerb: string) => string> = {
  deactivate: (id) => `Deactivating ${id}`,
  delete: (id, _owner, deleteVerb) => `${deleteVerb.slice(0, -1)}ing ${id}`,
  'suspend-owner': (id, owner) => `Suspending ${owner}, which stops ${id} and every other key of that user`,
  reset: (id) => `Resetting ${id}`,
};

export function describeUse(use: KeyLastUse | undefined): string {
  if (!use) return 'never (or not reported)';
  const where = [use.service, use.region].filter(Boolean).join(' in ');
  return `${new Date(use.at).toISOString().slice(0, 16).replace('T', ' ')} UTC${where ? ` (${where})` : ''}`;
}
