/**
 * Child process for the SIGKILL test (leak.int.test.ts): reports a saved RGW key leaked (delete), tells the
 * parent the moment RGW has answered with the replacement — before its secret reached the keychain — and
 * then waits to be killed. Run through Vite's module runner (no build step).
 */
import { LeakResponse } from '../../../src-main/core/rotation/leak';
import { childStores, waitForKillOnceAnswered } from '../../helpers/rotation-child';

const credentialId = process.env.LEAK_CREDENTIAL!;
const { secrets, vault, accounts, stateDir } = childStores(process.env.LEAK_HOME!);
const leak = new LeakResponse({ vault, secrets, stateDir, accounts, checkpoint: waitForKillOnceAnswered });
await leak.report({ credentialId }, { stop: 'delete', confirm: true });
process.stdout.write('FINISHED\n');
