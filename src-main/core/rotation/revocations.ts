import { systemClock, type Clock } from '../clock';
import { KeydeskError, toErrorInfo } from '../errors';
import type { ProviderCapabilities, ProviderSession } from '../providers/adapter';
import { secretName } from '../vault/secret-store';
import { RotationLocks } from './locks';
import { PendingRevocationStore, type PendingRevocation } from './pending';
import { GRACE_DAYS } from './plan';
import { lastUsedAt, readableTime, revokeKey, setKeyActive, usedAfterSwitch, usedAfterSwitchError } from './provider-ops';
import { DAY_MS, retryDelayMs, type RotationBase } from './steps';

/** A pending revocation as the UI and tray show it: the record plus what can be done with it. */
export interface PendingSummary extends PendingRevocation {
  providerName?: string;
  /** The provider account was removed: Keydesk cannot reach the old key any more. */
  accountMissing: boolean;
  reportsLastUsed: boolean;
  /** What "Revoke now" does to the old key. */
  revokeAction: 'delete' | 'deactivate';
  canExtend: boolean;
  canRestore: boolean;
}

export interface RevocationNotice {
  id: string;
  /** 'recovered': work a crash cut short was finished at start and the user should know how (recovery.ts). */
  kind: 'revoked' | 'deactivated' | 'refused' | 'failed' | 'recovered';
  title: string;
  body: string;
}

export interface RevokeOutcome {
  id: string;
  /** What happened to the old key; 'deactivated' from "Revoke now" only where the provider cannot delete. */
  oldKey: 'deleted' | 'deactivated';
}

export interface RevocationDeps extends RotationBase {
  /** Pending revocations were added, changed or removed. */
  onChanged?(ids: string[]): void;
  onNotice?(notice: RevocationNotice): void;
}

/** The scheduler never sleeps longer than this, so a suspended laptop or a changed clock is noticed soon. */
const MAX_WAIT_MS = 60 * 60_000;
/** Work that found its credentials busy (a rotation running) is tried again after this. */
const BUSY_RETRY_MS = 30_000;

/**
 * Old keys still alive after a rotation, and the scheduler that revokes them when due — also after Keydesk
 * was closed: `start()` runs overdue ones first. Before an old key is revoked, a provider that records
 * last use is asked whether something used it after the switch; if so the key is left alone (an automatic
 * revoke stays pending and is flagged, "Revoke now" needs `force`). "Extend" moves the due date; "Restore
 * old key" switches the credentials back, and the new key becomes the one waiting to be revoked.
 */
