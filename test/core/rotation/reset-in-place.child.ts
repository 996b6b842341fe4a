/**
 * Child process for the SIGKILL test (reset-in-place.int.test.ts): rotates a saved RGW key by resetting
 * it in place, tells the parent the moment RGW has answered with the new secret — before Keydesk staged
 * it in the keychain — and then waits to be killed. Run through Vite's module runner (no build step).
 */
import { RotationEngine } from '../../../src-main/core/rotation/engine';
import { childStores, waitForKillOnceAnswered } from '../../helpers/rotation-child';

const credentialId = process.env.ROTATION_CREDENTIAL!;
const { secrets, vault, accounts, stateDir } = childStores(process.env.ROTATION_HOME!);
const engine = new RotationEngine({
  vault,
  secrets,
  stateDir,
  accounts: {
    get: (id) => {
      const summary = accounts.get(id);
      // RGW can hold two keys; here it plays a provider that can only reset a key in place.
      return { ...summary, provider: { ...summary.provider, capabilities: { ...summary.provider.capabilities, rotation: 'regenerate' } } };
    },
    session: (id) => accounts.session(id),
  },
  checkpoint: waitForKillOnceAnswered,
});
await engine.rotate(credentialId, { oldKey: { kind: 'replace' }, confirmResetInPlace: vault.get(credentialId).accessKeyId });
process.stdout.write('FINISHED\n');
