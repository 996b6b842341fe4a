import { readObjectProperties, updateManyObjects } from '../../core/s3/object-properties';
import type { ServerProfiles } from '../../core/s3/server-profile';
import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { withServer } from './s3-session';

type PropertyHandlers = Pick<Handlers, 'properties:get' | 'properties:update'>;

export function propertyHandlers(ctx: AppContext, profiles: ServerProfiles): PropertyHandlers {
  return {
    'properties:get': ({ credentialId, bucket, key, versionId }) => withServer(ctx, profiles, credentialId, bucket, (s) => readObjectProperties(s, bucket, key, versionId)),
    'properties:update': ({ credentialId, bucket, keys, change, operationId }) =>
      withServer(ctx, profiles, credentialId, bucket, (s) => ctx.operations.run(operationId, (options) => updateManyObjects(s, bucket, keys, change, options))),
  };
}
