import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { createS3Client, describeS3Error, parseEndpoint } from '../../../src-main/core/s3/client';
import { createRgwUser } from '../../helpers/rgw-users';
import { s3Endpoint } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
const { endpoint: rgwEndpoint, trust } = s3Endpoint(rgw);

async function listWith(accessKeyId: string, secretAccessKey: string, endpoint = rgwEndpoint) {
  const client = createS3Client({ endpoint, trust, region: rgw.region, accessKeyId, secretAccessKey, forcePathStyle: true, checksums: 'when-required' }, { maxAttempts: 1 });
  try {
    return await client.send(new ListBucketsCommand({}));
  } catch (error) {
    throw describeS3Error(error, endpoint);
  }
}

describe('S3 client against RGW', () => {
  it('lists the buckets of a valid key', async () => {
    const user = await createRgwUser(rgw);
    const client = createS3Client({ endpoint: rgwEndpoint, trust, region: rgw.region, ...user, forcePathStyle: true, checksums: 'when-required' });
    await client.send(new CreateBucketCommand({ Bucket: `${user.uid}-a` }));
    const result = await listWith(user.accessKeyId, user.secretAccessKey);
    expect(result.Buckets?.map((b) => b.Name)).toEqual([`${user.uid}-a`]);
  });

  it('names a wrong secret as SignatureDoesNotMatch', async () => {
    const user = await createRgwUser(rgw);
    await expect(listWith(user.accessKeyId, `${user.secretAccessKey}x`)).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      providerCode: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  it('names an unknown key as InvalidAccessKeyId', async () => {
    await expect(listWith('NOSUCHKEY0000000000', 'x'.repeat(40))).rejects.toMatchObject({ code: 'INVALID_ACCESS_KEY', status: 403 });
  });

  it('names an unreachable endpoint as a network error', async () => {
    await expect(listWith('a', 'b', `${new URL(rgwEndpoint).protocol}//127.0.0.1:1`)).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('connection refused') });
  });

  it('rejects malformed endpoints before any request', () => {
    expect(() => parseEndpoint('not a url')).toThrow(/not a valid URL/);
    expect(() => parseEndpoint('ftp://x')).toThrow(/https:\/\//);
    expect(parseEndpoint('https://s3.example.com/')).toBe('https://s3.example.com');
  });
});
