import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { IamBacking } from '../servers/fake-iam';
import type { RgwInfo } from '../servers/rgw';

const run = promisify(execFile);

/**
 * Backs the fake IAM with an RGW user per IAM user (radosgw-admin, independent of the code under test):
 * a key IAM creates or reactivates is added to RGW with the same ID and secret, one it deactivates or
 * deletes is removed, so S3 requests prove what IAM did.
 */
export function iamOnRgw(rgw: RgwInfo, uidOf: (iamUser: string) => string): IamBacking {
  const admin = (...args: string[]) => run('radosgw-admin', ['--conf', join(rgw.cephDir, 'ceph.conf'), ...args]);
  return {
    async enable(user, accessKeyId, secretAccessKey) {
      await admin('key', 'create', `--uid=${uidOf(user)}`, '--key-type=s3', `--access-key=${accessKeyId}`, `--secret-key=${secretAccessKey}`);
    },
    async disable(user, accessKeyId) {
      await admin('key', 'rm', `--uid=${uidOf(user)}`, `--access-key=${accessKeyId}`).catch(() => undefined);
    },
  };
}
