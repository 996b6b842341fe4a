import { randomUUID } from 'node:crypto';
import { KeydeskError } from '../errors';
import type { AccountField, KeyOwner, ProviderDescriptor, ProviderSession } from '../providers/adapter';
import { fieldRequired, fieldShown } from '../providers/account-fields';
import { parseRows } from '../providers/account-settings';
import { getAdapter } from '../providers/registry';
import type { TrustEntry } from '../transport/trust';
import { readEndpoint } from '../s3/endpoint-input';
import type { AccountRecord, MetadataStore } from '../vault/metadata-store';
import { secretName, type SecretStore } from '../vault/secret-store';

export interface NewAccount {
  providerId: string;
  label: string;
  /** Values for the provider's accountFields; `secret` fields go to the keychain, the rest to metadata. */
  fields: Record<string, string>;
  /** Private CAs and pinned certificates chosen for the account's endpoints (transport/trust.ts). */
  trust?: TrustEntry[];
}

export interface AccountSummary extends AccountRecord {
  provider: ProviderDescriptor;
}

/**
 * Provider accounts: how Keydesk reaches a provider's key-management API. Management secrets live in the
 * keychain; sessions are kept in memory so adapters can reuse login tokens between calls.
 */
export class AccountService {
  private readonly sessions = new Map<string, ProviderSession>();

  constructor(
    private readonly metadata: MetadataStore,
    private readonly secrets: SecretStore,
  ) {}

  list(): AccountSummary[] {
    return this.metadata.accounts().map((account) => this.summary(account));
  }

  get(id: string): AccountSummary {
    return this.summary(this.metadata.account(id));
  }

  /** Verifies the management credentials with the provider, then saves; nothing is saved on failure. */
  async add(input: NewAccount): Promise<{ account: AccountSummary; identity: KeyOwner }> {
    const adapter = getAdapter(input.providerId);
    if (adapter.descriptor.pastedKeyOnly) {
      throw new KeydeskError({ code: 'INVALID_INPUT', message: `${adapter.descriptor.name} has no account to connect: add its key pair under Credentials → Add credentials.` });
    }
    const { settings, secrets } = splitFields(adapter.descriptor, input.fields);
    const id = randomUUID();
    const trust = input.trust?.length ? input.trust : undefined;
    const session = adapter.connect({ accountId: id, settings, secrets, trust });
    const identity = await session.verify();
    const record: AccountRecord = {
      id,
      providerId: input.providerId,
      label: input.label.trim() || `${adapter.descriptor.name} (${identity.name})`,
      settings,
      createdAt: new Date().toISOString(),
      ...(trust ? { trust } : {}),
    };
    const written: string[] = [];
    try {
      for (const [field, value] of Object.entries(secrets)) {
        await this.secrets.set(secretName.accountField(id, field), value);
        written.push(field);
      }
      this.metadata.putAccount(record);
    } catch (error) {
      for (const field of written) await this.secrets.delete(secretName.accountField(id, field)).catch(() => false);
      throw error;
    }
    this.sessions.set(id, session);
    return { account: this.summary(record), identity };
  }

  /** Replaces the account's trusted certificates; the next call connects with them. */
  setTrust(id: string, trust: TrustEntry[] | undefined): AccountSummary {
    const { trust: _old, ...rest } = this.metadata.account(id);
    const record: AccountRecord = trust?.length ? { ...rest, trust } : rest;
    this.metadata.putAccount(record);
    this.sessions.delete(id);
    return this.summary(record);
  }

  async remove(id: string): Promise<void> {
    const record = this.metadata.account(id);
    const adapter = getAdapter(record.providerId);
    for (const field of adapter.descriptor.accountFields.filter((f) => f.kind === 'secret')) {
      await this.secrets.delete(secretName.accountField(id, field.name));
    }
    this.metadata.removeAccount(id);
    this.sessions.delete(id);
  }

  /** A live session for the account's management API, built once per app run. */
  async session(id: string): Promise<ProviderSession> {
    const cached = this.sessions.get(id);
    if (cached) return cached;
    const record = this.metadata.account(id);
    const adapter = getAdapter(record.providerId);
    const secrets: Record<string, string> = {};
    const fields = adapter.descriptor.accountFields;
    // Accounts saved before a sign-in method could be chosen have no choice saved: their secrets all load.
    const chosen = (field: AccountField) => !field.shownWhen || record.settings[field.shownWhen.field] !== undefined;
    for (const field of fields.filter((f) => f.kind === 'secret')) {
      const value = await this.secrets.get(secretName.accountField(id, field.name));
      if (value) secrets[field.name] = value;
      else if (chosen(field) && fieldRequired(field, fields, record.settings)) {
        throw new KeydeskError({
          code: 'NOT_FOUND',
          message: `The ${field.label} of "${record.label}" is missing from the OS keychain.`,
          hint: 'Remove the account and add it again.',
        });
      }
    }
    const session = adapter.connect({ accountId: id, settings: record.settings, secrets, trust: record.trust });
    this.sessions.set(id, session);
    return session;
  }

  private summary(record: AccountRecord): AccountSummary {
    return { ...record, provider: getAdapter(record.providerId).descriptor };
  }
}

/** Fields of another sign-in method than the one chosen are not saved, whatever they hold. */
function splitFields(descriptor: ProviderDescriptor, fields: Record<string, string>) {
  const settings: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const all = descriptor.accountFields;
  for (const field of all) {
    if (!fieldShown(field, all, fields)) continue;
    if (field.kind === 'rows') {
      const rows = parseRows(field, fields[field.name]);
      if (rows.length) settings[field.name] = JSON.stringify(rows);
      continue;
    }
    let value = (fields[field.name] ?? field.defaultValue ?? '').trim();
    if (!value) {
      if (fieldRequired(field, all, fields)) throw new KeydeskError({ code: 'INVALID_INPUT', message: `Enter the ${field.label}.` });
      continue;
    }
    if (field.kind === 'url') {
      const reading = readEndpoint(value);
      if (!reading.endpoint) throw new KeydeskError({ code: 'INVALID_INPUT', message: `The ${field.label}: ${reading.problem}` });
      value = reading.endpoint;
    }
    if (field.kind === 'select' && field.options && !field.options.some((option) => option.value === value)) {
      throw new KeydeskError({ code: 'INVALID_INPUT', message: `"${value}" is not one of the choices for the ${field.label}.` });
    }
    (field.kind === 'secret' ? secrets : settings)[field.name] = value;
  }
  const unknown = Object.keys(fields).filter((name) => !descriptor.accountFields.some((f) => f.name === name));
  if (unknown.length) throw new KeydeskError({ code: 'INVALID_INPUT', message: `Unknown field(s) for ${descriptor.name}: ${unknown.join(', ')}.` });
  return { settings, secrets };
}
