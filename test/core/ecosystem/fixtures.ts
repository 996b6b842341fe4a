import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SampleKeys {
  endpoint: string;
  aws: { accessKeyId: string; secretAccessKey: string };
  rclone: { accessKeyId: string; secretAccessKey: string };
  s3cmd: { accessKeyId: string; secretAccessKey: string };
}

/** A temp HOME with ~/.aws/{credentials,config}, ~/.config/rclone/rclone.conf and ~/.s3cfg, as the tools write them. */
export async function writeSampleHome(keys: SampleKeys): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'keydesk-import-home-'));
  const url = new URL(keys.endpoint);
  await mkdir(join(home, '.aws'));
  await mkdir(join(home, '.config', 'rclone'), { recursive: true });
  await writeFile(
    join(home, '.aws', 'credentials'),
    [
      '# work keys',
      '[ceph]',
      `aws_access_key_id = ${keys.aws.accessKeyId}`,
      `aws_secret_access_key = ${keys.aws.secretAccessKey}`,
      '',
      '[temporary]',
      'aws_access_key_id = ASIATEMPORARY',
      'aws_secret_access_key = temporary-secret-value',
      'aws_session_token = token-value',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await writeFile(
    join(home, '.aws', 'config'),
    ['[default]', 'region = eu-west-1', '', '[profile ceph]', 'region = us-east-1', 's3 =', `  endpoint_url = ${keys.endpoint}`, '  addressing_style = path', ''].join('\n'),
    { mode: 0o600 },
  );
  await writeFile(
    join(home, '.config', 'rclone', 'rclone.conf'),
    [
      '[local]',
      'type = local',
      '',
      '[ceph-rclone]',
      'type = s3',
      'provider = Ceph',
      `access_key_id = ${keys.rclone.accessKeyId}`,
      `secret_access_key = ${keys.rclone.secretAccessKey}`,
      `endpoint = ${keys.endpoint}`,
      '',
      '[envonly]',
      'type = s3',
      'provider = AWS',
      'env_auth = true',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  await writeFile(
    join(home, '.s3cfg'),
    [
      '[default]',
      `access_key = ${keys.s3cmd.accessKeyId}`,
      `secret_key = ${keys.s3cmd.secretAccessKey}`,
      `host_base = ${url.host}`,
      `host_bucket = ${url.host}`,
      'use_https = False',
      'bucket_location = US',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return home;
}
