import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { accountHandlers } from './accounts';
import { appHandlers } from './app';
import { clipboardHandlers } from './clipboard';
import { bucketHandlers } from './buckets';
import { credentialHandlers } from './credentials';
import { keyHandlers } from './keys';
import { rotationHandlers } from './rotation';
import { leakHandlers } from './leak';
import { ecosystemHandlers } from './ecosystem';
import { objectHandlers } from './objects';
import { ServerProfiles } from '../../core/s3/server-profile';
import { aclHandlers } from './acl';
import { bucketSettingsHandlers } from './bucket-settings';
import { propertyHandlers } from './object-properties';
import { previewHandlers } from './preview';
import { versionHandlers } from './versions';
import { plaintextHandlers } from './plaintext';
import { tlsHandlers } from './tls';
import { transferHandlers } from './transfers';

export function createHandlers(ctx: AppContext): Handlers {
  // What each S3 endpoint implements, learnt once per app run and shared by every settings handler.
  const profiles = new ServerProfiles();
  return {
    ...appHandlers(ctx),
    ...clipboardHandlers(ctx),
    ...credentialHandlers(ctx),
    ...bucketHandlers(ctx),
    ...accountHandlers(ctx),
    ...keyHandlers(ctx),
    ...rotationHandlers(ctx),
    ...leakHandlers(ctx),
    ...ecosystemHandlers(ctx),
    ...plaintextHandlers(ctx),
    ...objectHandlers(ctx),
    ...versionHandlers(ctx),
    ...propertyHandlers(ctx, profiles),
    ...previewHandlers(ctx),
    ...bucketSettingsHandlers(ctx, profiles),
    ...aclHandlers(ctx, profiles),
    ...transferHandlers(ctx),
    ...tlsHandlers(ctx),
  };
}
