import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegularFile } from '../plaintext/read-file';
import { registerSecret } from '../redact';
import { parseIni, type IniSection } from './ini';

export type SourceKind = 'aws' | 'rclone' | 's3cmd';

/** A key pair found in a plain-text config file. `secretAccessKey` stays in main; see toPreview. */
export interface FoundCredential {
  /** `kind:name`, e.g. `aws:prod`, `rclone:backup`, `s3cmd:default`. */
  id: string;
  kind: SourceKind;
  name: string;
  endpoint: string;
  region: string;
  forcePathStyle: boolean;
  accessKeyId: string;
  secretAccessKey?: string;
  /** Where the secret is written in plain text: the lines a clean-up removes. */
  secretLines: { file: string; lines: number[] }[];
  /** Why it cannot be imported (temporary session credentials, no secret, …). */
  problem?: string;
}

export interface ScannedSource {
  kind: SourceKind;
  path: string;
  found: boolean;
  note?: string;
}

export interface ScanResult {
  sources: ScannedSource[];
  credentials: FoundCredential[];
}

export interface ScanLocation {
  home: string;
  env: Record<string, string | undefined>;
}

/** The files each tool reads, honouring the same environment variables the tools do. */
export function sourcePaths({ home, env }: ScanLocation): Record<'awsCredentials' | 'awsConfig' | 'rclone' | 's3cmd', string> {
  return {
    awsCredentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    awsConfig: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    rclone: env.RCLONE_CONFIG || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'rclone', 'rclone.conf'),
    s3cmd: join(home, '.s3cfg'),
  };
}

export async function scanSources(location: ScanLocation): Promise<ScanResult> {
  const paths = sourcePaths(location);
  const [credentialsText, configText, rcloneText, s3cmdText] = await Promise.all(
    [paths.awsCredentials, paths.awsConfig, paths.rclone, paths.s3cmd].map(readConfigFile),
  );
  const sources: ScannedSource[] = [
    { kind: 'aws', path: paths.awsCredentials, found: credentialsText !== undefined },
    { kind: 'aws', path: paths.awsConfig, found: configText !== undefined },
    { kind: 'rclone', path: paths.rclone, found: rcloneText !== undefined },
    { kind: 's3cmd', path: paths.s3cmd, found: s3cmdText !== undefined },
  ];
  const credentials: FoundCredential[] = [];
  if (credentialsText !== undefined || configText !== undefined) {
    credentials.push(...awsProfiles(paths.awsCredentials, credentialsText ?? '', paths.awsConfig, configText ?? ''));
  }
  if (rcloneText !== undefined) {
    if (rcloneText.includes('RCLONE_ENCRYPT_V0:')) sources[2].note = 'This rclone config is encrypted; Keydesk cannot read it.';
    else credentials.push(...rcloneRemotes(paths.rclone, rcloneText));
  }
  if (s3cmdText !== undefined) credentials.push(...s3cmdConfig(paths.s3cmd, s3cmdText));
  for (const c of credentials) if (c.secretAccessKey) registerSecret(c.secretAccessKey);
  return { sources, credentials };
}

/** Tool config files are small; anything else at their names (a FIFO, a device, a huge file) is not read. */
const CONFIG_BYTES = 8 * 1024 * 1024;

async function readConfigFile(path: string): Promise<string | undefined> {
  const target = await realpath(path).catch(() => undefined);
  const outcome = target && (await readRegularFile(target, CONFIG_BYTES));
  return outcome && outcome.ok ? outcome.bytes.toString('utf8') : undefined;
}

const get = (section: IniSection | undefined, key: string) => section?.values.get(key)?.value || undefined;

function awsEndpoint(region: string): string {
  return region === 'us-east-1' ? 'https://s3.amazonaws.com' : `https://s3.${region}.amazonaws.com`;
}

/** Where a key found in a tool's config file is used: what importing it saves besides the key pair. */
export type KeyConnection = Pick<FoundCredential, 'endpoint' | 'region' | 'forcePathStyle'>;

/** An AWS profile's service: endpoint and addressing style from its config section, region from either. */
export function awsConnection(config: IniSection | undefined, creds: IniSection | undefined): KeyConnection {
  const region = get(config, 'region') ?? get(creds, 'region') ?? 'us-east-1';
  const endpoint = get(config, 's3.endpoint_url') ?? get(config, 'endpoint_url') ?? awsEndpoint(region);
  const style = get(config, 's3.addressing_style');
  // Path style is the safe default off AWS (gateways rarely have wildcard DNS); AWS itself prefers virtual.
  return { endpoint, region, forcePathStyle: style ? style === 'path' : !endpoint.endsWith('.amazonaws.com') };
}

