import type { CredentialSummary, ErrorInfo, SavedCredentialRef, TrustChoice } from '../../../src-main/ipc/contract';
import { api, errorInfo } from '../lib/api';
import { ShownProblems, stillNeeded } from '../lib/form-problems.svelte';
import { withChoice } from '../lib/trust';
import { ConnectionFieldsState, type ConnectionField } from './connection-fields.svelte';

/** `savedAs`: the key works and Keydesk holds it already, so Save would be refused. */
type Outcome = { kind: 'ok'; message: string; savedAs?: SavedCredentialRef } | { kind: 'error'; error: ErrorInfo };

export type CredentialField = ConnectionField | 'accessKeyId' | 'secretAccessKey';

const NAMES: Record<CredentialField, string> = {
  account: 'the account ID',
  endpoint: 'the endpoint',
  region: 'a valid region',
  accessKeyId: 'the access key ID',
  secretAccessKey: 'the secret access key',
};

/** The "Add credentials" form: a key pair for a service, tested before it is saved. */
export class CredentialFormState {
  label = $state('');
  readonly connection = new ConnectionFieldsState();
  accessKeyId = $state('');
  secretAccessKey = $state('');
  /** Certificates the user chose to trust for this endpoint; sent with every test and the save. */
  trust = $state<TrustChoice[]>([]);
  busy = $state<'testing' | 'saving'>();
  outcome = $state<Outcome>();
  /** What the user last asked for: a trust choice made on its error repeats it. */
  lastAction = $state<'test' | 'save'>('test');
  readonly shown = new ShownProblems<CredentialField>();

  readonly problems = $derived.by(() => {
    const problems: Partial<Record<CredentialField, string>> = { ...this.connection.problems };
    const keyId = this.accessKeyId.trim();
    if (!keyId) problems.accessKeyId = 'Enter the access key ID.';
    else if (/\s/.test(keyId)) problems.accessKeyId = 'The access key ID must not contain spaces.';
    if (!this.secretAccessKey.trim()) problems.secretAccessKey = 'Enter the secret access key.';
    return problems;
  });
  readonly complete = $derived(Object.keys(this.problems).length === 0);
  /** Beside Save: what is still missing or wrong, in the order of the form. */
  readonly needed = $derived(stillNeeded((Object.keys(NAMES) as CredentialField[]).filter((field) => this.problems[field]).map((field) => NAMES[field])));

  problem(field: CredentialField): string | undefined {
    return this.shown.show(field, this.problems);
  }

  private keyPair() {
    const trust = this.trust.length ? this.trust : undefined;
    return { ...this.connection.values(), accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey, trust };
  }

  addTrust(choice: TrustChoice): void {
    this.trust = withChoice(this.trust, choice);
  }

  removeTrust(choice: TrustChoice): void {
    this.trust = this.trust.filter((c) => c !== choice);
  }

  /** False when the form has problems: they are shown, and nothing is sent. */
  private ready(): boolean {
    this.shown.attempted = true;
    return this.complete;
  }

  async test(): Promise<void> {
    if (!this.ready()) return;
    this.lastAction = 'test';
    this.busy = 'testing';
    this.outcome = undefined;
    try {
      const check = await api.credentials.test(this.keyPair());
      const buckets = `${check.bucketCount} bucket${check.bucketCount === 1 ? '' : 's'}`;
      this.outcome = { kind: 'ok', message: `Connection works: ${buckets} visible${check.owner ? ` to ${check.owner}` : ''}.`, savedAs: check.savedAs };
    } catch (error) {
      this.outcome = { kind: 'error', error: errorInfo(error) };
    } finally {
      this.busy = undefined;
    }
  }

  /** Resolves to the saved credential, or undefined when the form has problems or saving failed (the form keeps its input). */
  async save(): Promise<CredentialSummary | undefined> {
    if (!this.ready()) return undefined;
    this.lastAction = 'save';
    this.busy = 'saving';
    this.outcome = undefined;
    try {
      const saved = await api.credentials.add({ ...this.keyPair(), label: this.label });
      this.secretAccessKey = '';
      return saved;
    } catch (error) {
      this.outcome = { kind: 'error', error: errorInfo(error) };
      return undefined;
    } finally {
      this.busy = undefined;
    }
  }
}
