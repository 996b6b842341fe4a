import { KeydeskError } from '../errors';
import { parseEndpoint } from '../s3/client';
import { requireField, setting } from './account-settings';
import type { AccountContext, FieldChoice, KeyOwner, ProviderAdapter, ProviderSession } from './adapter';
import {
  acceptedRoles,
  KEYSTONE,
  keystoneConnection,
  roleError,
  roleRefusal,
  S3_ROLES_FIELD,
  toKeyInfo,
  usesApplicationCredential,
  type KeystoneToken,
} from './openstack-identity';

/**
 * OpenStack Keystone v3 EC2 credentials: the S3 keys of OpenStack clouds (RGW or Swift s3api check them
 * against Keystone). A credential belongs to the signed-in user and one project (`tenant_id`); Keystone
 * returns its secret on every read and cannot regenerate it. Keystone also creates a credential for a
 * project where the user has no role (or only one S3 does not accept), which then fails on S3: Keydesk
 * refuses that up front, naming the role.
 */

function connect(account: AccountContext): ProviderSession {
  const keystone = keystoneConnection(account, requireField(account, KEYSTONE, 'authUrl', 'auth URL'));
  const oneSetPerProject = setting(account, 'oneCredentialPerProject') === 'true';
  const accepted = acceptedRoles(account);

  /** The user's roles on `project` and its name; no project means the account's own refused its scope. */
  async function rolesOn(project: string | undefined, token: KeystoneToken): Promise<{ roles: string[]; name: string }> {
    if (!project) return { roles: [], name: setting(account, 'projectName')! };
    if (project === token.project?.id) return { roles: token.roles, name: token.project.name };
    if (usesApplicationCredential(account)) {
      throw new KeydeskError({
        code: 'ACCESS_DENIED',
        provider: KEYSTONE,
        message: `An application credential acts only in its own project${token.project ? ` (${token.project.name})` : ''}, so Keydesk cannot tell your roles on project ${project}.`,
        hint: 'Make keys for that project with an account that signs in with user name and password.',
      });
    }
    const other = await keystone.rolesOn(project);
    return { roles: other.roles, name: other.projectName ?? project };
  }

  /** The project a new key is for, refused up front unless the user holds a role S3 accepts there. */
  async function projectForNewKey(owner: string | undefined, token: KeystoneToken): Promise<string> {
    const project = owner ?? token.project?.id;
    if (!project && !setting(account, 'projectName')) {
      throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Keystone: choose a project for the key, or set a project name in this account.' });
    }
    const { roles, name } = await rolesOn(project, token);
    const refusal = roleRefusal(roles, accepted, { project: name }, 'creating keys');
    // No project means no role: refused here too.
    if (refusal || !project) throw roleError(refusal!, { project: name }, accepted);
    return project;
  }

  return {
    limits: oneSetPerProject ? { maxKeysPerOwner: 1, limitScope: 'project' } : undefined,

    async verify(): Promise<KeyOwner> {
      // Listing too, so that a sign-in Keystone will not let manage credentials fails here and not later.
      const { token } = await keystone.listCredentials();
      return { id: token.userId, name: token.userName };
    },

    async listKeys(scope) {
      const { credentials } = await keystone.listCredentials();
      return credentials.filter((c) => !scope.owner || c.tenant_id === scope.owner).map((c) => toKeyInfo(c));
    },

    async createKey(options) {
      const { credentials, token } = await keystone.listCredentials();
      // A role granted since the cached token was issued shows only in a new one: a refusal is checked again.
      const project = await projectForNewKey(options.owner, token).catch(async (error: unknown) => {
        if (!(error instanceof KeydeskError && error.providerCode === 'RoleRequired')) throw error;
        return projectForNewKey(options.owner, await keystone.freshToken());
      });
      const existing = credentials.find((c) => c.tenant_id === project);
      if (oneSetPerProject && existing) {
        throw new KeydeskError({
          code: 'LIMIT_REACHED',
          provider: KEYSTONE,
          message: `This cloud allows one set of S3 credentials per project, and project ${project} already has one (${existing.access}).`,
          hint: 'Delete the existing credentials first, or turn off the one-per-project setting if your cloud allows more.',
        });
      }
      const created = await keystone.createCredential(project);
      return { ...toKeyInfo(created), secretAccessKey: created.secret };
    },

    async deleteKey(keyId) {
      await keystone.deleteCredential(keyId);
    },

    async showSecret(keyId) {
      return (await keystone.credential(keyId)).secret;
    },

    s3Location(region) {
      const endpoint = requireField(account, KEYSTONE, 's3Endpoint', 'S3 endpoint');
      // OpenStack S3 (RGW, Swift s3api) is usually served without wildcard DNS: path style.
      return { endpoint: parseEndpoint(endpoint), region: region ?? setting(account, 's3Region') ?? 'us-east-1', forcePathStyle: true };
    },
  };
}