/** The AWS config file's profile name of a section (`[default]`, `[profile NAME]`); undefined for other sections. */
export function awsConfigProfile(sectionName: string): string | undefined {
  return sectionName === 'default' ? 'default' : /^profile\s+(.+)$/.exec(sectionName)?.[1]?.trim();
}

export function rcloneConnection(section: IniSection): KeyConnection {
  const region = get(section, 'region') ?? 'us-east-1';
  return {
    endpoint: get(section, 'endpoint') ? withScheme(get(section, 'endpoint')!, true) : awsEndpoint(region),
    region,
    forcePathStyle: get(section, 'force_path_style') !== 'false',
  };
}

export function s3cmdConnection(section: IniSection): KeyConnection {
  const https = (get(section, 'use_https') ?? 'True').toLowerCase() !== 'false';
  const location = get(section, 'bucket_location');
  return {
    endpoint: withScheme(get(section, 'host_base') ?? 's3.amazonaws.com', https),
    // s3cmd writes "US" for the classic AWS region.
    region: !location || location === 'US' ? 'us-east-1' : location,
    forcePathStyle: !(get(section, 'host_bucket') ?? '').includes('%(bucket)s'),
  };
}

/** Profiles from both AWS files: keys may sit in either; endpoint and addressing style come from config. */
function awsProfiles(credentialsPath: string, credentialsText: string, configPath: string, configText: string): FoundCredential[] {
  const fromCredentials = new Map(parseIni(credentialsText).map((s) => [s.name, s]));
  const fromConfig = new Map<string, IniSection>();
  for (const section of parseIni(configText)) {
    const name = awsConfigProfile(section.name);
    if (name) fromConfig.set(name, section);
  }
  const names = [...new Set([...fromCredentials.keys(), ...fromConfig.keys()])];
  const found: FoundCredential[] = [];
  for (const name of names) {
    const creds = fromCredentials.get(name);
    const config = fromConfig.get(name);
    const keySource = get(creds, 'aws_access_key_id') ? { section: creds!, path: credentialsPath } : get(config, 'aws_access_key_id') ? { section: config!, path: configPath } : undefined;
    if (!keySource) continue;
    const secretKeys = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'];
    const lines = secretKeys.map((k) => keySource.section.values.get(k)?.line).filter((l): l is number => l !== undefined);
    const secret = get(keySource.section, 'aws_secret_access_key');
    found.push({
      id: `aws:${name}`,
      kind: 'aws',
      name,
      ...awsConnection(config, creds),
      accessKeyId: get(keySource.section, 'aws_access_key_id')!,
      secretAccessKey: secret,
      secretLines: [{ file: keySource.path, lines }],
      problem: get(keySource.section, 'aws_session_token')
        ? 'Temporary session credentials expire; import the long-term key instead.'
        : secret
          ? undefined
          : 'No secret access key in this profile.',
    });
  }
  return found;
}

function rcloneRemotes(path: string, text: string): FoundCredential[] {
  return parseIni(text)
    .filter((s) => get(s, 'type') === 's3')
    .map((section) => {
      const secret = get(section, 'secret_access_key');
      const accessKeyId = get(section, 'access_key_id') ?? '';
      const secretLine = section.values.get('secret_access_key')?.line;
      return {
        id: `rclone:${section.name}`,
        kind: 'rclone' as const,
        name: section.name,
        ...rcloneConnection(section),
        accessKeyId,
        secretAccessKey: secret,
        secretLines: [{ file: path, lines: secretLine === undefined ? [] : [secretLine] }],
        problem:
          get(section, 'env_auth') === 'true' && !secret
            ? 'Takes its key from the environment (env_auth); there is nothing to import.'
            : !accessKeyId || !secret
              ? 'No access key ID or secret access key in this remote.'
              : undefined,
      };
    });
}

function s3cmdConfig(path: string, text: string): FoundCredential[] {
  const section = parseIni(text).find((s) => s.name === 'default');
  const accessKeyId = get(section, 'access_key');
  if (!section || !accessKeyId) return [];
  const secret = get(section, 'secret_key');
  const secretLine = section.values.get('secret_key')?.line;
  return [
    {
      id: 's3cmd:default',
      kind: 's3cmd',
      name: 'default',
      ...s3cmdConnection(section),
      accessKeyId,
      secretAccessKey: secret,
      secretLines: [{ file: path, lines: secretLine === undefined ? [] : [secretLine] }],
      problem: secret ? undefined : 'No secret key in this config.',
    },
  ];
}

function withScheme(host: string, https: boolean): string {
  return /^https?:\/\//i.test(host) ? host : `${https ? 'https' : 'http'}://${host}`;
}
