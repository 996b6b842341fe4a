import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findByProfile } from '../core/vault/profile-names';
import { isKeydeskError } from '../core/errors';
import { keychainService, resolveHome } from '../core/paths';
import { CredentialVault } from '../core/vault/credential-vault';
import { MetadataStore, openConfStore } from '../core/vault/metadata-store';
import { KeychainSecretStore } from '../core/vault/secret-store';

/**
 * `keydesk credential-process --profile NAME`: prints an AWS credential_process answer from the keychain,
 * so aws/rclone/SDK profiles need no plain-text secret. Only the JSON goes to stdout; errors go to stderr
 * and never include the secret.
 */

const USAGE = 'Usage: keydesk credential-process --profile NAME';

/** Where Electron keeps the app's userData (the desktop app's default home) on each platform. */
function electronUserData(): string {
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Keydesk');
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Keydesk');
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Keydesk');
}

async function credentialProcess(args: string[]): Promise<string> {
  const { values } = parseArgs({ args, options: { profile: { type: 'string' } }, strict: true });
  if (!values.profile) throw new Error(USAGE);
  const defaultHome = electronUserData();
  const home = resolveHome(defaultHome);
  const metadata = new MetadataStore(openConfStore(home));
  const vault = new CredentialVault(metadata, new KeychainSecretStore(keychainService(home, defaultHome)));
  const record = findByProfile(vault.list(), values.profile);
  const connection = await vault.connection(record.id);
  return JSON.stringify({ Version: 1, AccessKeyId: connection.accessKeyId, SecretAccessKey: connection.secretAccessKey });
}

/** Runs one CLI command; `argv` starts with the command name. Resolves to the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command !== 'credential-process') throw new Error(USAGE);
    process.stdout.write(`${await credentialProcess(rest)}\n`);
    return 0;
  } catch (error) {
    const message = isKeydeskError(error) ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : (error as Error).message;
    process.stderr.write(`keydesk: ${message}\n`);
    return 1;
  }
}
