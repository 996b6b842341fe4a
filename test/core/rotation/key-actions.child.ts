/**
 * Child process for the SIGKILL tests (key-actions.int.test.ts): runs the keys screen's "Regenerate secret"
 * or "Create key" (save in keychain) on an RGW account as the app wires it, tells the parent the moment RGW
 * has answered with the new secret — before Keydesk staged it in the keychain — and then waits to be
 * killed. Run through Vite's module runner (no build step).
 */
import { KeyActions } from '../../../src-main/core/rotation/key-actions';
import type { AppContext } from '../../../src-main/ipc/app-context';
import { EventBus } from '../../../src-main/ipc/events';
import { keyHandlers } from '../../../src-main/ipc/handlers/keys';
import { childStores, waitForKillOnceAnswered } from '../../helpers/rotation-child';

const accountId = process.env.KEYS_ACCOUNT!;
const owner = process.env.KEYS_OWNER!;
const { secrets, vault, accounts, stateDir } = childStores(process.env.KEYS_HOME!);
const keyActions = new KeyActions({ vault, secrets, stateDir, accounts, checkpoint: waitForKillOnceAnswered });
const handlers = keyHandlers({ vault, accounts, events: new EventBus(), keyActions } as unknown as AppContext);
if (process.env.KEYS_ACTION === 'create') await handlers['keys:create']({ accountId, owner, saveInKeychain: true });
else await handlers['keys:regenerate']({ accountId, owner, keyId: process.env.KEYS_KEY! });
process.stdout.write('FINISHED\n');
