import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { createS3Client, describeS3Error } from '../../core/s3/client';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';

type BucketHandlers = Pick<Handlers, 'buckets:list'>;

export function bucketHandlers(ctx: AppContext): BucketHandlers {
  return {
    'buckets:list': async ({ credentialId }) => {
      const connection = await ctx.vault.connection(credentialId);
      const client = createS3Client(connection);
      try {
        const result = await client.send(new ListBucketsCommand({}));
        return (result.Buckets ?? []).map((bucket) => ({ name: bucket.Name ?? '', createdAt: bucket.CreationDate?.toISOString() }));
      } catch (error) {
        throw describeS3Error(error, connection.endpoint);
      } finally {
        client.destroy();
      }
    },
  };
}
