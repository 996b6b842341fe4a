import type { AccountField, AccountSummary, ErrorInfo, ProviderDescriptor, TrustChoice } from '../../../src-main/ipc/contract';
import { fieldRequired, fieldShown, readEndpoint } from '../../../src-main/ipc/shared';
import { api, errorInfo } from '../lib/api';
import { noun, ShownProblems, stillNeeded } from '../lib/form-problems.svelte';
import { withChoice } from '../lib/trust';

/**
 * "Add account": pick a provider, fill its accountFields; main verifies with the provider before saving.
 * Which fields show and which are required follows the choices made (the sign-in method).
 */
export class AccountFormState {
  provider = $state<ProviderDescriptor>();
  label = $state('');
  values = $state<Record<string, string>>({});
  /** Certificates the user chose to trust for the account's endpoints. */
  trust = $state<TrustChoice[]>([]);
  busy = $state(false);
  error = $state<ErrorInfo>();
  shown = $state.raw(new ShownProblems<string>());

  /** The fields of the chosen provider that apply now. */
  readonly fields = $derived(this.provider ? this.provider.accountFields.filter((field) => fieldShown(field, this.provider!.accountFields, this.values)) : []);

  readonly problems = $derived.by(() => {
    const problems: Record<string, string> = {};
    for (const field of this.fields) {
      const value = this.values[field.name] ?? '';
      if (!filled(field, value)) {
        if (this.required(field)) problems[field.name] = field.kind === 'rows' ? `Fill in at least one row of ${noun(field.label)}.` : `Enter the ${noun(field.label)}.`;
      } else if (field.kind === 'url') {
        const problem = readEndpoint(value).problem;
        if (problem) problems[field.name] = problem;
      }
    }
    return problems;
  });
  readonly complete = $derived(!!this.provider && Object.keys(this.problems).length === 0);
  readonly needed = $derived(stillNeeded(this.fields.filter((field) => this.problems[field.name]).map((field) => `the ${noun(field.label)}`)));

  required(field: AccountField): boolean {
    return !!this.provider && fieldRequired(field, this.provider.accountFields, this.values);
  }

  problem(field: AccountField): string | undefined {
    return this.shown.show(field.name, this.problems);
  }

  choose(provider: ProviderDescriptor): void {
    this.provider = provider;
    this.values = Object.fromEntries(provider.accountFields.map((field) => [field.name, field.defaultValue ?? '']));
    this.error = undefined;
    this.shown = new ShownProblems<string>();
    this.trust = [];
  }

  addTrust(choice: TrustChoice): void {
    this.trust = withChoice(this.trust, choice);
  }

  removeTrust(choice: TrustChoice): void {
    this.trust = this.trust.filter((c) => c !== choice);
  }

  /** Resolves to the new account, or undefined when the form has problems, or verifying or saving failed (the form keeps its input). */
  async save(): Promise<AccountSummary | undefined> {
    if (!this.provider) return undefined;
    this.shown.attempted = true;
    if (!this.complete) return undefined;
    this.busy = true;
    this.error = undefined;
    try {
      // Only the fields that apply: a password typed before switching to a token is not sent.
      const fields = Object.fromEntries(this.fields.map((field) => [field.name, this.values[field.name] ?? '']));
      const trust = this.trust.length ? this.trust : undefined;
      const { account } = await api.accounts.add({ providerId: this.provider.id, label: this.label, fields, trust });
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
