import { z } from 'zod';
import { KeydeskError, type ErrorCode } from '../errors';
import { parseEndpoint } from '../s3/client';
import { requireField, setting } from './account-settings';
import type { AccountContext, AccountField, AccessKeyInfo } from './adapter';
import { httpRequest, withSignIn, type ErrorMapper, type HttpRequest, type HttpResponse } from './http';

/**
 * Keystone v3 as both OpenStack adapters use it: password or application-credential sign-in with the token
 * kept in memory, the user's roles on a project (from the token: Keystone's default policy refuses
 * `GET /v3/role_assignments` to users who are not admins), the service catalog, and the EC2 credentials
 * that are an OpenStack cloud's S3 keys (RGW or Swift s3api check them against Keystone).
 */

export const KEYSTONE = 'Keystone';

export type Ec2Credential = z.infer<typeof credentialSchema>;

interface CatalogEntry {
  type: string;
  endpoints: { interface: string; region_id?: string | null; url: string }[];
}

export interface KeystoneToken {
  value: string;
  userId: string;
  userName: string;
  /** Unset when the token is unscoped: no project named, or the user has no role on it. */
  project?: { id: string; name: string };
  /** The user's roles on `project`, implied roles included (admin implies member implies reader). */
  roles: string[];
  catalog: CatalogEntry[];
  expiresAt: number;
}

// Keystone's answers are checked before use: a proxy's page or a broken server gets a clear error, not a crash.
const credentialSchema = z.object({ user_id: z.string(), tenant_id: z.string(), access: z.string(), secret: z.string() });
const tokenSchema = z.object({
  token: z.object({
    expires_at: z.string(),
    user: z.object({ id: z.string(), name: z.string() }),
    project: z.object({ id: z.string(), name: z.string() }).optional(),
    roles: z.array(z.object({ name: z.string() })).optional(),
    catalog: z.array(z.object({ type: z.string(), endpoints: z.array(z.object({ interface: z.string(), region_id: z.string().nullish(), url: z.string() })) })).optional(),
  }),
});

function parsed<T>(response: HttpResponse, schema: z.ZodType<T>, what: string): T {
  const result = schema.safeParse(response.json());
  if (result.success) return result.data;
  throw new KeydeskError({ code: 'PROVIDER', provider: KEYSTONE, status: response.status, message: `Keystone answered with ${what} Keydesk does not understand. Check the auth URL.` });
}

/** Which project a password sign-in asks for: the account's own, one by ID, or none (unscoped). */
export type Scope = 'account' | { projectId: string } | 'none';

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
        provider: KEYSTONE,
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
      provider: KEYSTONE,
      providerCode,
      status,
      message: signingIn && status === 401 ? `Keystone refused the sign-in: ${said}` : `Keystone refused: ${said}`,
      hint: signingIn && status === 401 ? "Check the account's user name, password, domain and project, or its application credential." : undefined,
    });
  };
}

/** Accepts the auth URL with or without the `/v3` suffix that OpenStack RC files differ on. */
export function identityBase(raw: string): string {
  const base = parseEndpoint(raw);
  return /\/v3$/.test(base) ? base : `${base}/v3`;
}

export const usesApplicationCredential = (account: AccountContext) => setting(account, 'authMethod') === 'application_credential';

function authBody(account: AccountContext, scope: Scope): unknown {
  if (usesApplicationCredential(account)) {
    const id = requireField(account, KEYSTONE, 'applicationCredentialId', 'application credential ID');
    const secret = requireField(account, KEYSTONE, 'applicationCredentialSecret', 'application credential secret', 'secrets');
    // The application credential carries its own project scope.
    return { auth: { identity: { methods: ['application_credential'], application_credential: { id, secret } } } };
  }
  const name = requireField(account, KEYSTONE, 'username', 'user name');
  const password = requireField(account, KEYSTONE, 'password', 'password', 'secrets');
  const projectName = setting(account, 'projectName');
  const project =
    scope === 'none'
      ? undefined
      : scope === 'account'
        ? projectName && { name: projectName, domain: { name: setting(account, 'projectDomain') ?? 'Default' } }
        : { id: scope.projectId };
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { name, domain: { name: setting(account, 'userDomain') ?? 'Default' }, password } } },
      ...(project && { scope: { project } }),
    },
  };
}

