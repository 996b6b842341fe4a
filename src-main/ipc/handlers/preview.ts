import type { AppContext } from '../app-context';
import type { Handlers } from '../contract';
import { PreviewRegistry } from '../previews';

type PreviewHandlers = Pick<Handlers, 'preview:open' | 'preview:chunk' | 'preview:close'>;

export function previewHandlers(ctx: AppContext, previews = new PreviewRegistry()): PreviewHandlers {
  return {
    'preview:open': async ({ credentialId, bucket, key, versionId }) => previews.start(await ctx.vault.connection(credentialId), bucket, key, versionId),
    'preview:chunk': ({ previewId, offset }) => previews.chunk(previewId, offset),
    'preview:close': async ({ previewId }) => previews.close(previewId),
  };
}
