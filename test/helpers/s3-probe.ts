import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { S3Location } from '../../src-main/core/providers/adapter';
import { createS3Client, describeS3Error } from '../../src-main/core/s3/client';

/** ListBuckets with a key through the app's own S3 client and error mapping: proves a key works, or how it fails. */
export async function listBucketsWith(location: S3Location, accessKeyId: string, secretAccessKey: string) {
  const client = createS3Client({ ...location, accessKeyId, secretAccessKey, checksums: 'when-required' }, { maxAttempts: 1 });
  try {
    return await client.send(new ListBucketsCommand({}));
  } catch (error) {
    throw describeS3Error(error, location.endpoint);
  } finally {
    client.destroy();
  }
}
