import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RgwInfo } from '../servers/rgw';

const run = promisify(execFile);

export interface RgwUser {
  uid: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** A fresh RGW user per test (via radosgw-admin, independent of the code under test). */
export async function createRgwUser(rgw: RgwInfo, prefix = 'test'): Promise<RgwUser> {
  const uid = `${prefix}-${randomBytes(4).toString('hex')}`;
  const { stdout } = await radosgwAdmin(rgw, ['user', 'create', `--uid=${uid}`, `--display-name=${uid}`]);
  const user = JSON.parse(stdout) as { keys: { access_key: string; secret_key: string }[] };
  return { uid, accessKeyId: user.keys[0].access_key, secretAccessKey: user.keys[0].secret_key };
}

function radosgwAdmin(rgw: RgwInfo, args: string[]) {
  return run('radosgw-admin', ['--conf', join(rgw.cephDir, 'ceph.conf'), ...args]);
}

/** Deletes an S3 key at RGW itself, as an administrator would: every client of it fails from then on. */
export async function removeRgwKey(rgw: RgwInfo, uid: string, accessKeyId: string): Promise<void> {
  await radosgwAdmin(rgw, ['key', 'rm', `--uid=${uid}`, `--access-key=${accessKeyId}`]);
}

/** Gives a user an S3 key with a chosen ID and secret (e.g. putting a deleted key back). */
export async function addRgwKey(rgw: RgwInfo, uid: string, accessKeyId: string, secretAccessKey: string): Promise<void> {
  await radosgwAdmin(rgw, ['key', 'create', `--uid=${uid}`, '--key-type=s3', `--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`]);
}
