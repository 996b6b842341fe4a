import type { SecretStore } from '../../src-main/core/vault/secret-store';

/** A SecretStore in memory, for unit tests of code above the keychain (the keychain itself is tested for real). */
export class MemorySecrets implements SecretStore {
  readonly entries = new Map<string, string>();
  get = async (name: string) => this.entries.get(name) ?? null;
  set = async (name: string, secret: string) => void this.entries.set(name, secret);
  delete = async (name: string) => this.entries.delete(name);
  list = async () => [...this.entries.keys()];
}
