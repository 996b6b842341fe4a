/**
 * Child process for the SIGKILL test (leak.int.test.ts): reports a saved RGW key leaked (delete), tells the
 * parent the moment RGW has answered with the replacement — before its secret reached the keychain — and
 * then waits to be killed. Run through Vite's module runner (no build step).
 */
import { AccountService } from '../../../src-main/core/accounts/account-service';
import { LeakResponse } from '../../../src-main/core/rotation/leak';
import { CredentialVault } from '../../../src-main/core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../../../src-main/core/vault/metadata-store';
import { KeychainSecretStore } from '../../../src-main/core/vault/secret-store';

const home = process.env.LEAK_HOME!;
const credentialId = process.env.LEAK_CREDENTIAL!;
const secrets = new KeychainSecretStore(`Keydesk@${home}`);
const metadata = new MetadataStore(openConfStore(home));
const vault = new CredentialVault(metadata, secrets);
const accountService = new AccountService(metadata, secrets);
const leak = new LeakResponse({
  vault,
  secrets,
  stateDir: `${home}/state`,
  accounts: { get: (id) => accountService.get(id), session: (id) => accountService.session(id) },
  async checkpoint(point) {
    if (point !== 'provider-answered') return;
    process.stdout.write('PROVIDER-ANSWERED\n');
    await new Promise(() => {});
  },
});
await leak.report({ credentialId }, { stop: 'delete', confirm: true });
process.stdout.write('FINISHED\n');
