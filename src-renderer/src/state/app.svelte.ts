import type { ErrorInfo } from '../../../src-main/core/errors';
import type { AppInfo, VaultStatus } from '../../../src-main/ipc/channels/app';
import type { CredentialSummary } from '../../../src-main/ipc/channels/credentials';
import { api, errorInfo } from '../lib/api';

export type View =
  | { name: 'credentials' }
  | { name: 'add-credential' }
  | { name: 'import' }
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

  readonly canBrowse = $derived(this.credentials.length > 0);

  async load(): Promise<void> {
    try {
      [this.info, this.vault, this.credentials] = await Promise.all([api.app.info(), api.vault.status(), api.credentials.list()]);
      this.loadError = undefined;
    } catch (error) {
      this.loadError = errorInfo(error);
    }
  }

  async refreshCredentials(): Promise<void> {
    this.credentials = await api.credentials.list();
  }

  go(view: View): void {
    this.view = view;
  }

  browse(credentialId = this.credentials[0]?.id): void {
    if (credentialId) this.view = { name: 'browse', credentialId };
  }

  async removeCredential(id: string): Promise<void> {
    await api.credentials.remove({ id });
    await this.refreshCredentials();
  }
}