// An application credential carries its own user and project.
const withPassword: FieldChoice = { field: 'authMethod', equals: ['password'] };
const withAppCredential: FieldChoice = { field: 'authMethod', equals: ['application_credential'] };

export const adapter: ProviderAdapter = {
  descriptor: {
    id: 'openstack-keystone',
    name: 'OpenStack (Keystone EC2 credentials)',
    summary: 'OpenStack clouds: S3 keys are Keystone EC2 credentials of your user in a project.',
    capabilities: {
      // No limit in Keystone itself; clouds that allow one set per project say so in the account
      // settings, and the session reports it as `limits`.
      limitScope: 'project',
      canDeactivate: false,
      canDelete: true,
      canShowSecretAgain: true,
      canRegenerate: false,
      hasGracePeriod: false,
      canEditDescription: false,
      hasRegions: false,
      hasRoles: true,
      keysForOtherUsers: false,
      canSuspendOwner: false,
      reportsLastUsed: false,
      rotation: 'create-then-delete',
    },
    accountFields: [
      { name: 'authUrl', label: 'Auth URL', kind: 'url', required: true, placeholder: 'https://keystone.example.com:5000/v3', help: 'OS_AUTH_URL from your OpenStack RC file.' },
      {
        name: 'authMethod',
        label: 'Sign in with',
        kind: 'select',
        required: true,
        defaultValue: 'password',
        options: [
          { value: 'password', label: 'User name and password' },
          { value: 'application_credential', label: 'Application credential' },
        ],
        help: 'Many clouds refuse EC2-credential changes made with an application credential.',
      },
      { name: 'applicationCredentialId', label: 'Application credential ID', kind: 'text', required: true, shownWhen: withAppCredential },
      { name: 'applicationCredentialSecret', label: 'Application credential secret', kind: 'secret', required: true, shownWhen: withAppCredential },
      { name: 'username', label: 'User name', kind: 'text', required: true, shownWhen: withPassword },
      { name: 'userDomain', label: 'User domain', kind: 'text', required: true, defaultValue: 'Default', shownWhen: withPassword },
      { name: 'password', label: 'Password', kind: 'secret', required: true, shownWhen: withPassword },
      { name: 'projectName', label: 'Project name', kind: 'text', required: false, help: 'New keys are made for this project.', shownWhen: withPassword },
      { name: 'projectDomain', label: 'Project domain', kind: 'text', required: false, defaultValue: 'Default', shownWhen: withPassword },
      {
        name: 'oneCredentialPerProject',
        label: 'One set of S3 credentials per project',
        kind: 'boolean',
        required: false,
        defaultValue: 'false',
        help: 'Turn on if your cloud allows only one EC2 credential per project.',
      },
      { name: 's3Endpoint', label: 'S3 endpoint', kind: 'url', required: true, placeholder: 'https://s3.example.com' },
      { name: 's3Region', label: 'S3 region', kind: 'text', required: false, defaultValue: 'us-east-1' },
      S3_ROLES_FIELD,
    ],
  },
  connect,
};
