import type { ErrorInfo } from '../../../src-main/core/errors';
import type { CredentialSummary } from '../../../src-main/ipc/channels/credentials';
import type { SavedCredentialRef } from '../../../src-main/ipc/channels/keys';
import type { TrustChoice } from '../../../src-main/ipc/channels/tls';
import { api, errorInfo } from '../lib/api';
import { withChoice } from '../lib/trust';

/** `savedAs`: the key works and Keydesk holds it already, so Save would be refused. */
type Outcome = { kind: 'ok'; message: string; savedAs?: SavedCredentialRef } | { kind: 'error'; error: ErrorInfo };

/** The "Add credentials" form: a manual key pair, tested before it is saved. */
export class CredentialFormState {
  label = $state('');
  endpoint = $state('');
  region = $state('us-east-1');
  accessKeyId = $state('');
  secretAccessKey = $state('');
  forcePathStyle = $state(true);
  checksums = $state<'when-required' | 'when-supported'>('when-required');
  /** Certificates the user chose to trust for this endpoint; sent with every test and the save. */
  trust = $state<TrustChoice[]>([]);
  busy = $state<'testing' | 'saving'>();
  outcome = $state<Outcome>();
  /** What the user last asked for: a trust choice made on its error repeats it. */
  lastAction = $state<'test' | 'save'>('test');

  readonly complete = $derived(
    this.endpoint.trim() !== '' && this.accessKeyId.trim() !== '' && this.secretAccessKey.trim() !== '',
  );

  private keyPair() {
    return {
      endpoint: this.endpoint,
      region: this.region,
      accessKeyId: this.accessKeyId,
      secretAccessKey: this.secretAccessKey,
      forcePathStyle: this.forcePathStyle,
      checksums: this.checksums,
      trust: this.trust.length ? this.trust : undefined,
    };
  }

  addTrust(choice: TrustChoice): void {
    this.trust = withChoice(this.trust, choice);
  }

  removeTrust(choice: TrustChoice): void {
    this.trust = this.trust.filter((c) => c !== choice);
  }

  async test(): Promise<void> {
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

  /** Resolves to the saved credential, or undefined when saving failed (the form keeps its input). */
  async save(): Promise<CredentialSummary | undefined> {
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
