import { join } from 'node:path';
import { AccountService } from '../core/accounts/account-service';
import { keychainService } from '../core/paths';
import { RotationEngine } from '../core/rotation/engine';
import { CredentialVault } from '../core/vault/credential-vault';
import { MetadataStore, openConfStore, type StoreBacking } from '../core/vault/metadata-store';
import { KeychainSecretStore, type SecretStore } from '../core/vault/secret-store';
import { EventBus } from './events';

/** Everything the handlers need, built once by the Electron shell or by browser mode. */
export interface AppContext {
  mode: 'desktop' | 'browser';
  version: string;
  home: string;
  secrets: SecretStore;
  metadata: MetadataStore;
  vault: CredentialVault;
  accounts: AccountService;
  events: EventBus;
  rotation: RotationEngine;
  /** out/main/cli.js, for "Use in…" credential_process lines. */
  cliPath?: string;
  /** Directory for resumable-transfer and rotation journals. */
  stateDir: string;
  /** Opens an https: link in the user's browser (see core/links.ts). */
  openLink(url: string): Promise<void>;
}

export interface AppContextOptions {
  mode: AppContext['mode'];
  version: string;
  home: string;
  defaultHome: string;
  openLink: AppContext['openLink'];
  /** electron-store in the desktop app; plain conf (same file) otherwise. */
  store?: StoreBacking;
  secrets?: SecretStore;
  cliPath?: string;
}

export function createAppContext(options: AppContextOptions): AppContext {
  const metadata = new MetadataStore(options.store ?? openConfStore(options.home));
  const secrets = options.secrets ?? new KeychainSecretStore(keychainService(options.home, options.defaultHome));
  const vault = new CredentialVault(metadata, secrets);
  const accounts = new AccountService(metadata, secrets);
  const events = new EventBus();
  const stateDir = join(options.home, 'state');
  return {
    mode: options.mode,
    version: options.version,
    home: options.home,
    secrets,
    metadata,
    vault,
    accounts,
    events,
    rotation: new RotationEngine({
      vault,
      secrets,
      accounts,
      stateDir,
      onProgress: (progress) => events.emit('rotation:progress', progress),
      onCredentialsChanged: (ids) => events.emit('credentials:changed', { ids }),
    }),
    stateDir,
    cliPath: options.cliPath,
    openLink: options.openLink,
  };
}
