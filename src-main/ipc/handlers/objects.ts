import { countObjects, listFolder, searchObjects } from '../../core/s3/listing';
import { moveFolder, moveObject } from '../../core/s3/copy';
import { createFolder, deleteObjects, objectDetails } from '../../core/s3/objects';
import { openSession } from '../../core/s3/session';
import { shareLink } from '../../core/s3/share';
import { listVersionsFolder } from '../../core/s3/versions';
import { folderPrefix } from '../../core/s3/uri';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { ListingRegistry } from '../listings';
import { withSession } from './s3-session';

type ObjectHandlers = Pick<
  Handlers,
  | 'objects:listStart'
  | 'objects:listNext'
  | 'objects:listCancel'
  | 'objects:details'
  | 'objects:newFolder'
  | 'objects:count'
  | 'objects:delete'
  | 'objects:move'
  | 'objects:share'
  | 'operations:cancel'
>;

export function objectHandlers(ctx: AppContext, listings = new ListingRegistry()): ObjectHandlers {
  return {
    'objects:listStart': async ({ credentialId, bucket, prefix, search, versions }) => {
      const session = openSession(await ctx.vault.connection(credentialId));
      const folder = folderPrefix(prefix);
      return listings.start(
        (signal) =>
          versions
            ? listVersionsFolder(session, bucket, folder, { signal })
            : search === undefined
              ? listFolder(session, bucket, folder, { signal })
              : searchObjects(session, bucket, folder + search, { signal }),
        () => session.client.destroy(),
      );
    },
    'objects:listNext': ({ listingId }) => listings.next(listingId),
    'objects:listCancel': async ({ listingId }) => listings.cancel(listingId),
    'objects:details': ({ credentialId, bucket, key }) => withSession(ctx, credentialId, (session) => objectDetails(session, bucket, key)),
    'objects:newFolder': ({ credentialId, bucket, prefix, name }) => withSession(ctx, credentialId, (session) => createFolder(session, bucket, prefix, name)),
    'objects:count': ({ credentialId, bucket, folders, operationId }) =>
      withSession(ctx, credentialId, async (session) => {
        const count = async (signal?: AbortSignal) => {
          const total = { count: 0, bytes: 0 };
          for (const folder of folders) {
            const one = await countObjects(session, bucket, folder, signal);
            total.count += one.count;
            total.bytes += one.bytes;
          }
          return total;
        };
        return operationId ? ctx.operations.run(operationId, ({ signal }) => count(signal)) : count();
      }),
    'objects:delete': ({ credentialId, bucket, keys, folders, operationId }) =>
      withSession(ctx, credentialId, (session) => ctx.operations.run(operationId, (options) => deleteObjects(session, bucket, { keys, folders }, options))),
    'objects:move': ({ credentialId, bucket, from, to, overwrite, operationId }) =>
      withSession(ctx, credentialId, (session) =>
        ctx.operations.run(operationId, async (options) => {
          if (from.endsWith('/')) return moveFolder(session, { bucket, prefix: from }, { bucket, prefix: to }, options);
          await moveObject(session, { bucket, key: from }, { bucket, key: to }, { overwrite, signal: options.signal });
          return 1;
        }),
      ),
    'objects:share': ({ credentialId, bucket, key, expiresInSeconds }) => withSession(ctx, credentialId, (session) => shareLink(session, bucket, key, expiresInSeconds)),
    'operations:cancel': async ({ operationId }) => ctx.operations.cancel(operationId),
  };
}
