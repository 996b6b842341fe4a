import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { accountHandlers } from './accounts';
import { appHandlers } from './app';
import { clipboardHandlers } from './clipboard';
import { bucketHandlers } from './buckets';
import { credentialHandlers } from './credentials';
import { keyHandlers } from './keys';
import { rotationHandlers } from './rotation';
import { ecosystemHandlers } from './ecosystem';
import { objectHandlers } from './objects';
import { transferHandlers } from './transfers';

export function createHandlers(ctx: AppContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...clipboardHandlers(ctx),
    ...credentialHandlers(ctx),
    ...bucketHandlers(ctx),
    ...accountHandlers(ctx),
    ...keyHandlers(ctx),
    ...rotationHandlers(ctx),
    ...ecosystemHandlers(ctx),
    ...objectHandlers(ctx),
    ...transferHandlers(ctx),
  };
}