export class RevocationService {
  readonly store: PendingRevocationStore;
  private readonly clock: Clock;
  private readonly locks: RotationLocks;
  private cancelTimer?: () => void;
  private started = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RevocationDeps) {
    this.store = new PendingRevocationStore(deps.stateDir);
    this.clock = deps.clock ?? systemClock;
    this.locks = deps.locks ?? new RotationLocks();
  }

  async list(): Promise<PendingSummary[]> {
    return Promise.all((await this.store.loadAll()).map((entry) => this.summarize(entry)));
  }

  async get(id: string): Promise<PendingSummary> {
    return this.summarize(await this.load(id));
  }

  /** Asks the provider now when the old key was last used (reportsLastUsed only). */
  async lastUsed(id: string): Promise<{ lastUsedAt?: string; usedAfterSwitch: boolean }> {
    const entry = await this.load(id);
    const { session, capabilities } = await this.open(entry);
    const used = await lastUsedAt(session, capabilities, entry.retiring, entry.scope);
    return { lastUsedAt: used, usedAfterSwitch: usedAfterSwitch(used, entry.switchedAt) };
  }

  /** Revokes the old key now; refused when it was used after the switch, unless `force` ("Revoke anyway"). */
  async revokeNow(id: string, options: { force?: boolean } = {}): Promise<RevokeOutcome> {
    return this.exclusive(id, async (entry) => {
      const { session, capabilities } = await this.open(entry);
      if (entry.state === 'active' && !entry.providerEnforced && !options.force) await this.refuseIfUsed(entry, session, capabilities);
      const oldKey = await revokeKey(session, capabilities, entry.retiring.keyId, entry.scope);
      await this.finish(entry);
      return { id, oldKey };
    });
  }

  /** Moves the due date `days` further (from now, if it already passed) and clears a refusal, so the check runs again then. */
  async extend(id: string, days: number): Promise<PendingSummary> {
    if (!(Number.isInteger(days) && days >= 1 && days <= GRACE_DAYS.max)) {
      throw new KeydeskError({ code: 'INVALID_INPUT', message: `Extend by 1 to ${GRACE_DAYS.max} whole days.` });
    }
    return this.exclusive(id, async (entry) => {
      if (entry.providerEnforced) throw providerEnforcedError(entry, 'extended');
      const from = Math.max(Date.parse(entry.dueAt), this.clock.now());
      const next = clearProblems({ ...entry, dueAt: new Date(from + days * DAY_MS).toISOString() });
      await this.store.save(next);
      this.changed(id);
      this.reschedule();
      return this.get(id);
    });
  }

  /** Switches the saved credentials back to the old key (reactivating it first); the new key then waits out a fresh grace period. */
  async restore(id: string): Promise<PendingSummary> {
    return this.exclusive(id, async (entry) => {
      if (entry.providerEnforced) throw providerEnforcedError(entry, 'restored');
      if (!(await this.deps.secrets.get(secretName.retiredKey(entry.id, entry.retiring.accessKeyId)))) {
        throw new KeydeskError({ code: 'NOT_FOUND', message: `The secret of the old key ${entry.retiring.accessKeyId} is no longer in the OS keychain, so Keydesk cannot switch back to it.` });
      }
      await this.store.save({ ...entry, restoring: true });
      await this.finishRestore({ ...entry, restoring: true });
      this.reschedule();
      return this.get(id);
    });
  }

  /** Forgets an entry whose provider account was removed (nothing left to revoke from Keydesk). */
  async forget(id: string): Promise<void> {
    await this.exclusive(id, async (entry) => {
      if (!this.accountMissing(entry)) {
        throw new KeydeskError({ code: 'CONFLICT', message: 'The old key can still be revoked from Keydesk: use "Revoke now" or "Restore old key" instead.' });
      }
      await this.finish(entry, false);
    });
  }

  /** Finishes restores cut short by a crash, runs what is overdue (after the app was closed), then keeps time. */
  async start(): Promise<void> {
    this.started = true;
    await this.store.removeStaleTemps();
    for (const entry of (await this.store.loadAll()).filter((e) => e.restoring)) {
      await this.locks.with(entry.credentialIds, () => this.finishRestore(entry)).catch(async (error: unknown) => {
        await this.store.save({ ...entry, lastError: { message: `Restoring the old key did not finish: ${toErrorInfo(error).message}`, at: this.iso() } });
      });
    }
    this.reschedule();
    await this.idle();
  }

  stop(): void {
    this.started = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Runs what is due now and arms the timer for the next one; the rotation engine calls it after adding an entry. */
  reschedule(): void {
    if (!this.started) return;
    this.queue = this.queue
      .then(async () => this.arm(await this.runDue()))
      .catch(() => {});
  }

  /** Resolves when the scheduler has nothing running (for tests and an orderly stop). */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  /** Every entry whose time has come; resolves true when one was skipped because its credentials were busy. */
  async runDue(): Promise<boolean> {
    let busy = false;
    const now = this.clock.now();
    for (const entry of await this.store.loadAll()) {
      if (this.nextAttempt(entry) > now) continue;
      try {
        await this.locks.with(entry.credentialIds, () => this.step(entry));
      } catch (error) {
        if (error instanceof KeydeskError && error.code === 'CONFLICT') busy = true;
      }
    }
    return busy;
  }

  private async arm(busy: boolean): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (!this.started) return;
    const entries = await this.store.loadAll();
    const next = Math.min(...entries.map((e) => this.nextAttempt(e)), busy ? this.clock.now() + BUSY_RETRY_MS : Infinity);
    if (next === Infinity) return;
    const delay = Math.min(MAX_WAIT_MS, Math.max(0, next - this.clock.now()));
    this.cancelTimer = this.clock.after(delay, () => this.reschedule());
  }

  /** When the scheduler acts on an entry next; never while a refusal or a missing account waits for the user. */
  private nextAttempt(entry: PendingRevocation): number {
    if (entry.usedAfterSwitch || entry.restoring || this.accountMissing(entry)) return Infinity;
    return Math.max(Date.parse(entry.dueAt), entry.retryAt ? Date.parse(entry.retryAt) : 0);
  }

  /** The scheduler's move for a due entry: deactivate or delete an active key (after the use check), delete a deactivated one. */
  private async step(entry: PendingRevocation): Promise<void> {
    const current = await this.store.get(entry.id);
    if (!current || this.nextAttempt(current) > this.clock.now()) return;
    try {
      const { session, capabilities } = await this.open(current);
      if (current.state === 'active') {
        if (!current.providerEnforced) {
          const used = await lastUsedAt(session, capabilities, current.retiring, current.scope);
          if (used && usedAfterSwitch(used, current.switchedAt)) {
            await this.store.save({ ...current, usedAfterSwitch: { lastUsedAt: used, checkedAt: this.iso() }, lastError: undefined, retryAt: undefined });
            this.changed(current.id);
            this.notice(current, 'refused', 'Old key not revoked', `${current.retiring.accessKeyId} (${current.label}) was used at ${readableTime(used)}, after the switch to the new key. Open Keydesk to decide.`);
            return;
          }
        }
        if (current.then === 'deactivate' && capabilities.canDeactivate && capabilities.canDelete) {
          await setKeyActive(session, current.retiring.keyId, false, current.scope);
          await this.store.save(clearProblems({ ...current, state: 'deactivated', dueAt: this.iso(current.days * DAY_MS) }));
          this.changed(current.id);
          this.notice(current, 'deactivated', 'Old key deactivated', `${current.retiring.accessKeyId} (${current.label}) is switched off; it is deleted in ${current.days} days unless you restore it.`);
          return;
        }
      }
      const oldKey = await revokeKey(session, capabilities, current.retiring.keyId, current.scope);
      await this.finish(current);
      this.notice(current, 'revoked', 'Old key revoked', `${current.retiring.accessKeyId} (${current.label}) was ${oldKey}; ${current.keeping.accessKeyId} stays in use.`);
    } catch (error) {
      const info = toErrorInfo(error);
      const failures = (current.failures ?? 0) + 1;
      await this.store.save({ ...current, failures, lastError: { message: info.message, hint: info.hint, at: this.iso() }, retryAt: this.iso(retryDelayMs(failures)) });
      this.changed(current.id);
      if (failures === 1) this.notice(current, 'failed', 'Old key not revoked yet', `${current.retiring.accessKeyId} (${current.label}): ${info.message} Keydesk tries again later.`);
    }
  }

  private async refuseIfUsed(entry: PendingRevocation, session: ProviderSession, capabilities: ProviderCapabilities): Promise<void> {
    const used = await lastUsedAt(session, capabilities, entry.retiring, entry.scope);
    if (!used || !usedAfterSwitch(used, entry.switchedAt)) return;
    await this.store.save({ ...entry, usedAfterSwitch: { lastUsedAt: used, checkedAt: this.iso() } });
    this.changed(entry.id);
    throw usedAfterSwitchError(entry.retiring, used, entry.switchedAt);
  }

  /**
   * The restore's steps, each safe to repeat (a crash in between finishes at the next start): reactivate
   * the old key, keep the new key's secret, switch every credential back, then swap the two keys' roles.
   */
  private async finishRestore(entry: PendingRevocation): Promise<void> {
    const { vault, secrets } = this.deps;
    const { session } = await this.open(entry);
    if (entry.state === 'deactivated') await setKeyActive(session, entry.retiring.keyId, true, entry.scope);
    const oldSecret = await secrets.get(secretName.retiredKey(entry.id, entry.retiring.accessKeyId));
    if (!oldSecret) throw new KeydeskError({ code: 'NOT_FOUND', message: `The secret of the old key ${entry.retiring.accessKeyId} is missing from the OS keychain.` });
    const existing = new Set(vault.list().map((c) => c.id));
    const users = entry.credentialIds.filter((id) => existing.has(id));
    const newName = secretName.retiredKey(entry.id, entry.keeping.accessKeyId);
    const holder = users.find((id) => vault.get(id).accessKeyId === entry.keeping.accessKeyId);
    if (holder && !(await secrets.get(newName))) await secrets.set(newName, (await vault.connection(holder)).secretAccessKey);
    const moved: string[] = [];
    for (const id of users) {
      if (vault.get(id).accessKeyId === entry.retiring.accessKeyId) continue;
      await vault.replaceKey(id, entry.retiring.accessKeyId, oldSecret, { rotatedAt: entry.previousRotatedAt[id] ?? null });
      moved.push(id);
    }
    const now = this.iso();
    const swapped: PendingRevocation = clearProblems({
      ...entry,
      retiring: entry.keeping,
      keeping: entry.retiring,
      state: 'active',
      switchedAt: now,
      dueAt: this.iso(entry.days * DAY_MS),
      // The new key's age started at the original switch.
      previousRotatedAt: Object.fromEntries(users.map((id) => [id, entry.switchedAt])),
      restoring: undefined,
    });
    await this.store.save(swapped);
    await secrets.delete(secretName.retiredKey(entry.id, entry.retiring.accessKeyId));
    if (moved.length) this.deps.onCredentialsChanged?.(moved);
    this.changed(entry.id);
  }

  /** The old key is gone: its kept secret and the entry go too, and the credentials' health refreshes. */
  private async finish(entry: PendingRevocation, notifyCredentials = true): Promise<void> {
    for (const key of [entry.retiring, entry.keeping]) await this.deps.secrets.delete(secretName.retiredKey(entry.id, key.accessKeyId));
    await this.store.remove(entry.id);
    this.changed(entry.id);
    if (notifyCredentials) this.deps.onCredentialsChanged?.(entry.credentialIds);
  }

  private async exclusive<T>(id: string, work: (entry: PendingRevocation) => Promise<T>): Promise<T> {
    const entry = await this.load(id);
    return this.locks.with(entry.credentialIds, async () => work(await this.load(id)));
  }

  private async load(id: string): Promise<PendingRevocation> {
    const entry = await this.store.get(id);
    if (!entry) throw new KeydeskError({ code: 'NOT_FOUND', message: 'That old key is no longer waiting to be revoked.' });
    return entry;
  }

  private async open(entry: PendingRevocation) {
    const account = this.deps.accounts.get(entry.accountId);
    return { account, capabilities: account.provider.capabilities, session: await this.deps.accounts.session(entry.accountId) };
  }

  private accountMissing(entry: PendingRevocation): boolean {
    try {
      this.deps.accounts.get(entry.accountId);
      return false;
    } catch {
      return true;
    }
  }

  private async summarize(entry: PendingRevocation): Promise<PendingSummary> {
    let provider: { name: string; capabilities: ProviderCapabilities } | undefined;
    try {
      provider = this.deps.accounts.get(entry.accountId).provider;
    } catch {
      provider = undefined;
    }
    const capabilities = provider?.capabilities;
    const restorable = !!provider && !entry.providerEnforced && !!(await this.deps.secrets.get(secretName.retiredKey(entry.id, entry.retiring.accessKeyId)).catch(() => null));
    return {
      ...entry,
      providerName: provider?.name,
      accountMissing: !provider,
      reportsLastUsed: !!capabilities?.reportsLastUsed,
      revokeAction: entry.state === 'deactivated' || capabilities?.canDelete ? 'delete' : 'deactivate',
      canExtend: !!provider && !entry.providerEnforced,
      canRestore: restorable,
    };
  }

  private changed(id: string): void {
    this.deps.onChanged?.([id]);
  }

  private notice(entry: PendingRevocation, kind: RevocationNotice['kind'], title: string, body: string): void {
    this.deps.onNotice?.({ id: entry.id, kind, title, body });
  }

  private iso(offsetMs = 0): string {
    return new Date(this.clock.now() + offsetMs).toISOString();
  }
}

function clearProblems(entry: PendingRevocation): PendingRevocation {
  return { ...entry, usedAfterSwitch: undefined, lastError: undefined, retryAt: undefined, failures: undefined };
}

function providerEnforcedError(entry: PendingRevocation, what: 'extended' | 'restored'): KeydeskError {
  return new KeydeskError({
    code: 'UNSUPPORTED',
    message: `The provider itself ends the old secret ${entry.retiring.accessKeyId} at ${readableTime(entry.dueAt)} (set when the new one was created), so it cannot be ${what} from Keydesk.`,
  });
}
