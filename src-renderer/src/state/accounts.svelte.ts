import type { AccountSummary, ErrorInfo, ProviderDescriptor } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';

/** Provider accounts and the providers Keydesk can connect to. */
export class AccountsState {
  providers = $state<ProviderDescriptor[]>([]);
  accounts = $state<AccountSummary[]>([]);
  loaded = $state(false);
  error = $state<ErrorInfo>();

  async load(): Promise<void> {
    try {
      [this.providers, this.accounts] = await Promise.all([api.providers.list(), api.accounts.list()]);
      this.error = undefined;
    } catch (error) {
      this.error = errorInfo(error);
    } finally {
      this.loaded = true;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await api.accounts.remove({ id });
      this.accounts = this.accounts.filter((account) => account.id !== id);
      this.error = undefined;
    } catch (error) {
      this.error = errorInfo(error);
    }
  }
}
