import { describe, expect, inject, it } from 'vitest';
import { adapter } from '../../../src-main/core/providers/manual';
import { createRgwUser } from '../../helpers/rgw-users';

const rgw = inject('rgw');

describe('manual key adapter against a real RGW', () => {
  const session = (accessKeyId: string, secretAccessKey: string) =>
    adapter.connect({ accountId: 'manual', settings: { endpoint: rgw.endpoint, region: rgw.region, accessKeyId }, secrets: { secretAccessKey } });

  it('verifies the pasted key on S3 and names its owner', async () => {
    const user = await createRgwUser(rgw, 'manual');
    await expect(session(user.accessKeyId, user.secretAccessKey).verify()).resolves.toMatchObject({ id: user.uid, name: user.uid });
  });

  it('reports a wrong pasted secret as a signature mismatch', async () => {
    const user = await createRgwUser(rgw, 'manual');
    await expect(session(user.accessKeyId, `${user.secretAccessKey}x`).verify()).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      providerCode: 'SignatureDoesNotMatch',
      status: 403,
    });
  });
});
