/**
 * What the SIGKILL children of the rotation tests share (leak, reset in place, the keys screen): Keydesk's
 * stores on a test home and a checkpoint that tells the parent the moment the provider has answered with
 * a new secret — before Keydesk staged it in the keychain — and then waits to be killed.
 */
import { AccountService } from '../../src-main/core/accounts/account-service';
import type { RotationCheckpoint } from '../../src-main/core/rotation/engine';
import { CredentialVault } from '../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../src-main/core/vault/metadata-store';
import { KeychainSecretStore } from '../../src-main/core/vault/secret-store';

export function childStores(home: string) {
  const secrets = new KeychainSecretStore(`Keydesk@${home}`);
  const metadata = new MetadataStore(openConfStore(home));
  return { secrets, vault: new CredentialVault(metadata, secrets), accounts: new AccountService(metadata, secrets), stateDir: `${home}/state` };
}

export async function waitForKillOnceAnswered(point: RotationCheckpoint): Promise<void> {
  if (point !== 'provider-answered') return;
  process.stdout.write('PROVIDER-ANSWERED\n');
  await new Promise(() => {});
}
