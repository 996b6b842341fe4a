import type { ErrorInfo, PendingSummary, RotationNotice } from '../../../src-main/ipc/contract';
import { untrack } from 'svelte';
import { api, errorInfo } from '../lib/api';

/**
 * Old keys waiting to be revoked after a rotation (shown on credential and key rows), what rotation work
 * told the user (revocations, recovery at start: also those from before this window), and what the tray
 * asked the window to open: the rotation dialog for a credential, or a revoke/restore confirmation.
 */
export class RotationState {
  pending = $state<PendingSummary[]>([]);
  /** Credential whose rotation dialog the tray's "Rotate now…" asked for. */
  rotateRequest = $state<string>();
  /** Old key whose confirmation the tray's "Revoke now…" / "Restore old key…" asked for. */
  revocationRequest = $state<{ id: string; action: 'revoke' | 'restore' }>();

  /** Oldest first, as main keeps them; until dismissed here or in another window. */
  notices = $state.raw<RotationNotice[]>([]);
  /** Why the last Dismiss did not go through. */
  dismissError = $state<ErrorInfo>();

  async load(): Promise<void> {
    await Promise.all([this.loadPending(), this.loadNotices()]);
  }

  async loadPending(): Promise<void> {
    this.pending = await api.rotation.pending();
  }

  /** Main's list replaces what was shown, but not what arrived (an event) while the list was on its way. */
  async loadNotices(): Promise<void> {
    // Untracked: the page's load runs inside an effect, which must not re-run (and load again) when notices change.
    const before = new Set(untrack(() => this.notices).map((n) => n.noticeId));
    const listed = await api.rotation.notices();
    const known = new Set(listed.map((n) => n.noticeId));
    const arrived = this.notices.filter((n) => !before.has(n.noticeId) && !known.has(n.noticeId));
    this.notices = [...listed, ...arrived];
  }

  /** Events: a new notice, or one dismissed in another window. Returns the unsubscribe. */
  follow(): () => void {
    const offNotice = api.on('rotation:notice', (notice) => {
      if (!this.notices.some((n) => n.noticeId === notice.noticeId)) this.notices = [...this.notices, notice];
    });
    const offDismissed = api.on('rotation:noticeDismissed', ({ noticeId }) => this.drop(noticeId));
    return () => {
      offNotice();
      offDismissed();
    };
  }

  async dismiss(noticeId: string): Promise<void> {
    this.dismissError = undefined;
    try {
      // False: gone already (another window, or dropped as old); either way it is not shown any more.
      await api.rotation.dismissNotice({ noticeId });
      this.drop(noticeId);
    } catch (error) {
      this.dismissError = errorInfo(error);
    }
  }

  private drop(noticeId: string): void {
    this.notices = this.notices.filter((n) => n.noticeId !== noticeId);
  }

  /** Old keys that credential switched away from (or back to, after a restore). */
  forCredential(credentialId: string): PendingSummary[] {
    return this.pending.filter((p) => p.credentialIds.includes(credentialId));
  }

  /** The pending revocation of a provider key, for the keys screen. */
  forKey(accountId: string, accessKeyId: string): PendingSummary | undefined {
    return this.pending.find((p) => p.accountId === accountId && p.retiring.accessKeyId === accessKeyId);
  }
}
