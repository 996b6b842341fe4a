import { KeydeskError, toErrorInfo } from '../errors';
import { parseEndpoint } from '../s3/client';
import { parseRows, requireField } from './account-settings';
import type { AccessKeyInfo, AccountContext, AccountField, KeyScope, NewAccessKey, ProviderAdapter, ProviderSession, RegionInfo } from './adapter';
import {
  acceptedRoles,
  catalogS3Endpoint,
  identityBase,
  keystoneConnection,
  roleError,
  roleRefusal,
  S3_ROLES_FIELD,
  toKeyInfo,
  type KeystoneConnection,
  type KeystoneToken,
} from './openstack-identity';

/**
 * OpenStack clouds that run each region as its own cloud, with its own Keystone: a user has one S3 key
 * (EC2 credential) per region, a region without one is "Not configured", only roles S3 accepts (member,
 * admin) may make or reset keys, "Reset key" replaces the key (the old pair stops at once), and keys are
 * never deleted. No Keystone knows the other regions, so the user lists them; each region's S3 endpoint
 * is entered or read from that region's service catalog.
 */

const PROVIDER = 'OpenStack';
const REGION_NAME = /^[a-z0-9-]{1,64}$/i;

const REGIONS_FIELD: AccountField = {
  name: 'regions',
  label: 'Regions',
  kind: 'rows',
  required: true,
  addLabel: 'Add region',
  help: "One row per region, each with its own Keystone (OS_AUTH_URL of that region's RC file). Leave the S3 endpoint empty to read it from the region's service catalog.",
  columns: [
    { name: 'name', label: 'Region', kind: 'text', required: true, placeholder: 'sto2' },
    { name: 'authUrl', label: 'Keystone URL', kind: 'url', required: true, placeholder: 'https://keystone.sto2.example.com:5000/v3' },
    { name: 's3Endpoint', label: 'S3 endpoint', kind: 'url', required: false, placeholder: 'from the catalog' },
  ],
};

interface Region {
  name: string;
  keystone: KeystoneConnection;
  /** As the user entered it; else what the region's catalog said at the last sign-in. */
  entered?: string;
  discovered?: string;
}

function readRegions(account: AccountContext): Region[] {
  const rows = parseRows(REGIONS_FIELD, account.settings[REGIONS_FIELD.name]);
  if (rows.length === 0) throw new KeydeskError({ code: 'INVALID_INPUT', message: `${PROVIDER}: add at least one region to this account.` });
  const names = new Set<string>();
  const keystones = new Map<string, string>();
  return rows.map((row) => {
    if (!REGION_NAME.test(row.name)) {
      throw new KeydeskError({ code: 'INVALID_INPUT', message: `Regions: the region name "${row.name}" may hold only letters, digits and dashes (at most 64).` });
    }
    if (names.has(row.name.toLowerCase())) throw new KeydeskError({ code: 'INVALID_INPUT', message: `Regions: "${row.name}" is listed twice.` });
    names.add(row.name.toLowerCase());
    const base = identityBase(row.authUrl);
    const twin = keystones.get(base);
    if (twin) {
      throw new KeydeskError({
        code: 'INVALID_INPUT',
        message: `Regions ${twin} and ${row.name} use the same Keystone (${base}); this provider is for clouds with one Keystone per region.`,
        hint: 'For a cloud with one Keystone for all regions, add an "OpenStack (Keystone EC2 credentials)" account instead.',
      });
    }
    keystones.set(base, row.name);
    return { name: row.name, keystone: keystoneConnection(account, row.authUrl), entered: row.s3Endpoint && parseEndpoint(row.s3Endpoint) };
  });
}

/** A region's failure names the region: the other regions may be fine. */
function inRegion(region: Region, error: unknown): KeydeskError {
  if (!(error instanceof KeydeskError)) return new KeydeskError({ ...toErrorInfo(error), message: `Region ${region.name}: ${toErrorInfo(error).message}` }, { cause: error });
  return new KeydeskError({ ...error.toJSON(), message: `Region ${region.name}: ${error.message}` }, { cause: error });
}

