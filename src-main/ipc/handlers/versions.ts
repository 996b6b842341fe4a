import { measure } from '../../core/s3/sizes';
import { countVersions, deleteAllVersions, deleteVersion, restoreVersion } from '../../core/s3/versions';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { withSession } from './s3-session';

type VersionHandlers = Pick<Handlers, 'versions:delete' | 'versions:restore' | 'versions:count' | 'versions:deleteAll' | 'sizes:measure'>;

export function versionHandlers(ctx: AppContext): VersionHandlers {
  return {
    'versions:delete': ({ credentialId, bucket, key, versionId }) => withSession(ctx, credentialId, (session) => deleteVersion(session, bucket, key, versionId)),
    'versions:restore': ({ credentialId, bucket, key, versionId, operationId }) =>
      withSession(ctx, credentialId, (session) => ctx.operations.run(operationId, ({ signal }) => restoreVersion(session, bucket, key, versionId, { signal }))),
    'versions:count': ({ credentialId, bucket, keys, folders, operationId }) =>
      withSession(ctx, credentialId, (session) =>
        operationId ? ctx.operations.run(operationId, ({ signal }) => countVersions(session, bucket, { keys, folders }, { signal })) : countVersions(session, bucket, { keys, folders }),
      ),
    'versions:deleteAll': ({ credentialId, bucket, keys, folders, operationId }) =>
      withSession(ctx, credentialId, (session) => ctx.operations.run(operationId, (options) => deleteAllVersions(session, bucket, { keys, folders }, options))),
    'sizes:measure': ({ credentialId, bucket, prefixes, withVersions, operationId }) =>
      withSession(ctx, credentialId, (session) =>
        ctx.operations.run(operationId, ({ signal, onProgress }) =>
          measure(session, bucket, prefixes, { signal, withVersions, onProgress: (p) => onProgress({ done: p.objects, total: 0, bytes: p.bytes }) }),
        ),
      ),
  };
}
