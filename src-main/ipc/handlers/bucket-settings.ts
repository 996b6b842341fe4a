import { KeydeskError } from '../../core/errors';
import { readBucketSettings, readSetting, setBucketTags, setCors, setLifecycle, setPolicy, setVersioning } from '../../core/s3/bucket-settings';
import type { ServerProfiles } from '../../core/s3/server-profile';
import type { Setting } from '../../core/s3/settings-area';
import type { BucketQuota } from '../../core/providers/adapter';
import type { AppContext } from '../app-context';
import { checkPolicy } from '../channels/policy-check';
import type { Handlers } from '../contract';
import { withServer } from './s3-session';

type SettingsHandlers = Pick<
  Handlers,
  'settings:get' | 'settings:versioning' | 'settings:setVersioning' | 'settings:setLifecycle' | 'settings:setCors' | 'settings:setPolicy' | 'settings:setTags'
>;

export function bucketSettingsHandlers(ctx: AppContext, profiles: ServerProfiles): SettingsHandlers {
  const server = <T>(credentialId: string, bucket: string, work: Parameters<typeof withServer<T>>[4]) => withServer(ctx, profiles, credentialId, bucket, work);
  return {
    'settings:get': ({ credentialId, bucket }) =>
      server(credentialId, bucket, async (s) => {
        const [settings, quota] = await Promise.all([readBucketSettings(s, bucket), readQuota(ctx, credentialId, bucket)]);
        return quota ? { ...settings, quota } : settings;
      }),
    'settings:versioning': ({ credentialId, bucket }) => server(credentialId, bucket, (s) => readSetting(s, bucket, 'versioning')),
    'settings:setVersioning': ({ credentialId, bucket, status }) => server(credentialId, bucket, (s) => setVersioning(s, bucket, status)),
    'settings:setLifecycle': ({ credentialId, bucket, rules }) => server(credentialId, bucket, (s) => setLifecycle(s, bucket, rules)),
    'settings:setCors': ({ credentialId, bucket, rules }) => server(credentialId, bucket, (s) => setCors(s, bucket, rules)),
    'settings:setPolicy': ({ credentialId, bucket, policy, acceptWarnings }) => {
      if (policy !== null) {
        const check = checkPolicy(policy, bucket);
        if (check.problems.length > 0) throw new KeydeskError({ code: 'INVALID_INPUT', message: check.problems.join(' ') });
        if (check.warnings.length > 0 && !acceptWarnings) throw new KeydeskError({ code: 'CONFLICT', message: `${check.warnings.join(' ')} Confirm to save it anyway.` });
      }
      return server(credentialId, bucket, (s) => setPolicy(s, bucket, policy));
    },
    'settings:setTags': ({ credentialId, bucket, tags }) => server(credentialId, bucket, (s) => setBucketTags(s, bucket, tags)),
  };
}

/**
 * The bucket's quota from the provider account the credential came from, where its adapter reports one
 * (RGW Admin Ops with the buckets=read cap). Undefined, so the tab is left out, when there is no such
 * account or adapter; a refusal is shown as the reason.
 */
async function readQuota(ctx: AppContext, credentialId: string, bucket: string): Promise<Setting<BucketQuota> | undefined> {
  const accountId = ctx.vault.get(credentialId).accountId;
  if (!accountId) return undefined;
  const session = await ctx.accounts.session(accountId).catch(() => undefined);
  if (!session?.bucketQuota) return undefined;
  try {
    return { state: 'ok', value: await session.bucketQuota(bucket) };
  } catch (error) {
    if (error instanceof KeydeskError && error.code === 'ACCESS_DENIED') return { state: 'denied', reason: `The provider account may not read bucket quotas: ${error.message}` };
    return undefined;
  }
}
