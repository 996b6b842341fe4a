import type { ErrorInfo } from '../../../src-main/core/errors';
import type { AccountField, ProviderDescriptor } from '../../../src-main/core/providers/adapter';
import type { AccountSummary } from '../../../src-main/ipc/channels/accounts';
import type { TrustChoice } from '../../../src-main/ipc/channels/tls';
import { api, errorInfo } from '../lib/api';
import { withChoice } from '../lib/trust';

/** "Add account": pick a provider, fill its accountFields; main verifies with the provider before saving. */
export class AccountFormState {
  provider = $state<ProviderDescriptor>();
  label = $state('');
  values = $state<Record<string, string>>({});
  /** Certificates the user chose to trust for the account's endpoints. */
  trust = $state<TrustChoice[]>([]);
  busy = $state(false);
  error = $state<ErrorInfo>();

  readonly complete = $derived(
    !!this.provider && this.provider.accountFields.every((field) => !field.required || filled(field, this.values[field.name] ?? '')),
  );

  choose(provider: ProviderDescriptor): void {
    this.provider = provider;
    this.values = Object.fromEntries(provider.accountFields.map((field) => [field.name, field.defaultValue ?? '']));
    this.error = undefined;
    this.trust = [];
  }

  addTrust(choice: TrustChoice): void {
    this.trust = withChoice(this.trust, choice);
  }

  removeTrust(choice: TrustChoice): void {
    this.trust = this.trust.filter((c) => c !== choice);
  }

  /** Resolves to the new account, or undefined when verifying or saving failed (the form keeps its input). */
  async save(): Promise<AccountSummary | undefined> {
    if (!this.provider) return undefined;
    this.busy = true;
    this.error = undefined;
    try {
      const trust = this.trust.length ? this.trust : undefined;
      const { account } = await api.accounts.add({ providerId: this.provider.id, label: this.label, fields: this.values, trust });
      for (const field of this.provider.accountFields) if (field.kind === 'secret') this.values[field.name] = '';
      return account;
    } catch (error) {
      this.error = errorInfo(error);
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}

/** A required field has a value; a 'rows' field at least one row with every required column. */
function filled(field: AccountField, value: string): boolean {
  if (field.kind !== 'rows') return value.trim() !== '';
  try {
    const rows = JSON.parse(value) as Record<string, string>[];
    return rows.some((row) => (field.columns ?? []).every((column) => !column.required || row[column.name]?.trim()));
  } catch {
    return false;
  }
}