export function toKeyInfo(credential: Ec2Credential, region?: string): AccessKeyInfo {
  // EC2 credentials have no status or dates: a listed one is usable.
  return { id: credential.access, accessKeyId: credential.access, status: 'active', owner: credential.tenant_id, region };
}

export interface KeystoneConnection {
  /** The cached token, or a fresh one. */
  token(): Promise<KeystoneToken>;
  /** A new token: roles granted since the cached one was issued show only in a new one. */
  freshToken(): Promise<KeystoneToken>;
  listCredentials(): Promise<{ credentials: Ec2Credential[]; token: KeystoneToken }>;
  createCredential(projectId: string): Promise<Ec2Credential>;
  credential(access: string): Promise<Ec2Credential>;
  deleteCredential(access: string): Promise<void>;
  /** The user's roles on another project, from a token scoped to it; none when Keystone refuses that scope. */
  rolesOn(projectId: string): Promise<{ roles: string[]; projectName?: string }>;
}

/**
 * One Keystone for one account. A sign-in scoped to a project the user has no role on is refused (401)
 * like a wrong password; an unscoped sign-in then tells the two apart, and the token comes back unscoped.
 */
export function keystoneConnection(account: AccountContext, authUrl: string): KeystoneConnection {
  const base = identityBase(authUrl);
  // In memory only, for this session: a token is as good as a password until it expires.
  let token: KeystoneToken | undefined;

  async function requestToken(scope: Scope): Promise<KeystoneToken> {
    const response = await httpRequest(
      KEYSTONE,
      { method: 'POST', url: `${base}/auth/tokens`, body: authBody(account, scope), signal: account.signal, trust: account.trust },
      keystoneErrorMapper(true),
    );
    const value = response.headers.get('x-subject-token');
    if (!value) throw new KeydeskError({ code: 'PROVIDER', provider: KEYSTONE, message: 'Keystone signed in but returned no token (X-Subject-Token). Check the auth URL.' });
    const { token: body } = parsed(response, tokenSchema, 'a token');
    return {
      value,
      userId: body.user.id,
      userName: body.user.name,
      project: body.project && { id: body.project.id, name: body.project.name },
      roles: (body.roles ?? []).map((role) => role.name),
      catalog: body.catalog ?? [],
      expiresAt: Date.parse(body.expires_at),
    };
  }

  async function signIn(): Promise<KeystoneToken> {
    try {
      token = await requestToken('account');
    } catch (error) {
      const scoped = !usesApplicationCredential(account) && setting(account, 'projectName');
      if (!(scoped && error instanceof KeydeskError && error.status === 401)) throw error;
      // Right password, no role on the project? Then an unscoped sign-in works.
      token = await requestToken('none').catch(() => {
        throw error;
      });
    }
    return token;
  }

  // A minute of margin so a token does not expire between here and the request.
  const cached = () => (token && token.expiresAt - Date.now() > 60_000 ? token : undefined);

  /** Calls with the cached token; on 401 (token revoked or expired early) signs in again, once. */
  async function call(request: Omit<HttpRequest, 'url' | 'headers' | 'trust'> & { path: (t: KeystoneToken) => string }): Promise<{ response: HttpResponse; token: KeystoneToken }> {
    const send = async (t: KeystoneToken) => ({
      response: await httpRequest(
        KEYSTONE,
        { ...request, url: `${base}${request.path(t)}`, headers: { 'x-auth-token': t.value }, signal: account.signal, trust: account.trust },
        keystoneErrorMapper(false),
      ),
      token: t,
    });
    return withSignIn(
      KEYSTONE,
      { cached, signIn, forget: () => (token = undefined) },
      send,
      "The password or application credential may have changed or expired; update the account's credentials.",
    );
  }

  const credentialsPath = (t: KeystoneToken) => `/users/${encodeURIComponent(t.userId)}/credentials/OS-EC2`;
  const credentialPath = (access: string) => (t: KeystoneToken) => `${credentialsPath(t)}/${encodeURIComponent(access)}`;

  return {
    token: async () => cached() ?? signIn(),
    freshToken: signIn,

    async listCredentials() {
      const { response, token: t } = await call({ method: 'GET', path: credentialsPath });
      return { credentials: parsed(response, z.object({ credentials: z.array(credentialSchema) }), 'a credential list').credentials, token: t };
    },

    async createCredential(projectId) {
      const { response } = await call({ method: 'POST', path: credentialsPath, body: { tenant_id: projectId } });
      return parsed(response, z.object({ credential: credentialSchema }), 'a credential').credential;
    },

    async credential(access) {
      const { response } = await call({ method: 'GET', path: credentialPath(access) });
      return parsed(response, z.object({ credential: credentialSchema }), 'a credential').credential;
    },

    async deleteCredential(access) {
      await call({ method: 'DELETE', path: credentialPath(access) });
    },

    async rolesOn(projectId) {
      try {
        const scoped = await requestToken({ projectId });
        return { roles: scoped.roles, projectName: scoped.project?.name };
      } catch (error) {
        // The account's own sign-in works, so a refused scope means no role there (or no such project).
        if (error instanceof KeydeskError && error.status === 401) return { roles: [] };
        throw error;
      }
    },
  };
}

