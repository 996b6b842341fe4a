import type { CredentialRecord } from '../vault/metadata-store';
import { profileName } from '../vault/profile-names';

/**
 * "Use in…": configuration for other tools that reads the secret from the keychain at run time
 * (AWS credential_process → `keydesk credential-process`), so no plain-text copy is needed. Snippets with
 * the secret written out exist only for an explicit request (revealedSnippet).
 */

export interface Snippets {
  /** The profile name `keydesk credential-process --profile` accepts for this credential. */
  profile: string;
  awsConfig: string;
  rclone: string;
  env: string;
}

export type RevealableSnippet = 'rclone' | 'env';

/** Shell-quoted for AWS's credential_process, which splits the command like a POSIX shell. */
function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

/**
 * How to run `credential-process`: the packaged app binary itself (its RunAsNode fuse is off, so the app
 * answers the command in its main process), or a runtime plus its entry file (Electron in development,
 * Node for out/main/cli.js).
 */
export function cliCommand(execPath: string, entry?: string): string {
  return entry ? `${quote(execPath)} ${quote(entry)}` : quote(execPath);
}

export function snippets(record: CredentialRecord, all: CredentialRecord[], cli: string): Snippets {
  const profile = profileName(record, all);
  const awsConfig = [
    `[profile ${profile}]`,
    `credential_process = ${cli} credential-process --profile ${profile}`,
    `region = ${record.region}`,
    `endpoint_url = ${record.endpoint}`,
    's3 =',
    `  addressing_style = ${record.forcePathStyle ? 'path' : 'virtual'}`,
    '',
  ].join('\n');
  return {
    profile,
    awsConfig,
    rclone: [...rcloneLines(record, profile), '# env_auth: rclone takes the key from the AWS profile above; run it with', `# AWS_PROFILE=${profile}`, 'env_auth = true', ''].join('\n'),
    env: [`export AWS_PROFILE=${profile}`, `export AWS_REGION=${record.region}`, `export AWS_ENDPOINT_URL=${record.endpoint}`, ''].join('\n'),
  };
}

/** The same snippet with the secret written out: only for an explicit "show with secret" action. */
export function revealedSnippet(kind: RevealableSnippet, record: CredentialRecord, all: CredentialRecord[], secretAccessKey: string): string {
  const profile = profileName(record, all);
  if (kind === 'rclone') {
    return [...rcloneLines(record, profile), 'env_auth = false', `access_key_id = ${record.accessKeyId}`, `secret_access_key = ${secretAccessKey}`, ''].join('\n');
  }
  return [
    `export AWS_ACCESS_KEY_ID=${record.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${quote(secretAccessKey)}`,
    `export AWS_REGION=${record.region}`,
    `export AWS_ENDPOINT_URL=${record.endpoint}`,
    '',
  ].join('\n');
}

function rcloneLines(record: CredentialRecord, profile: string): string[] {
  return [`[${profile}]`, 'type = s3', 'provider = Other', `endpoint = ${record.endpoint}`, `region = ${record.region}`, `force_path_style = ${record.forcePathStyle}`];
}
