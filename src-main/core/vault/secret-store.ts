import { KeydeskError } from '../errors';
import { registerSecret } from '../redact';

/**
 * The only code that touches secrets at rest. Everything else holds a SecretStore, so tests can inject
 * faults (rotation does) without a second place that knows about keychains.
 */
export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, secret: string): Promise<void>;
  delete(name: string): Promise<boolean>;
  list(): Promise<string[]>;
}

type Keytar = typeof import('keytar');

/**
 * Every keychain call in the process, one at a time. keytar runs libsecret on libuv's thread pool, and
 * libsecret used from several threads at once aborts (node-keytar#283); a search that meets an item another
 * call is deleting crashes on its missing value (node-keytar#477). A burst of calls (a page reloading in a
 * loop) took browser mode down that way; queued, they cost ~3 ms each.
 */
let keychainQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  const result = keychainQueue.then(run, run);
  keychainQueue = result.catch(() => undefined);
  return result;
}

const UNAVAILABLE_HINT =
  'Unlock your keychain (GNOME Keyring/KWallet on Linux, Keychain Access on macOS, Credential Manager on Windows) and try again. Keydesk never stores secrets in plain text.';

/** OS keychain through keytar. `service` namespaces entries so test homes never see a user's real keys. */
export class KeychainSecretStore implements SecretStore {
  private keytar?: Promise<Keytar>;

  constructor(readonly service: string) {}

  async get(name: string): Promise<string | null> {
    const secret = await this.call('read', (k) => k.getPassword(this.service, name));
    if (secret) registerSecret(secret);
    return secret;
  }

  async set(name: string, secret: string): Promise<void> {
    registerSecret(secret);
    await this.call('save', (k) => k.setPassword(this.service, name, secret));
  }

  async delete(name: string): Promise<boolean> {
    return this.call('delete', (k) => k.deletePassword(this.service, name));
  }

  async list(): Promise<string[]> {
    const entries = await this.call('read', (k) => k.findCredentials(this.service));
    for (const entry of entries) registerSecret(entry.password);
    return entries.map((entry) => entry.account);
  }

  private async call<T>(action: 'read' | 'save' | 'delete', run: (keytar: Keytar) => Promise<T>): Promise<T> {
    let keytar: Keytar;
    try {
      keytar = await (this.keytar ??= import('keytar').then((m) => (m as { default?: Keytar }).default ?? m));
    } catch (error) {
      this.keytar = undefined;
      throw new KeydeskError(
        { code: 'KEYCHAIN_UNAVAILABLE', message: 'The OS keychain library could not be loaded.', hint: UNAVAILABLE_HINT },
        { cause: error },
      );
    }
    try {
      return await oneAtATime(() => run(keytar));
    } catch (error) {
      throw keychainError(action, error);
    }
  }
}

function keychainError(action: 'read' | 'save' | 'delete', error: unknown): KeydeskError {
  const detail = error instanceof Error ? error.message : String(error);
  const locked = /locked|prompt|dismissed|cancel/i.test(detail);
  const missing = /org\.freedesktop\.secrets|dbus|d-bus|autolaunch|could not connect|no such (interface|object)|not provided/i.test(detail);
  const what = action === 'save' ? 'save the secret to' : action === 'delete' ? 'remove the secret from' : 'read from';
  const why = locked ? 'the keychain is locked' : missing ? 'no keychain service (Secret Service) is running' : detail;
  return new KeydeskError(
    { code: 'KEYCHAIN_UNAVAILABLE', message: `Could not ${what} the OS keychain: ${why}.`, hint: UNAVAILABLE_HINT },
    { cause: error },
  );
}

/** Names of keychain entries, in one place so nothing guesses them. */
export const secretName = {
  credential: (credentialId: string) => `credential:${credentialId}`,
  accountField: (accountId: string, field: string) => `account:${accountId}:${field}`,
  /** A rotation's new key, held here between its creation and the switch so a crash cannot lose it. */
  rotationStaging: (rotationId: string) => `rotation:${rotationId}`,
  /** A rotated-out key kept during its grace period, so "Restore old key" can switch back to it. */
  retiredKey: (rotationId: string, accessKeyId: string) => `rotation-old:${rotationId}:${accessKeyId}`,
};