/**
 * Where S3 for this Keystone's region is, from its service catalog: an `s3` service, else the origin of
 * the `object-store` (Swift) endpoint — RGW and Swift's s3api serve S3 on the same host and port.
 */
export function catalogS3Endpoint(catalog: CatalogEntry[], region?: string): string | undefined {
  const publicUrl = (type: string) => {
    const endpoints = catalog.filter((entry) => entry.type === type).flatMap((entry) => entry.endpoints.filter((e) => e.interface === 'public'));
    return (endpoints.find((e) => region && e.region_id?.toLowerCase() === region.toLowerCase()) ?? endpoints[0])?.url;
  };
  // A catalog is the server's word: anything but a plain http(s) URL is ignored, not trusted.
  const s3 = publicUrl('s3');
  if (s3) {
    try {
      return parseEndpoint(s3);
    } catch {
      // not an endpoint Keydesk would accept from the user either: try the Swift endpoint
    }
  }
  const swift = publicUrl('object-store');
  const origin = swift && URL.canParse(swift) ? new URL(swift) : undefined;
  return origin && (origin.protocol === 'https:' || origin.protocol === 'http:') ? origin.origin : undefined;
}

/** The roles S3 accepts keys of (RGW's `rgw keystone accepted roles`), from the account's setting. */
export const S3_ROLES_FIELD: AccountField = {
  name: 's3Roles',
  label: 'Roles that can use S3',
  kind: 'text',
  required: false,
  defaultValue: 'member, admin',
  help: "S3 accepts keys only of users with one of these roles on the project (your cloud's RGW \"accepted roles\"). Keydesk refuses to make keys without one.",
};

export function acceptedRoles(account: AccountContext): string[] {
  const roles = (setting(account, S3_ROLES_FIELD.name) ?? S3_ROLES_FIELD.defaultValue!).split(',').map((role) => role.trim()).filter(Boolean);
  return roles.length ? roles : S3_ROLES_FIELD.defaultValue!.split(', ');
}

const either = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]);
const both = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]);

/**
 * Why the user may not make or reset keys on a project, or undefined when a role S3 accepts is among
 * theirs: "You have the reader role on project X in region Y; creating keys needs member or admin."
 */
export function roleRefusal(roles: string[], accepted: string[], where: { project: string; region?: string }, action: string): string | undefined {
  const held = new Set(roles.map((role) => role.toLowerCase()));
  if (accepted.some((role) => held.has(role.toLowerCase()))) return undefined;
  const have = roles.length ? `the ${both(roles)} role${roles.length > 1 ? 's' : ''}` : 'no role';
  return `You have ${have} on project ${where.project}${where.region ? ` in region ${where.region}` : ''}; ${action} needs ${either(accepted)}.`;
}

export function roleError(refusal: string, where: { project: string; region?: string }, accepted: string[]): KeydeskError {
  return new KeydeskError({
    code: 'ACCESS_DENIED',
    provider: KEYSTONE,
    providerCode: 'RoleRequired',
    message: refusal,
    hint: `Ask an admin of project ${where.project}${where.region ? ` in region ${where.region}` : ''} for the ${accepted[0]} role: a key made without it is refused by S3.`,
  });
}
