import { bucketRegion, createBucket, deleteBucket, emptyBucket, listBuckets } from '../../core/s3/buckets';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { withSession } from './s3-session';

type BucketHandlers = Pick<Handlers, 'buckets:list' | 'buckets:create' | 'buckets:delete' | 'buckets:empty'>;

/** Above this many buckets, asking each for its region costs more than the column is worth. */
const REGION_LOOKUP_MAX_BUCKETS = 25;

export function bucketHandlers(ctx: AppContext): BucketHandlers {
  return {
    'buckets:list': ({ credentialId }) =>
      withSession(ctx, credentialId, async (session) => {
        const buckets = await listBuckets(session);
        if (buckets.length > REGION_LOOKUP_MAX_BUCKETS) return buckets;
        await Promise.all(
          buckets.filter((b) => !b.region).map(async (b) => (b.region = await bucketRegion(session, b.name).catch(() => undefined))),
        );
        return buckets;
      }),
    'buckets:create': ({ credentialId, name, region }) => withSession(ctx, credentialId, (session) => createBucket(session, name, region)),
    'buckets:delete': ({ credentialId, name }) => withSession(ctx, credentialId, (session) => deleteBucket(session, name)),
    'buckets:empty': ({ credentialId, name, operationId }) =>
      withSession(ctx, credentialId, (session) => ctx.operations.run(operationId, (options) => emptyBucket(session, name, options))),
  };
}
