import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import { requireField, setting } from './account-settings';
import type { AccessKeyInfo, AccountContext, KeyOwner, ProviderAdapter, ProviderSession } from './adapter';
import { httpRequest, withSignIn, type ErrorMapper, type HttpRequest, type HttpResponse } from './http';

/**
 * OpenStack Keystone v3 EC2 credentials: the S3 keys of OpenStack clouds (RGW or Swift s3api check them
 * against Keystone). A credential belongs to the signed-in user and one project (`tenant_id`); Keystone
 * returns its secret on every read and cannot regenerate it.
 */

const PROVIDER = 'Keystone';

interface Ec2Credential {
  user_id: string;
  tenant_id: string;
  access: string;
  secret: string;
}

interface Token {
  value: string;
  userId: string;
  userName: string;
  projectId?: string;
  expiresAt: number;
}

interface TokenBody {
  token: { expires_at: string; user: { id: string; name: string }; project?: { id: string; name: string } };
}

const DELEGATED = /Delegated tokens cannot access credentials directly/i;

function keystoneErrorMapper(signingIn: boolean): ErrorMapper {
  return (response: HttpResponse) => {
    let detail: { message?: string; title?: string } = {};
    try {
      detail = (JSON.parse(response.text) as { error?: typeof detail }).error ?? {};
    } catch {
      // not Keystone's JSON error body (a proxy's page): status alone
    }
    const { status } = response;
    const providerCode = detail.title;
    const reason = detail.message?.trim().replace(/\.$/, '') || 'the request failed';
    const said = `${reason}${providerCode ? ` (${providerCode})` : ''} — ${status}`;
    if (status === 403 && DELEGATED.test(reason)) {
      return new KeydeskError({
        code: 'ACCESS_DENIED',
        provider: PROVIDER,
        providerCode,
        status,
        message: `Keystone does not let an application credential manage EC2 credentials: ${said}.`,
        hint: 'Sign in with user name and password in this account, or ask your cloud operator to allow application credentials to manage EC2 credentials.',
      });
    }
    const code: ErrorCode =
      status === 401 ? 'AUTH_FAILED' : status === 403 ? 'ACCESS_DENIED' : status === 404 ? 'NOT_FOUND' : status === 409 ? 'CONFLICT' : status === 400 ? 'INVALID_INPUT' : 'PROVIDER';
    return new KeydeskError({
      code,
      provider: PROVIDER,
      providerCode,
      status,
      message: signingIn && status === 401 ? `Keystone refused the sign-in: ${said}` : `Keystone refused: ${said}`,
      hint: signingIn && status === 401 ? "Check the account's user name, password, domain and project, or its application credential." : undefined,
    });
  };
}

/** Accepts the auth URL with or without the `/v3` suffix that OpenStack RC files differ on. */
function identityBase(raw: string): string {
  const base = parseEndpoint(raw);
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

function authBody(account: AccountContext): unknown {
  if (setting(account, 'authMethod') === 'application_credential') {
    const id = requireField(account, PROVIDER, 'applicationCredentialId', 'application credential ID');
    const secret = requireField(account, PROVIDER, 'applicationCredentialSecret', 'application credential secret', 'secrets');
    // The application credential carries its own project scope.
    return { auth: { identity: { methods: ['application_credential'], application_credential: { id, secret } } } };
  }
  const name = requireField(account, PROVIDER, 'username', 'user name');
  const password = requireField(account, PROVIDER, 'password', 'password', 'secrets');
  const projectName = setting(account, 'projectName');
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name, domain: { name: setting(account, 'userDomain') ?? 'Default' }, password } } },
      ...(projectName && { scope: { project: { name: projectName, domain: { name: setting(account, 'projectDomain') ?? 'Default' } } } }),
    },
  };
}

function toKeyInfo(credential: Ec2Credential): AccessKeyInfo {
  // EC2 credentials have no status or dates: a listed one is usable.
  return { id: credential.access, accessKeyId: credential.access, status: 'active', owner: credential.tenant_id };
}

