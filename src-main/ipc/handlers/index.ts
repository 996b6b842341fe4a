import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { appHandlers } from './app';
import { bucketHandlers } from './buckets';
import { credentialHandlers } from './credentials';

export function createHandlers(ctx: AppContext): Handlers {
  return {
    ...appHandlers(ctx),
    ...credentialHandlers(ctx),
    ...bucketHandlers(ctx),
  };
}
