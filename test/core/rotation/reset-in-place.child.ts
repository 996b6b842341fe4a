/**
 * Child process for the SIGKILL test (reset-in-place.int.test.ts): rotates a saved RGW key by resetting
 * it in place, tells the parent the moment RGW has answered with the new secret — before Keydesk staged
 * it in the keychain — and then waits to be killed. Run through Vite's module runner (no build step).
 */
import { AccountService } from '../../../src-main/core/accounts/account-service';
import { RotationEngine } from '../../../src-main/core/rotation/engine';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { KeychainSecretStore } from '../../../src-main/core/vault/secret-store';

const home = process.env.ROTATION_HOME!;
const credentialId = process.env.ROTATION_CREDENTIAL!;
const secrets = new KeychainSecretStore(`Keydesk@${home}`);
const metadata = new MetadataStore(openConfStore(home));
const vault = new CredentialVault(metadata, secrets);
const accountService = new AccountService(metadata, secrets);
const engine = new RotationEngine({
  vault,
  secrets,
  stateDir: `${home}/state`,
  accounts: {
    get: (id) => {
      const summary = accountService.get(id);
      // RGW can hold two keys; here it plays a provider that can only reset a key in place.
      return { ...summary, provider: { ...summary.provider, capabilities: { ...summary.provider.capabilities, rotation: 'regenerate' } } };
    },
    session: (id) => accountService.session(id),
  },
  async checkpoint(point) {
    if (point !== 'provider-answered') return;
    process.stdout.write('PROVIDER-ANSWERED\n');
    await new Promise(() => {});
  },
});
await engine.rotate(credentialId, { oldKey: { kind: 'replace' }, confirmResetInPlace: vault.get(credentialId).accessKeyId });
process.stdout.write('FINISHED\n');
