import type { ErrorInfo } from '../../../src-main/core/errors';
import type { AppInfo, VaultStatus } from '../../../src-main/ipc/channels/app';
import type { CredentialSummary } from '../../../src-main/ipc/channels/credentials';
import type { AppNavigation } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { RotationState } from './rotation.svelte';

export type View =
  /** `show`: a credential to point at (scrolled to and highlighted), e.g. the one a refused duplicate names. */
  | { name: 'credentials'; show?: string }
  | { name: 'add-credential' }
  | { name: 'import' }
  /** Plain-text keys on this machine; with `credentialId`, every copy of that saved key. */
  | { name: 'plaintext'; credentialId?: string }
  | { name: 'browse'; credentialId: string }
  | { name: 'accounts' }
  | { name: 'add-account' }
  | { name: 'keys'; accountId: string };

/** App-wide state: what is saved, whether the keychain works, which screen is shown. */
export class AppState {
  info = $state<AppInfo>();
  vault = $state<VaultStatus>({ available: true });
  credentials = $state<CredentialSummary[]>([]);
  loadError = $state<ErrorInfo>();
  view = $state<View>({ name: 'credentials' });
  readonly rotation = new RotationState();

  readonly canBrowse = $derived(this.credentials.length > 0);

  async load(): Promise<void> {
    try {
      [this.info, this.vault, this.credentials] = await Promise.all([api.app.info(), api.vault.status(), api.credentials.list(), this.rotation.load()]);
      this.loadError = undefined;
    } catch (error) {
      this.loadError = errorInfo(error);
    }
  }

  private refreshing?: Promise<void>;
  private refreshAgain = false;

  /** Refreshes that arrive while one is running (health events come in bursts) share one more fetch. */
  refreshCredentials(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          this.credentials = await api.credentials.list();
        } while (this.refreshAgain);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Main's request to show a screen (tray entries). */
  navigate(target: AppNavigation): void {
    if (target.view === 'browse') return this.browse(target.credentialId);
    this.view = { name: 'credentials' };
    if (target.view === 'rotate') this.rotation.rotateRequest = target.credentialId;
    else this.rotation.revocationRequest = { id: target.revocationId, action: target.action };
  }

  go(view: View): void {
    this.view = view;
  }

  /** The Credentials screen with one saved credential pointed out. */
  showCredential(id: string): void {
    this.view = { name: 'credentials', show: id };
  }

  /** "Check now": resolves when the checks are done; the list follows through credentials:health. */
  async checkHealth(ids?: string[]): Promise<void> {
    await api.credentials.checkHealth({ ids });
  }

  browse(credentialId = this.credentials[0]?.id): void {
    if (credentialId) this.view = { name: 'browse', credentialId };
  }

  async removeCredential(id: string): Promise<void> {
    await api.credentials.remove({ id });
    await this.refreshCredentials();
  }
}
