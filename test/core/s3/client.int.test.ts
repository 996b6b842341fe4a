import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { createS3Client, describeS3Error, parseEndpoint } from '../../../src-main/core/s3/client';
import { onSwift, s3Endpoint, s3Region, s3User } from '../../helpers/s3-fixtures';

const rgw = inject('rgw');
const { endpoint: s3, trust } = s3Endpoint(rgw);
const region = s3Region(rgw);

async function listWith(accessKeyId: string, secretAccessKey: string, endpoint = s3) {
  const client = createS3Client({ endpoint, trust, region, accessKeyId, secretAccessKey, forcePathStyle: true, checksums: 'when-required' }, { maxAttempts: 1 });
  try {
    return await client.send(new ListBucketsCommand({}));
  } catch (error) {
    throw describeS3Error(error, endpoint);
  }
}

describe(`S3 client against ${onSwift ? "Swift's S3 API" : 'RGW'}`, () => {
  it('lists the buckets of a valid key', async () => {
    const user = await s3User(rgw);
    const client = createS3Client({ endpoint: s3, trust, region, ...user, forcePathStyle: true, checksums: 'when-required' });
    await client.send(new CreateBucketCommand({ Bucket: `${user.uid}-a` }));
    const result = await listWith(user.accessKeyId, user.secretAccessKey);
    expect(result.Buckets?.map((b) => b.Name)).toEqual([`${user.uid}-a`]);
  });

  it('names a wrong secret as SignatureDoesNotMatch', async () => {
    const user = await s3User(rgw);
    await expect(listWith(user.accessKeyId, `${user.secretAccessKey}x`)).rejects.toMatchObject({
      code: 'SIGNATURE_MISMATCH',
      providerCode: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  it.skipIf(onSwift)('names an unknown key as InvalidAccessKeyId', async () => {
    await expect(listWith('NOSUCHKEY0000000000', 'x'.repeat(40))).rejects.toMatchObject({ code: 'INVALID_ACCESS_KEY', status: 403 });
  });

  // Swift's S3 API cannot tell an unknown key from a wrong secret (both are SignatureDoesNotMatch), so
  // Keydesk's sentence must cover both.
  it.runIf(onSwift)('names an unknown key on Swift as a refused key pair, naming both halves', async () => {
    for (const [id, secret] of [['nosuch:key', 'x'.repeat(40)], ['NOSUCHKEY0000000000', 'x'.repeat(40)]]) {
      await expect(listWith(id, secret)).rejects.toMatchObject({
        code: 'SIGNATURE_MISMATCH',
        status: 403,
        message: expect.stringMatching(/OpenStack Swift refused this key pair .*access key ID is not known or was revoked, or the secret access key is wrong/),
      });
    }
  });

  it('names an unreachable endpoint as a network error', async () => {
    await expect(listWith('a', 'b', `${new URL(s3).protocol}//127.0.0.1:1`)).rejects.toMatchObject({ code: 'NETWORK', message: expect.stringContaining('connection refused') });
  });

  it('rejects malformed endpoints before any request', () => {
    expect(() => parseEndpoint('not a url')).toThrow(/not a valid URL/);
    expect(() => parseEndpoint('ftp://x')).toThrow(/https:\/\//);
    expect(parseEndpoint('https://s3.example.com/')).toBe('https://s3.example.com');
  });
});