function connect(account: AccountContext): ProviderSession {
  const regions = readRegions(account);
  const projectName = requireField(account, PROVIDER, 'projectName', 'project name');
  const accepted = acceptedRoles(account);

  function regionOf(scope: KeyScope): Region {
    if (!scope.region && regions.length === 1) return regions[0];
    const region = regions.find((r) => r.name === scope.region);
    if (region) return region;
    throw new KeydeskError({
      code: 'INVALID_INPUT',
      message: scope.region ? `This account has no region "${scope.region}" (it has ${regions.map((r) => r.name).join(', ')}).` : 'Choose a region for the key.',
    });
  }

  async function run<T>(region: Region, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw inRegion(region, error);
    }
  }

  /** Every token carries the region's catalog: the S3 endpoint is learnt (again) from each. */
  function learn(region: Region, token: KeystoneToken): KeystoneToken {
    region.discovered = catalogS3Endpoint(token.catalog, region.name);
    return token;
  }

  const rolesOf = (token: KeystoneToken) => (token.project ? token.roles.toSorted() : []);
  const where = (region: Region) => ({ project: projectName, region: region.name });

  const refusalFor = (region: Region, token: KeystoneToken, action: string) => roleRefusal(rolesOf(token), accepted, where(region), action);

  /**
   * The region's token, read again when it lacks a role S3 accepts: a role granted since it was issued
   * shows only in a new token (a revoked one revokes the token, so a cached token never over-reports).
   */
  async function tokenWithRoles(region: Region, action: string): Promise<KeystoneToken> {
    const token = await region.keystone.token();
    return learn(region, refusalFor(region, token, action) ? await region.keystone.freshToken() : token);
  }

  function refuseWithoutRole(region: Region, token: KeystoneToken, action: string): void {
    const refusal = refusalFor(region, token, action);
    if (refusal) throw roleError(refusal, where(region), accepted);
  }

  /** The user's credentials for the account's project in this region; none where the user has no role. */
  async function projectCredentials(region: Region) {
    const { credentials, token } = await region.keystone.listCredentials();
    const project = learn(region, token).project;
    return { token, credentials: project ? credentials.filter((c) => c.tenant_id === project.id) : [] };
  }

  const keysIn = (region: Region): Promise<AccessKeyInfo[]> =>
    run(region, async () => (await projectCredentials(region)).credentials.map((c) => toKeyInfo(c, region.name)));

  const endpointOf = (region: Region) => region.entered ?? region.discovered;

  return {
    async verify() {
      const results = await Promise.allSettled(
        regions.map((region) =>
          run(region, async () => {
            // Listing too, so that a Keystone that will not let this user manage credentials fails here.
            const { token } = await projectCredentials(region);
            // Unscoped tokens (no role on the project) carry no catalog; no key can be made there anyway.
            if (token.project && !endpointOf(region)) {
              throw new KeydeskError({
                code: 'INVALID_INPUT',
                message: "no S3 endpoint was entered, and the region's service catalog lists none (no s3 or object-store service).",
                hint: 'Enter the S3 endpoint of this region.',
              });
            }
            return token;
          }),
        ),
      );
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      const token = (results[0] as PromiseFulfilledResult<KeystoneToken>).value;
      return { id: token.userId, name: token.userName };
    },

    async listRegions(): Promise<RegionInfo[]> {
      return Promise.all(
        regions.map(async (region): Promise<RegionInfo> => {
          try {
            const action = 'creating or resetting keys';
            const token = await run(region, () => tokenWithRoles(region, action));
            return { name: region.name, endpoint: endpointOf(region), roles: rolesOf(token), refusal: refusalFor(region, token, action) };
          } catch (error) {
            return { name: region.name, endpoint: endpointOf(region), error: toErrorInfo(error) };
          }
        }),
      );
    },

    async listKeys(scope) {
      if (scope.region || regions.length === 1) return keysIn(regionOf(scope));
      return (await Promise.all(regions.map(keysIn))).flat();
    },

    async createKey(options): Promise<NewAccessKey> {
      const region = regionOf(options);
      return run(region, async () => {
        refuseWithoutRole(region, await tokenWithRoles(region, 'creating keys'), 'creating keys');
        // Signed in with a role on the project: the token is scoped to it.
        const { token, credentials } = await projectCredentials(region);
        if (credentials.length) {
          throw new KeydeskError({
            code: 'LIMIT_REACHED',
            provider: PROVIDER,
            message: `this cloud allows one key per region, and ${region.name} has one (${credentials[0].access}).`,
            hint: 'Reset that key to replace it.',
          });
        }
        const created = await region.keystone.createCredential(token.project!.id);
        return { ...toKeyInfo(created, region.name), secretAccessKey: created.secret };
      });
    },

    /**
     * "Reset key": a new key replaces the old one, which stops at once. The new key is made before the old
     * one is removed, so no instant (not even a crash) leaves the region with no key at all.
     */
    async regenerateSecret(keyId, scope): Promise<NewAccessKey> {
      const region = regionOf(scope);
      return run(region, async () => {
        refuseWithoutRole(region, await tokenWithRoles(region, 'resetting keys'), 'resetting keys');
        // Signed in with a role on the project: the token is scoped to it.
        const { token, credentials } = await projectCredentials(region);
        if (!credentials.some((c) => c.access === keyId)) {
          throw new KeydeskError({ code: 'NOT_FOUND', provider: PROVIDER, message: `the key ${keyId} is not one of your keys for project ${projectName} any more.` });
        }
        const created = await region.keystone.createCredential(token.project!.id);
        try {
          await region.keystone.deleteCredential(keyId);
        } catch (error) {
          const undone = await region.keystone.deleteCredential(created.access).then(
            () => true,
            () => false,
          );
          const info = toErrorInfo(error);
          throw new KeydeskError(
            {
              ...info,
              message: undone
                ? `the old key ${keyId} could not be removed (${info.message}), so the reset was undone: the old key still works.`
                : `the old key ${keyId} could not be removed (${info.message}), and the new key ${created.access} could not be removed either: the region has both until one is reset again.`,
            },
            { cause: error },
          );
        }
        return { ...toKeyInfo(created, region.name), secretAccessKey: created.secret };
      });
    },

    async showSecret(keyId, scope) {
      const region = regionOf(scope);
      return run(region, async () => (await region.keystone.credential(keyId)).secret);
    },

    s3Location(name) {
      const region = regionOf({ region: name });
      const endpoint = endpointOf(region);
      if (!endpoint) {
        throw new KeydeskError({
          code: 'INVALID_INPUT',
          message: `Region ${region.name}: the S3 endpoint is not known yet; Keydesk reads it from the region's service catalog when it signs in there.`,
          hint: "Open the account's keys once, or add the region's S3 endpoint to the account.",
        });
      }
      // The region's name is what S3 requests are signed for; OpenStack S3 is usually path-style.
      return { endpoint, region: region.name, forcePathStyle: true };
    },
  };
}

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'openstack-regions',
    name: 'OpenStack (one Keystone per region)',
    summary: 'OpenStack clouds whose regions each run their own Keystone: one S3 key per region, created and reset region by region.',
    capabilities: {
      maxKeysPerOwner: 1,
      limitScope: 'region',
      canDeactivate: false,
      canDelete: false,
      canShowSecretAgain: true,
      canRegenerate: true,
      resetReplacesKey: true,
      hasGracePeriod: false,
      canEditDescription: false,
      hasRegions: true,
      hasRoles: true,
      keysForOtherUsers: false,
      canSuspendOwner: false,
      reportsLastUsed: false,
      rotation: 'regenerate',
    },
    accountFields: [
      REGIONS_FIELD,
      { name: 'username', label: 'User name', kind: 'text', required: true, help: 'The same user in every region.' },
      { name: 'userDomain', label: 'User domain', kind: 'text', required: false, defaultValue: 'Default' },
      { name: 'password', label: 'Password', kind: 'secret', required: true },
      { name: 'projectName', label: 'Project name', kind: 'text', required: true, help: 'Keys are made for this project in each region.' },
      { name: 'projectDomain', label: 'Project domain', kind: 'text', required: false, defaultValue: 'Default' },
      S3_ROLES_FIELD,
    ],
  },
  connect,
};
