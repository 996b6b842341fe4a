import type { IamBacking } from '../servers/fake-iam';
import type { RgwInfo } from '../servers/rgw';
import { addRgwKey, removeRgwKey } from './rgw-users';

/**
 * Backs the fake IAM with an RGW user per IAM user (radosgw-admin, independent of the code under test):
 * a key IAM creates or reactivates is added to RGW with the same ID and secret, one it deactivates or
 * deletes is removed, so S3 requests prove what IAM did.
 */
export function iamOnRgw(rgw: RgwInfo, uidOf: (iamUser: string) => string): IamBacking {
  return {
    enable: (user, accessKeyId, secretAccessKey) => addRgwKey(rgw, uidOf(user), accessKeyId, secretAccessKey),
    // Already gone (deactivated, then deleted) is fine.
    disable: (user, accessKeyId) => removeRgwKey(rgw, uidOf(user), accessKeyId).catch(() => undefined),
  };
}
