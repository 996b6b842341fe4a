import type { ServerProfiles } from '../../core/s3/server-profile';
import { openSession, type S3Session } from '../../core/s3/session';
import { serverContext, type ServerContext } from '../../core/s3/settings-area';
import type { AppContext } from '../app-context';

/**
 * A session for one request, closed afterwards. Not cached: a regenerated secret keeps its access key
 * ID, so a cache keyed by credential could keep signing with the old secret.
 */
export async function withSession<T>(ctx: AppContext, credentialId: string, work: (session: S3Session) => Promise<T>): Promise<T> {
  const session = openSession(await ctx.vault.connection(credentialId));
  try {
    return await work(session);
  } finally {
    session.client.destroy();
  }
}

/** A session with its server's profile (detected once per endpoint, see core/s3/server-profile.ts). */
export async function withServer<T>(ctx: AppContext, profiles: ServerProfiles, credentialId: string, bucket: string, work: (server: ServerContext) => Promise<T>): Promise<T> {
  return withSession(ctx, credentialId, async (session) => work(await serverContext(session, profiles, bucket)));
}
