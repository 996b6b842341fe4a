import type { PendingSummary } from '../../../src-main/ipc/contract';
import { api } from '../lib/api';

/**
 * Old keys waiting to be revoked after a rotation (shown on credential and key rows), and what the tray
 * asked the window to open: the rotation dialog for a credential, or a revoke/restore confirmation.
 */
export class RotationState {
  pending = $state<PendingSummary[]>([]);
  /** Credential whose rotation dialog the tray's "Rotate now…" asked for. */
  rotateRequest = $state<string>();
  /** Old key whose confirmation the tray's "Revoke now…" / "Restore old key…" asked for. */
  revocationRequest = $state<{ id: string; action: 'revoke' | 'restore' }>();

  async load(): Promise<void> {
    this.pending = await api.rotation.pending();
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
