import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { addGrant, readAcl, removeGrant } from '../../core/s3/acl';
import { s3Call } from '../../core/s3/session';
import type { ServerProfiles } from '../../core/s3/server-profile';
import type { AppContext } from '../app-context';
import type { KnownPrincipal } from '../channels/acl';
import type { Handlers } from '../contract';
import { withServer, withSession } from './s3-session';

type AclHandlers = Pick<Handlers, 'acl:get' | 'acl:grant' | 'acl:revoke' | 'acl:principals'>;

/** Per provider account, listing its users may take a while; after this the picker goes on without it. */
const PRINCIPALS_TIMEOUT_MS = 10_000;

export function aclHandlers(ctx: AppContext, profiles: ServerProfiles): AclHandlers {
  return {
    'acl:get': ({ credentialId, bucket, key, versionId }) => withServer(ctx, profiles, credentialId, bucket, (s) => readAcl(s, { bucket, key, versionId })),
    'acl:grant': ({ credentialId, bucket, key, versionId, userId, permission }) =>
      withServer(ctx, profiles, credentialId, bucket, (s) => addGrant(s, { bucket, key, versionId }, userId, permission)),
    'acl:revoke': ({ credentialId, bucket, key, versionId, grant }) => withServer(ctx, profiles, credentialId, bucket, (s) => removeGrant(s, { bucket, key, versionId }, grant)),
    'acl:principals': async ({ credentialId }) => {
      const principals: KnownPrincipal[] = [];
      const notes: string[] = [];
      // This key's own owner, as the server names it in ACLs.
      await withSession(ctx, credentialId, async (session) => {
        const owner = (await s3Call(session, undefined, (o) => session.client.send(new ListBucketsCommand({}), o))).Owner;
        if (owner?.ID) principals.push({ id: owner.ID, name: owner.DisplayName || owner.ID, source: 'this key' });
      }).catch(() => notes.push("This key's own canonical ID could not be read (ListBuckets was refused)."));
      await Promise.all(
        ctx.accounts.list().map(async (account) => {
          if (!account.provider.capabilities.keysForOtherUsers) return;
          try {
            const session = await ctx.accounts.session(account.id);
            const owners = (await Promise.race([session.listOwners?.() ?? Promise.resolve([]), timeout()])) ?? [];
            for (const owner of owners) if (owner.canonicalId) principals.push({ id: owner.canonicalId, name: owner.name, source: account.label });
          } catch {
            notes.push(`The users of "${account.label}" could not be listed; paste their canonical IDs instead.`);
          }
        }),
      );
      const seen = new Set<string>();
      return { principals: principals.filter((p) => !seen.has(`${p.id}\u0000${p.source}`) && seen.add(`${p.id}\u0000${p.source}`)), notes };
    },
  };
}

function timeout(): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), PRINCIPALS_TIMEOUT_MS).unref());
}
