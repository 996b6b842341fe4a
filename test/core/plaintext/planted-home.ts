import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A temp HOME with a plain-text key in every place a scan looks, written the way the tools and people
 * write them, plus the traps a scan must not fall into: links out of scope, a FIFO, a huge file, a binary
 * file, dependency folders, a folder too deep. Plus a folder outside HOME the user adds.
 */

export interface Key {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Keydesk holds this one (saved in the vault by the tests). */
export const HELD: Key = { accessKeyId: 'HELDKEY0001AAAAAAAAA', secretAccessKey: 'hV3kQ9zR2mW7xB1nC5tY8uJ0pL4sD6fG2aE9rT1o' };
/** An AWS key Keydesk does not hold. */
export const AWS_OTHER: Key = { accessKeyId: 'AKIAOTHERKEY00000001', secretAccessKey: 'wJalrX9UtnFEM7K7MDENGbPxRfiCYq2xPZmL0vN4' };
/** An rclone key Keydesk does not hold, with an endpoint. */
export const RCLONE_OTHER: Key = { accessKeyId: 'RCLONEOTHER000000001', secretAccessKey: 'Zx8Cv7Bn6Mq5Wr4Et3Yu2Io1Pa0Sd9Fg8Hj7Kl6Q' };
/** Only in places the scan must not read. */
export const HIDDEN: Key = { accessKeyId: 'AKIAHIDDENKEY0000001', secretAccessKey: 'Lk2Jh3Gf4Ds5Aq6Ws7Ed8Rf9Tg0Yh1Uj2Ik3Ol4P' };
export const ENDPOINT = 'http://127.0.0.1:7480';

export interface PlantedHome {
  home: string;
  /** Outside HOME: what links must not lead to. */
  outside: string;
  /** Outside HOME, added by the user. */
  added: string;
  paths: Record<string, string>;
}

/** zsh writes bytes 0x83 0x80+ for non-ASCII ("metafied"): not UTF-8, and must survive a rewrite byte for byte. */
export const ZSH_METAFIED = Buffer.from([0x3a, 0x20, 0x31, 0x37, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x3a, 0x30, 0x3b, 0x65, 0x63, 0x68, 0x6f, 0x20, 0xc3, 0x83, 0xa9, 0x83, 0xb1]);

export async function plantHome(): Promise<PlantedHome> {
  const base = await mkdtemp(join(tmpdir(), 'keydesk-plaintext-'));
  const home = join(base, 'home');
  const outside = join(base, 'outside');
  const added = join(base, 'added');
  const p = (...parts: string[]) => join(home, ...parts);
  const paths = {
    awsCredentials: p('.aws', 'credentials'),
    awsConfig: p('.aws', 'config'),
    rclone: p('.config', 'rclone', 'rclone.conf'),
    rcloneLegacy: p('.rclone.conf'),
    s3cfg: p('.s3cfg'),
    bashHistory: p('.bash_history'),
    zshHistory: p('.zsh_history'),
    fishHistory: p('.local', 'share', 'fish', 'fish_history'),
    appEnv: p('projects', 'app', '.env'),
    crlfEnv: p('projects', 'crlf', '.env.local'),
    envrc: p('projects', 'direnv', '.envrc'),
    nodeModulesEnv: p('projects', 'app', 'node_modules', 'pkg', '.env'),
    tooDeepEnv: p('a', 'b', 'c', 'd', 'e', 'f', 'g', '.env'),
    linkOutEnv: p('projects', 'linked', '.env'),
    fifoEnv: p('projects', 'fifo', '.env'),
    hugeEnv: p('projects', 'huge', '.env'),
    binaryEnv: p('projects', 'binary', '.env'),
    outsideSecret: join(outside, 'secret.env'),
    addedScript: join(added, 'deploy.sh'),
    addedJson: join(added, 'settings.json'),
    addedLinkOut: join(added, 'elsewhere.conf'),
    addedDirLink: join(added, 'etc-link'),
  };
  for (const path of Object.values(paths)) await mkdir(dirname(path), { recursive: true });
  const write = (path: string, lines: string[] | string, mode = 0o600, eol = '\n', finalEol = true) =>
    writeFile(path, typeof lines === 'string' ? lines : lines.join(eol) + (finalEol ? eol : ''), { mode });

  await write(paths.awsCredentials, [
    '# keys for work',
    '[default]',
    `aws_access_key_id = ${HELD.accessKeyId}`,
    `aws_secret_access_key = ${HELD.secretAccessKey}`,
    '',
    '[other]',
    `aws_access_key_id=${AWS_OTHER.accessKeyId}`,
    `aws_secret_access_key=${AWS_OTHER.secretAccessKey}`,
    'region = eu-west-1',
    '',
    '[temporary]',
    'aws_access_key_id = ASIATEMPORARYKEY0001',
    'aws_secret_access_key = Tq7Zr0x9wPlmK2vB8sN4yC6dE1fG3hJ5kL0mN2pQ',
    'aws_session_token = FwoGZXIvYXdzEBYaDJk7Qx2Vb9Lm3Np8Rt5Wz0Yc4Hg6',
  ]);
  await chmod(paths.awsCredentials, 0o640);
  await write(paths.awsConfig, ['[default]', 'region = us-east-1', `endpoint_url = ${ENDPOINT}`, 's3 =', '  addressing_style = path', '', '[profile other]', 'region = eu-west-1', 'output = json']);
  await write(paths.rclone, ['[local]', 'type = local', '', '[ceph]', 'type = s3', 'provider = Ceph', `access_key_id = ${HELD.accessKeyId}`, `secret_access_key = ${HELD.secretAccessKey}`, `endpoint = ${ENDPOINT}`]);
  await write(paths.rcloneLegacy, ['[store]', 'type = s3', `access_key_id = ${RCLONE_OTHER.accessKeyId}`, `secret_access_key = ${RCLONE_OTHER.secretAccessKey}`, 'endpoint = https://s3.example.net']);
  await write(paths.s3cfg, ['[default]', `access_key = ${HELD.accessKeyId}`, `secret_key = ${HELD.secretAccessKey}`, 'host_base = 127.0.0.1:7480', 'use_https = False']);
  await write(paths.bashHistory, [
    'ls -la',
    `aws configure set aws_access_key_id ${HELD.accessKeyId}`,
    'cd /srv',
    'git log --oneline',
    'echo done',
    'make test',
    `export AWS_SECRET_ACCESS_KEY=${HELD.secretAccessKey}`,
    'aws s3 ls',
  ]);
  await writeFile(
    paths.zshHistory,
    Buffer.concat([ZSH_METAFIED, Buffer.from(`\n: 1700000001:0;mc alias set ceph ${ENDPOINT} ${HELD.accessKeyId} ${HELD.secretAccessKey}\n: 1700000002:0;ls\n`)]),
    { mode: 0o600 },
  );
  await write(paths.fishHistory, ['- cmd: ls', '  when: 1700000000', `- cmd: rclone config create r s3 access_key_id ${HELD.accessKeyId} secret_access_key ${HELD.secretAccessKey}`, '  when: 1700000001', '- cmd: pwd', '  when: 1700000002']);
  // No final newline, a unicode comment, and other settings that must stay.
  await write(paths.appEnv, ['# réglages — 鍵', 'DB_PASSWORD=hunter2-not-a-key', `AWS_ACCESS_KEY_ID=${HELD.accessKeyId}`, 'DEBUG=1', `AWS_SECRET_ACCESS_KEY="${HELD.secretAccessKey}"`, 'PORT=8080'], 0o644, '\n', false);
  await write(paths.crlfEnv, [`AWS_ACCESS_KEY_ID=${AWS_OTHER.accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${AWS_OTHER.secretAccessKey}`, 'AWS_REGION=eu-west-1'], 0o600, '\r\n');
  await write(paths.envrc, [`export MINIO_ACCESS_KEY=minio-access-01`, `export MINIO_SECRET_KEY=minio-secret-value-01`, 'export AWS_ENDPOINT_URL=https://minio.example.org']);
  await write(paths.nodeModulesEnv, [`AWS_ACCESS_KEY_ID=${HIDDEN.accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${HIDDEN.secretAccessKey}`]);
  await write(paths.tooDeepEnv, [`AWS_ACCESS_KEY_ID=${HIDDEN.accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${HIDDEN.secretAccessKey}`]);
  await write(paths.outsideSecret, [`AWS_ACCESS_KEY_ID=${HIDDEN.accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${HIDDEN.secretAccessKey}`, `held too: ${HELD.secretAccessKey}`]);
  await symlink(paths.outsideSecret, paths.linkOutEnv);
  execFileSync('mkfifo', [paths.fifoEnv]);
  await write(paths.hugeEnv, [`AWS_ACCESS_KEY_ID=${HIDDEN.accessKeyId}`, `AWS_SECRET_ACCESS_KEY=${HIDDEN.secretAccessKey}`]);
  await truncate(paths.hugeEnv, 3 * 1024 * 1024);
  await writeFile(paths.binaryEnv, Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]), Buffer.from(`AWS_SECRET_ACCESS_KEY=${HIDDEN.secretAccessKey}\n`)]));
  await write(paths.addedScript, ['#!/bin/sh', 'set -e', `export AWS_ACCESS_KEY_ID=${HELD.accessKeyId}`, `export AWS_SECRET_ACCESS_KEY=${HELD.secretAccessKey}`, 'aws s3 sync . s3://site'], 0o755);
  await write(paths.addedJson, ['{', '  "storage": {', `    "key": "${HELD.accessKeyId}",`, `    "password": "${HELD.secretAccessKey}"`, '  }', '}']);
  await symlink(paths.outsideSecret, paths.addedLinkOut);
  await symlink(outside, paths.addedDirLink);
  return { home, outside, added, paths };
}