function connect(account: AccountContext): ProviderSession {
  const base = identityBase(requireField(account, PROVIDER, 'authUrl', 'auth URL'));
  const oneSetPerProject = setting(account, 'oneCredentialPerProject') === 'true';
  // In memory only, for this session: a token is as good as a password until it expires.
  let token: Token | undefined;

  async function signIn(): Promise<Token> {
    const response = await httpRequest(
      PROVIDER,
      { method: 'POST', url: `${base}/auth/tokens`, body: authBody(account), signal: account.signal },
      keystoneErrorMapper(true),
    );
    const value = response.headers.get('x-subject-token');
    if (!value) throw new KeydeskError({ code: 'PROVIDER', provider: PROVIDER, message: 'Keystone signed in but returned no token (X-Subject-Token). Check the auth URL.' });
    const { token: body } = response.json<TokenBody>();
    token = { value, userId: body.user.id, userName: body.user.name, projectId: body.project?.id, expiresAt: Date.parse(body.expires_at) };
    return token;
  }

  /** Calls with the cached token; on 401 (token revoked or expired early) signs in again, once. */
  async function call(request: Omit<HttpRequest, 'url' | 'headers'> & { path: (t: Token) => string }): Promise<{ response: HttpResponse; token: Token }> {
    const send = async (t: Token) => ({
      response: await httpRequest(
        PROVIDER,
        { ...request, url: `${base}${request.path(t)}`, headers: { 'x-auth-token': t.value }, signal: account.signal },
        keystoneErrorMapper(false),
      ),
      token: t,
    });
    return withSignIn(
      PROVIDER,
      {
        // A minute of margin so a token does not expire between here and the request.
        cached: () => (token && token.expiresAt - Date.now() > 60_000 ? token : undefined),
        signIn,
        forget: () => (token = undefined),
      },
      send,
      "The password or application credential may have changed or expired; update the account's credentials.",
    );
  }

  const credentialsPath = (t: Token) => `/users/${encodeURIComponent(t.userId)}/credentials/OS-EC2`;
  const credentialPath = (keyId: string) => (t: Token) => `${credentialsPath(t)}/${encodeURIComponent(keyId)}`;

  async function listCredentials(): Promise<{ credentials: Ec2Credential[]; token: Token }> {
    const { response, token: t } = await call({ method: 'GET', path: credentialsPath });
    return { credentials: response.json<{ credentials: Ec2Credential[] }>().credentials, token: t };
  }

  return {
    limits: oneSetPerProject ? { maxKeysPerOwner: 1, limitScope: 'project' } : undefined,

    async verify(): Promise<KeyOwner> {
      // Listing too, so that a sign-in Keystone will not let manage credentials fails here and not later.
      const { token: t } = await listCredentials();
      return { id: t.userId, name: t.userName };
    },

    async listKeys(scope) {
      const { credentials } = await listCredentials();
      return credentials.filter((c) => !scope.owner || c.tenant_id === scope.owner).map(toKeyInfo);
    },

    async createKey(options) {
      const { credentials, token: t } = await listCredentials();
      const project = options.owner ?? t.projectId;
      if (!project) {
        throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Keystone: choose a project for the key, or set a project name in this account.' });
      }
      const existing = credentials.find((c) => c.tenant_id === project);
      if (oneSetPerProject && existing) {
        throw new KeydeskError({
          code: 'LIMIT_REACHED',
          provider: PROVIDER,
          message: `This cloud allows one set of S3 credentials per project, and project ${project} already has one (${existing.access}).`,
          hint: 'Delete the existing credentials first, or turn off the one-per-project setting if your cloud allows more.',
        });
      }
      const { response } = await call({ method: 'POST', path: credentialsPath, body: { tenant_id: project } });
      const created = response.json<{ credential: Ec2Credential }>().credential;
      return { ...toKeyInfo(created), secretAccessKey: created.secret };
    },

    async deleteKey(keyId) {
      await call({ method: 'DELETE', path: credentialPath(keyId) });
    },

    async showSecret(keyId) {
      const { response } = await call({ method: 'GET', path: credentialPath(keyId) });
      return response.json<{ credential: Ec2Credential }>().credential.secret;
    },

    s3Location(region) {
      const endpoint = requireField(account, PROVIDER, 's3Endpoint', 'S3 endpoint');
      // OpenStack S3 (RGW, Swift s3api) is usually served without wildcard DNS: path style.
      return { endpoint: parseEndpoint(endpoint), region: region ?? setting(account, 's3Region') ?? 'us-east-1', forcePathStyle: true };
    },
  };
}

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
      hasRoles: false,
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
      { name: 'applicationCredentialId', label: 'Application credential ID', kind: 'text', required: false },
      { name: 'applicationCredentialSecret', label: 'Application credential secret', kind: 'secret', required: false },
      { name: 'username', label: 'User name', kind: 'text', required: false },
      { name: 'userDomain', label: 'User domain', kind: 'text', required: false, defaultValue: 'Default' },
      { name: 'password', label: 'Password', kind: 'secret', required: false },
      { name: 'projectName', label: 'Project name', kind: 'text', required: false, help: 'New keys are made for this project.' },
      { name: 'projectDomain', label: 'Project domain', kind: 'text', required: false, defaultValue: 'Default' },
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
    ],
  },
  connect,
};
