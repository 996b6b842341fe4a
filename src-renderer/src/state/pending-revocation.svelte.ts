import type { ErrorInfo, PendingSummary } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';

export type PendingDialog = 'revoke' | 'restore' | 'extend';

/** One old key's row actions: Revoke now (with its "used after the switch" override), Extend, Restore old key. */
export class PendingRevocationState {
  dialog = $state<PendingDialog>();
  busy = $state(false);
  error = $state<ErrorInfo>();
  /** The last refusal: the old key was used after the switch; "Revoke anyway" overrides it. */
  refused = $state<ErrorInfo>();
  extendDays = $state(7);
  lastUsedAt = $state<string | null>();

  constructor(private readonly id: () => string) {}

  open(dialog: PendingDialog): void {
    this.error = undefined;
    this.refused = undefined;
    this.dialog = dialog;
  }

  close(): void {
    if (!this.busy) this.dialog = undefined;
  }

  async loadLastUsed(): Promise<void> {
    try {
      this.lastUsedAt = (await api.rotation.lastUsed({ id: this.id() })).lastUsedAt ?? null;
    } catch {
      this.lastUsedAt = undefined;
    }
  }

  revoke(force = false): Promise<void> {
    return this.act(async () => {
      await api.rotation.revokeNow({ id: this.id(), force });
    });
  }

  extend(): Promise<void> {
    return this.act(async () => {
      await api.rotation.extend({ id: this.id(), days: this.extendDays });
    });
  }

  restore(): Promise<void> {
    return this.act(async () => {
      await api.rotation.restore({ id: this.id() });
    });
  }

  forget(): Promise<void> {
    return this.act(() => api.rotation.forget({ id: this.id() }));
  }

  /** Main emits rotation:pending after every change, so the list (and this row) refreshes by itself. */
  private async act(run: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      await run();
      this.dialog = undefined;
      this.refused = undefined;
    } catch (error) {
      const info = errorInfo(error);
      if (info.providerCode === 'UsedAfterSwitch') this.refused = info;
      else this.error = info;
    } finally {
      this.busy = false;
    }
  }
}

export function describePending(entry: PendingSummary): string {
  if (entry.accountMissing) return 'its provider account was removed: delete it in the provider’s console';
  if (entry.restoring) return 'switching back did not finish';
  if (entry.state === 'deactivated') return 'deactivated; deleted';
  if (entry.providerEnforced) return `ended by ${entry.providerName ?? 'the provider'}`;
  return entry.then === 'deactivate' ? 'still works; deactivated' : 'still works; deleted';
}
